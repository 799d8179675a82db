"""The shipped qelib1.inc: its bodies must define the same gates as the table binding."""
from __future__ import annotations

import numpy as np
import pytest

from qvalley.circuit import GATES
from qvalley.qasm.expressions import evaluate
from qvalley.qasm.qelib1 import EXTRA_ALIASES, QELIB1_PATH, qelib1_gates, qelib1_names
from qvalley.qasm.reader import parse_library, qelib1_source

from qasm_helpers import unitary_of_steps

LIBRARY = parse_library(qelib1_source(), "qelib1.inc")


def test_the_file_ships_with_the_package():
    assert QELIB1_PATH.is_file()
    assert QELIB1_PATH.parent.name == "qasm"


def test_the_file_defines_every_bound_name():
    defined = {name for name, g in LIBRARY.items() if g.kind == "user"}
    assert defined == set(qelib1_names())
    assert set(qelib1_gates()) == set(qelib1_names()) | set(EXTRA_ALIASES)


@pytest.mark.parametrize("name", sorted(qelib1_names()))
def test_body_equals_table_gate_up_to_global_phase(name):
    target = qelib1_gates()[name]
    spec = GATES[target]
    gate = LIBRARY[name]
    assert (gate.num_params, gate.num_qubits) == (spec.num_params, spec.num_qubits)
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    for _ in range(3):
        params = tuple(float(x) for x in rng.uniform(-4, 4, spec.num_params))
        steps = [(n, [evaluate(x, params) for x in nodes], q)
                 for kind, n, nodes, q in gate.body if kind == "gate"]
        got = unitary_of_steps(steps, spec.num_qubits)
        want = spec.matrix(*params)
        overlap = abs(np.trace(want.conj().T @ got)) / want.shape[0]
        assert overlap == pytest.approx(1, abs=1e-10), name
