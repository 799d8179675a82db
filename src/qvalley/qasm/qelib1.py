"""The gates that ``include "qelib1.inc";`` makes available, bound to the gate table.

Binding names to table gates (instead of parsing the bodies of qelib1.inc) keeps loading
fast and the matrices exact. The shipped ``qelib1.inc`` documents the same gates with
bodies written from ``U`` and ``CX``; the tests check the two agree.
"""
from __future__ import annotations

from pathlib import Path

from ..circuit.gates import GATES

#: Where the shipped copy of qelib1.inc lives.
QELIB1_PATH = Path(__file__).with_name("qelib1.inc")

#: Names found in OpenQASM 2 files in the wild for gates of qelib1.inc.
EXTRA_ALIASES = {"cccx": "c3x", "ccccx": "c4x", "rcccx": "rc3x"}

#: The gates of qelib1.inc as published with the OpenQASM 2.0 specification (Cross et al.,
#: arXiv:1707.03429). The other names bound on include are later additions (Qiskit's
#: extended qelib1.inc); a program may define its own gate with one of those names, as
#: programs written against the original header do (``gate cu c,t { ... }``), and its
#: definition then takes precedence.
ORIGINAL_QELIB1 = frozenset({
    "u3", "u2", "u1", "cx", "id", "u0", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "rx",
    "ry", "rz", "cz", "cy", "ch", "ccx", "crz", "cu1", "cu3"})

#: The builtins of OpenQASM 2.0, always defined.
BUILTINS = {"U": "u", "CX": "cx"}


def qelib1_gates() -> dict[str, str]:
    """Map each gate name of qelib1.inc (and its common aliases) to a table gate name."""
    names = {g.qasm2: g.name for g in GATES.values() if g.qasm2}
    for alias, target in EXTRA_ALIASES.items():
        names.setdefault(alias, target)
    return names


def qelib1_names() -> frozenset[str]:
    """The gate names qelib1.inc declares (aliases excluded)."""
    return frozenset(g.qasm2 for g in GATES.values() if g.qasm2)
