"""qv.compile: every target, every level, on random circuits of every gate type.

The reference is simulation: the compiled circuit's state on the device qubits it uses
must equal the source's state moved by the final layout (``compile.verify``), to 1e-8 in
fidelity. Beside that: only the target's native gates appear, two-qubit gates act on
coupled qubits (in ECR's listed direction on Eagle), and the optimisation levels keep
their promises on circuits with a known optimum.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit.gates import GATES
from qvalley.compile.verify import equivalent
from qvalley.errors import CompileError
from qvalley.targets import get_target

TARGETS = ["ibm-eagle-r3", "ibm-heron-r2", "ionq-aria-1", "ionq-forte-1"]
SKIP = {"id", "u0"}  # idles


def random_circuit(rng, n, count):
    c = qv.Circuit(n)
    names = [g for g in GATES if g not in SKIP and GATES[g].num_qubits <= n]
    for _ in range(count):
        r = rng.random()
        if r < 0.08 and n >= 2:
            k = int(rng.integers(1, min(3, n) + 1))
            qs = [int(q) for q in rng.choice(n, k, replace=False)]
            z = rng.normal(size=(2 ** k, 2 ** k)) + 1j * rng.normal(size=(2 ** k, 2 ** k))
            q, rr = np.linalg.qr(z)
            c.unitary(q * (np.diagonal(rr) / abs(np.diagonal(rr))), qs)
        elif r < 0.14 and n >= 3:
            qs = [int(q) for q in rng.choice(n, 3, replace=False)]
            c.mcx(qs[:2], qs[2])
        else:
            g = GATES[names[int(rng.integers(len(names)))]]
            qs = [int(q) for q in rng.choice(n, g.num_qubits, replace=False)]
            params = [float(x) for x in rng.uniform(-math.pi, math.pi, g.num_params)]
            c.append(g.name, qs, params)
    return c


def check_native(compiled, target_name):
    t = get_target(target_name)
    allowed = set(t.basis) | set(t.virtual)
    for ins in compiled.data:
        if ins.kind != "gate":
            continue
        assert ins.name in allowed and not ins.num_ctrl, ins
        if len(ins.qubits) == 2:
            assert t.connected(*ins.qubits, either_way=not t.directed), ins
        if ins.name == "rzz":  # IBM accepts only 0 < theta <= pi/2
            assert 0 < ins.params[0] <= math.pi / 2 + 1e-12
        if ins.name == "ms":
            assert 0 < ins.params[2] <= 0.25 + 1e-12


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_random_circuits_compile_exactly(target, level):
    rng = np.random.default_rng([level, TARGETS.index(target)])
    for trial in range(3):
        n = int(rng.integers(2, 8)) if trial else 10 if level == 2 else 5
        c = random_circuit(rng, n, 25 if n < 8 else 30)
        nat = qv.compile(c, target, optimization_level=level, seed=trial)
        check_native(nat, target)
        assert equivalent(c, nat), f"{target} level {level} n={n}"


@pytest.mark.parametrize("target", TARGETS)
def test_known_optima(target):
    ghz = qv.Circuit(5).h(0)
    for q in range(4):
        ghz.cx(q, q + 1)
    nat = qv.compile(ghz, target, seed=1)
    assert nat.num_nonlocal_gates() == 4  # a line fits every device: no swap
    assert equivalent(ghz, nat)
    # a cx pair cancels; three cx on a pair are one swap-like block of 3
    c = qv.Circuit(2).cx(0, 1).cx(0, 1).h(0)
    assert qv.compile(c, target).num_nonlocal_gates() == 0
    # any 2-qubit unitary: at most 3 entanglers
    rng = np.random.default_rng(5)
    z = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    u = qv.Circuit(2).unitary(np.linalg.qr(z)[0], [0, 1])
    nat = qv.compile(u, target)
    assert nat.num_nonlocal_gates() == 3 and equivalent(u, nat)


@pytest.mark.parametrize("target, count", [("ibm-heron-r2", 1), ("ionq-forte-1", 1),
                                           ("ionq-aria-1", 1), ("ibm-eagle-r3", 2)])
def test_partial_entanglers_for_rzz_and_cp(target, count):
    """rzz(θ) and cp(λ) are one fractional RZZ / partial ZZ / partial MS where the
    target has one, two CX-class gates where it has not."""
    for c in (qv.Circuit(2).rzz(0.37, 0, 1), qv.Circuit(2).h(0).cp(-1.1, 0, 1)):
        nat = qv.compile(c, target)
        assert nat.num_nonlocal_gates() == count
        assert equivalent(c, nat)


def test_eagle_ecr_runs_only_in_listed_directions():
    t = get_target("ibm-eagle-r3")
    c = qv.Circuit(2).cx(0, 1).cx(1, 0).h(1).cx(0, 1)
    for level in range(4):
        nat = qv.compile(c, t, optimization_level=level)
        for ins in nat.data:
            if ins.name == "ecr":
                assert ins.qubits in t.edges
        assert equivalent(c, nat)


def test_measurements_and_conditions_are_kept():
    c = qv.Circuit(3, 3).h(0).cx(0, 1).measure(0, 0)
    c.x(2).c_if(0, 1)
    c.cx(1, 2).measure([1, 2], [1, 2])
    for target in TARGETS:
        nat = qv.compile(c, target, seed=3)
        kinds = [ins.kind for ins in nat.data]
        assert kinds.count("measure") == 3
        res = qv.run(nat, shots=200, seed=1)
        want = qv.run(c, shots=200, seed=1)
        assert set(res.counts) == set(want.counts)


def test_bad_requests_are_refused():
    c = qv.Circuit(2).h(0)
    with pytest.raises(CompileError, match="optimization_level"):
        qv.compile(c, "ionq-aria-1", optimization_level=4)
    with pytest.raises(CompileError, match="30 qubits but ionq-aria-1 has 25"):
        qv.compile(qv.Circuit(30).h(0), "ionq-aria-1")
    theta = qv.Parameter("theta")
    with pytest.raises(CompileError, match="unbound parameters"):
        qv.compile(qv.Circuit(1).rx(theta, 0), "ionq-aria-1")
    with pytest.raises(qv.TargetError, match="unknown target"):
        qv.compile(c, "ibm-osprey")


def test_seed_gives_one_answer():
    rng = np.random.default_rng(9)
    c = random_circuit(rng, 6, 30)
    a = qv.compile(c, "ibm-heron-r2", seed=4)
    b = qv.compile(c, "ibm-heron-r2", seed=4)
    assert a.data == b.data and a.layout == b.layout
