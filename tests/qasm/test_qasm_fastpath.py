"""The reader's fast path (statement cache and one regular expression) must read exactly
what the full parser reads, whatever the layout; and it must be fast."""
from __future__ import annotations

import re
import time

import numpy as np
import pytest

from qvalley.qasm import load_qasm, reader
from qvalley.qasm.lexer import Lexer, Source

PROGRAM = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[4];
qreg r[2];
creg c[4];
creg d[2];
gate g(a, b) x, y { rz(a) x; cx x, y; u3(b, -a, a*b) y; barrier x, y; }
opaque op(t) x;
h q;
cx q[0], r[1];
g(0.5, pi/4) q[1], q[2];
g(1, 2) r, q[3];
u3(pi/2, 0.1, -0.2) q[3];
rz(sin(0.3)^2) r[0];
ccx q[0], q[1], r[0];
c3x q[0], q[1], q[2], q[3];
op(1.5) q[2];
barrier q, r[0];
measure q -> c;
measure r[1] -> d[0];
if (c == 5) x q[0];
if (d == 1) g(0.1, 0.2) q[0], q[1];
reset r;
h q[0];
h q[0];
"""


def _tokens(text: str) -> list[str]:
    lx = Lexer(Source(text))
    out = []
    while True:
        tok = lx.next()
        if tok.kind == "eof":
            return out
        out.append(tok.text)


@pytest.fixture
def slow_only(monkeypatch):
    """Disable the fast path and the statement cache."""
    monkeypatch.setattr(reader, "_FAST_CALL", re.compile(r"(?!)"))
    monkeypatch.setattr(reader, "_CACHE_LIMIT", 0)


def test_fast_and_slow_paths_agree(slow_only, monkeypatch):
    slow = load_qasm(PROGRAM)
    monkeypatch.undo()
    fast = load_qasm(PROGRAM)
    assert len(fast) == len(slow) > 20
    assert fast == slow
    assert [i.condition for i in fast] == [i.condition for i in slow]


SEPARATORS = [" ", "  ", "\n", "\t", " // c; x q[0];\n", "\n// comment\n", " /* ; h q; */ ",
              "\r\n", " /* ) q[1]; x q[0]; ( */ ", " //);\n"]


@pytest.mark.parametrize("seed", range(30))
def test_layout_does_not_matter(seed):
    rng = np.random.default_rng(seed)
    want = load_qasm(PROGRAM)
    tokens = _tokens(PROGRAM)
    parts = []
    for i, tok in enumerate(tokens):
        parts.append(tok)
        if i + 1 < len(tokens):
            needs_space = (tok[-1].isalnum() or tok[-1] in "_.") and \
                (tokens[i + 1][0].isalnum() or tokens[i + 1][0] in "_.\"")
            r = rng.random()
            if r < 0.5:
                parts.append(" " if needs_space else "")
            else:
                parts.append(SEPARATORS[rng.integers(len(SEPARATORS))])
    text = "".join(parts)
    got = load_qasm(text)
    assert got == want, text


def test_hundred_thousand_gates_load_quickly():
    rng = np.random.default_rng(0)
    lines = ['OPENQASM 2.0;', 'include "qelib1.inc";', 'qreg q[50];']
    for _ in range(100_000):
        k, i, j = rng.integers(4), rng.integers(50), rng.integers(49)
        j += j >= i
        lines.append([f"h q[{i}];", f"cx q[{i}],q[{j}];", f"rz({rng.normal()!r}) q[{i}];",
                      f"u3(pi/2,0.1,-0.2) q[{i}];"][k])
    text = "\n".join(lines)
    t0 = time.perf_counter()
    c = load_qasm(text)
    elapsed = time.perf_counter() - t0
    assert len(c) == 100_000
    assert elapsed < 10, f"{elapsed:.1f} s for 100,000 gates"


def test_comment_inside_parameters_hides_the_end_of_a_statement():
    c = load_qasm('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\n'
                  "rz(1/*) q[0]; h q[1]; */) q[0];\nrz(2/*c*/) q[1];\nrz(3//) q[0];\n) q[1];")
    assert [(i.name, i.qubits, i.params) for i in c] == [("rz", (0,), (1.0,)),
                                                          ("rz", (1,), (2.0,)),
                                                          ("rz", (1,), (3.0,))]
