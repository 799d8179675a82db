"""Exactness of qvalley.compile.decompose: every rewrite is checked by multiplying the
emitted gates' matrices (with an independent numpy contraction, not the simulator) and
comparing with the instruction's full matrix times the reported global phase."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit import Circuit, Condition, Instruction, Parameter
from qvalley.circuit.gates import GATES, embed
from qvalley.compile import (QASM2_GATES, decompose_instruction,
                             decompose_instruction_with_phase, synthesize_unitary, unroll_to,
                             unroll_to_with_phase, zyz_angles)
from qvalley.errors import CompileError

TOL = 1e-9
PI = math.pi


# -- independent helpers ----------------------------------------------------------------------

def circuit_matrix(instrs, n: int) -> np.ndarray:
    """Product of the instructions' table matrices on n qubits (little-endian), built by
    contracting each gate into the identity's column tensor."""
    t = np.eye(2 ** n, dtype=np.complex128).reshape((2,) * n + (2 ** n,))
    for ins in instrs:
        mat = GATES[ins.name].matrix(*(float(p) for p in ins.params))
        k = len(ins.qubits)
        axes = [n - 1 - q for q in reversed(ins.qubits)]
        t = np.tensordot(mat.reshape((2,) * (2 * k)), t, axes=(list(range(k, 2 * k)), axes))
        t = np.moveaxis(t, list(range(k)), axes)
    return t.reshape(2 ** n, 2 ** n)


def haar(dim: int, rng: np.random.Generator) -> np.ndarray:
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def expm_hermitian(h: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(h)
    return v @ np.diag(np.exp(1j * w)) @ v.conj().T


def kron(*mats) -> np.ndarray:
    out = np.eye(1, dtype=np.complex128)
    for m in mats:
        out = np.kron(out, m)
    return out


def check_exact(instr: Instruction, n: int) -> list[Instruction]:
    """Decompose, check the emitted gates' kinds and the exact matrix identity."""
    out, phase = decompose_instruction_with_phase(instr)
    for ins in out:
        assert ins.kind == "gate", ins
        assert GATES[ins.name].qasm2 is not None, ins
        assert ins.num_ctrl == 0, ins
        assert ins.condition == instr.condition
        assert set(ins.qubits) <= set(instr.qubits), (ins, instr)
    got = circuit_matrix(out, n)
    want = embed(instr.full_matrix(), instr.qubits, n)
    err = np.max(np.abs(got - np.exp(1j * phase) * want))
    assert err < TOL, f"{instr}: max error {err:.3g}"
    return out


def cx_count(instrs) -> int:
    """CX count once qelib1's composite gates are lowered to u3 and cx."""
    n = 1 + max(q for ins in instrs for q in ins.qubits)
    c = Circuit(n)
    for ins in instrs:
        c.append(ins)
    return unroll_to(c, {"u3", "cx"}).count_ops().get("cx", 0)


def unitary_instr(mat: np.ndarray, qubits, num_ctrl: int = 0, ctrl_state=None) -> Instruction:
    return Instruction("unitary", "unitary", tuple(qubits), matrix=mat, num_ctrl=num_ctrl,
                       ctrl_state=ctrl_state)


# -- the harness itself can fail ----------------------------------------------------------

def test_harness_detects_a_wrong_decomposition():
    instr = Instruction("gate", "cx", (0, 1))
    wrong = [Instruction("gate", "cx", (1, 0))]
    got = circuit_matrix(wrong, 2)
    assert np.max(np.abs(got - embed(instr.full_matrix(), instr.qubits, 2))) > 0.5
    assert np.allclose(circuit_matrix([instr], 2), GATES["cx"].matrix())


# -- one qubit ----------------------------------------------------------------------------

def test_zyz_angles_exact():
    rng = np.random.default_rng(1)
    mats = [haar(2, rng) for _ in range(50)]
    mats += [np.diag(np.exp(1j * rng.normal(size=2))), np.array([[0, 1j], [1, 0]]),
             -np.eye(2), GATES["h"].matrix(), GATES["y"].matrix(), GATES["sx"].matrix()]
    for mat in mats:
        theta, phi, lam, alpha = zyz_angles(np.asarray(mat, dtype=np.complex128))
        assert 0 <= theta <= PI + 1e-12
        assert np.allclose(np.exp(1j * alpha) * GATES["u3"].matrix(theta, phi, lam), mat,
                           atol=1e-12)


def test_one_qubit_unitary_is_one_gate():
    rng = np.random.default_rng(2)
    out = check_exact(unitary_instr(haar(2, rng), [0]), 1)
    assert [i.name for i in out] == ["u3"]
    out = check_exact(unitary_instr(np.diag([1j, -1]), [0]), 1)
    assert [i.name for i in out] == ["u1"]
    assert check_exact(unitary_instr(1j * np.eye(2), [0]), 1) == []


# -- random unitaries, 1 to 4 qubits ------------------------------------------------------

@pytest.mark.parametrize("nq,seed", [(n, s) for n in (1, 2, 3, 4) for s in range(3)])
def test_random_unitary_exact(nq, seed):
    rng = np.random.default_rng(100 * nq + seed)
    n = nq + 1                                   # one idle qubit, qubits in random order
    qubits = [int(q) for q in rng.permutation(n)[:nq]]
    out = check_exact(unitary_instr(haar(2 ** nq, rng), qubits), n)
    expected_cx = {1: 0, 2: 3, 3: 24, 4: 120}[nq]
    assert sum(i.name == "cx" for i in out) == expected_cx
    assert {i.name for i in out} <= {"u3", "u1", "cx"}


def test_gate_counts_of_random_unitaries(capsys):
    rng = np.random.default_rng(7)
    report = {}
    for nq in (2, 3, 4):
        out = check_exact(unitary_instr(haar(2 ** nq, rng), range(nq)), nq)
        report[nq] = (len(out), sum(i.name == "cx" for i in out))
    assert report[2][1] == 3 and report[2][0] <= 11
    assert report[3][1] == 24 and report[3][0] <= 70
    assert report[4][1] == 120 and report[4][0] <= 320
    with capsys.disabled():
        print("\nrandom unitary (gates, cx):", report)


def _structured(n: int, rng) -> dict[str, np.ndarray]:
    d = 2 ** n
    h = d // 2
    zero = np.zeros((h, h))
    herm = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    herm = herm + herm.conj().T
    out = {
        "identity": np.eye(d),
        "permutation": np.eye(d)[rng.permutation(d)],
        "diagonal": np.diag(np.exp(1j * rng.normal(size=d))),
        "degenerate diagonal": np.diag(np.exp(1j * np.repeat([0.3, 1.1], h))),
        "product": kron(*[haar(2, rng) for _ in range(n)]),
        "X on top": kron(GATES["x"].matrix(), np.eye(h)),
        "X on bottom": kron(np.eye(h), GATES["x"].matrix()),
        "hadamards": kron(*[GATES["h"].matrix()] * n),
        "controlled on top": np.block([[np.eye(h), zero], [zero, haar(h, rng)]]),
        "anti block": np.block([[zero, haar(h, rng)], [haar(h, rng), zero]]),
        "qft": np.exp(2j * PI * np.outer(range(d), range(d)) / d) / math.sqrt(d),
        "near block": expm_hermitian(1e-9 * herm)
        @ np.block([[haar(h, rng), zero], [zero, haar(h, rng)]]),
    }
    for eps in (1e-5, 1e-8, 1e-11):
        out[f"near identity {eps}"] = expm_hermitian(eps * herm)
    out["near anti block"] = expm_hermitian(1e-9 * herm) @ out["anti block"]
    # a cosine-sine middle factor with sines and cosines both near 0 and 1
    theta = np.concatenate([[1e-9, 3e-9, PI / 2 - 1e-9, PI / 2 - 2e-9][:h],
                            rng.uniform(0, PI / 2, max(0, h - 4))])
    cs = np.block([[np.diag(np.cos(theta)), -np.diag(np.sin(theta))],
                   [np.diag(np.sin(theta)), np.diag(np.cos(theta))]])
    blocks = lambda: np.block([[haar(h, rng), zero], [zero, haar(h, rng)]])  # noqa: E731
    out["mixed cosine-sine"] = blocks() @ cs @ blocks()
    return out


@pytest.mark.parametrize("n", [2, 3, 4])
def test_structured_unitaries_exact(n):
    """Repeated singular values and eigenvalues are where CSD and KAK usually break."""
    rng = np.random.default_rng(40 + n)
    for name, mat in _structured(n, rng).items():
        out = check_exact(unitary_instr(mat.astype(np.complex128), range(n)), n)
        if name in ("identity", "degenerate diagonal", "product", "X on top", "hadamards"):
            assert sum(i.name == "cx" for i in out) == 0, name


def _canonical(a, b, c):
    x, y, z = (GATES[g].matrix() for g in "xyz")
    return expm_hermitian(a * np.kron(x, x) + b * np.kron(y, y) + c * np.kron(z, z))


def test_two_qubit_cx_counts_follow_the_canonical_coordinates():
    rng = np.random.default_rng(5)
    values = [0.0, PI / 4, -PI / 4, PI / 4 - 1e-4, 0.3, PI / 2, PI / 2 + 0.1, 1e-15]
    for abc in itertools.product(values, repeat=3):
        local = lambda: np.kron(haar(2, rng), haar(2, rng))  # noqa: E731
        out = check_exact(unitary_instr(local() @ _canonical(*abc) @ local(), [0, 1]), 2)
        reduced = [abs(v - round(v / (PI / 2)) * PI / 2) for v in abc]
        live = [r for r in reduced if r > 1e-13]
        if len(live) == 1 and abs(live[0] - PI / 4) < 1e-13:
            expected = 1
        else:
            expected = {0: 0, 1: 2, 2: 2, 3: 3}[len(live)]
        assert sum(i.name == "cx" for i in out) == expected, abc
    counts = {name: sum(i.name == "cx" for i in check_exact(
        unitary_instr(GATES[name].matrix(), [0, 1]), 2))
        for name in ("cx", "cz", "ecr", "iswap", "dcx", "swap")}
    assert counts == {"cx": 1, "cz": 1, "ecr": 1, "iswap": 2, "dcx": 2, "swap": 3}


def test_synthesize_unitary_api():
    rng = np.random.default_rng(9)
    mat = haar(8, rng)
    out, phase = synthesize_unitary(mat)
    assert np.max(np.abs(circuit_matrix(out, 3) - np.exp(1j * phase) * mat)) < TOL
    with pytest.raises(Exception):
        synthesize_unitary(np.ones((3, 3)))


# -- every table gate ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GATES))
def test_every_table_gate(name):
    gate = GATES[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    params = tuple(float(p) for p in rng.uniform(-PI, PI, gate.num_params))
    n = gate.num_qubits
    qubits = tuple(int(q) for q in rng.permutation(n))
    instr = Instruction("gate", name, qubits, params)
    out = check_exact(instr, n)
    if gate.qasm2 is not None:
        assert out == [instr]
        assert decompose_instruction_with_phase(instr)[1] == 0.0
    # with one and two extra controls, random control states
    for k in (1, 2):
        if n + k > 7:
            continue
        qubits = tuple(int(q) for q in rng.permutation(n + k))
        state = int(rng.integers(0, 1 << k))
        check_exact(Instruction("gate", name, qubits, params, num_ctrl=k, ctrl_state=state),
                    n + k)


def test_random_controlled_table_gates():
    rng = np.random.default_rng(2024)
    names = sorted(GATES)
    done = 0
    while done < 60:
        name = names[int(rng.integers(len(names)))]
        gate = GATES[name]
        k = int(rng.integers(1, 6))
        n = gate.num_qubits + k
        if n > 7:
            continue
        params = tuple(float(p) for p in rng.uniform(-PI, PI, gate.num_params))
        qubits = tuple(int(q) for q in rng.permutation(n))
        instr = Instruction("gate", name, qubits, params, num_ctrl=k,
                            ctrl_state=int(rng.integers(0, 1 << k)))
        check_exact(instr, n)
        done += 1


@pytest.mark.parametrize("targets,k", [(1, 1), (1, 2), (1, 3), (1, 5), (2, 1), (2, 2),
                                       (2, 3), (3, 1), (3, 2)])
def test_controlled_unitaries(targets, k):
    rng = np.random.default_rng(10 * targets + k)
    n = targets + k
    qubits = [int(q) for q in rng.permutation(n)]
    check_exact(unitary_instr(haar(2 ** targets, rng), qubits, k,
                              int(rng.integers(0, 1 << k))), n)


def test_controlled_special_one_qubit_matrices():
    """Phases, X-like gates (A X A^dagger), SU(2) about x and -I take special paths."""
    rng = np.random.default_rng(3)
    mats = [np.eye(2), 1j * np.eye(2), -np.eye(2), GATES["x"].matrix(), GATES["z"].matrix(),
            GATES["y"].matrix(), GATES["h"].matrix(), -1j * GATES["x"].matrix(),
            GATES["rx"].matrix(0.7), np.diag([1, np.exp(0.3j)]), np.diag([1j, 1]),
            haar(2, rng)]
    for mat, k in itertools.product(mats, (1, 2, 3, 5)):
        check_exact(unitary_instr(np.asarray(mat, dtype=np.complex128), range(k + 1), k,
                                  int(rng.integers(0, 1 << k))), k + 1)


def test_mcx_gate_counts(capsys):
    report = {}
    for k in range(1, 9):
        instr = Instruction("gate", "x", tuple(range(k + 1)), num_ctrl=k)
        out = check_exact(instr, k + 1)
        report[k] = (len(out), cx_count(out))
    assert [report[k][0] for k in range(1, 5)] == [1, 1, 1, 1]   # cx, ccx, c3x, c4x
    bounds = {5: 84, 6: 140, 7: 228, 8: 348}
    for k, bound in bounds.items():
        assert report[k][1] <= bound, (k, report[k])
    with capsys.disabled():
        print("\nmcx controls: (emitted gates, cx after lowering):", report)


def test_mcx_with_borrowed_qubits_uses_the_v_chain():
    """An mcx inside a larger controlled gate borrows the other qubits (Lemma 7.2/7.3)."""
    # cswap with 5 extra controls: the middle mcx has 7 controls and 1 qubit to borrow
    instr = Instruction("gate", "swap", tuple(range(8)), num_ctrl=6)
    out = check_exact(instr, 8)
    assert "rccx" in {i.name for i in out}


# -- conditions, non-unitary operations, parameters ----------------------------------------

def test_conditions_are_kept_on_every_replacement():
    cond = Condition((0, 1), 2, "c")
    rng = np.random.default_rng(4)
    instr = Instruction("unitary", "unitary", (2, 0, 1), matrix=haar(2, rng), num_ctrl=2,
                        ctrl_state=1, condition=cond)
    out = check_exact(instr, 3)
    assert out and all(i.condition == cond for i in out)


def test_non_unitary_instructions_pass_through():
    for instr in (Instruction("measure", "measure", (0,), clbits=(0,)),
                  Instruction("reset", "reset", (1,)),
                  Instruction("barrier", "barrier", (0, 1))):
        assert decompose_instruction(instr) == [instr]


def test_definitions_expand_with_symbolic_parameters():
    theta, beta = Parameter("theta"), Parameter("beta")
    for name, params in (("ryy", (theta,)), ("rzx", (2 * theta,)), ("r", (theta, beta)),
                         ("xx_plus_yy", (theta, beta)), ("xx_minus_yy", (theta, beta)),
                         ("iswap", ()), ("ecr", ()), ("cs", ())):
        n = GATES[name].num_qubits
        instr = Instruction("gate", name, tuple(range(n)), params)
        out, phase = decompose_instruction_with_phase(instr)
        assert phase == 0.0
        assert all(GATES[i.name].qasm2 for i in out)
        values = {theta: 0.37, beta: -1.1}
        bound = [i.bind(values, "test") for i in out]
        want = instr.bind(values, "test").full_matrix()
        assert np.max(np.abs(circuit_matrix(bound, n) - want)) < TOL


def test_symbolic_controlled_gates():
    theta = Parameter("theta")
    instr = Instruction("gate", "rz", (0, 1), (theta,), num_ctrl=1, ctrl_state=0)
    out = decompose_instruction(instr)
    assert [i.name for i in out] == ["x", "crz", "x"]
    bound = [i.bind({theta: 0.4}, "t") for i in out]
    want = instr.bind({theta: 0.4}, "t").full_matrix()
    assert np.max(np.abs(circuit_matrix(bound, 2) - want)) < TOL
    with pytest.raises(CompileError, match="bind the parameters"):
        decompose_instruction(Instruction("gate", "rz", (0, 1, 2, 3), (theta,), num_ctrl=3))


# -- unroll_to ----------------------------------------------------------------------------

def _random_circuit(rng, n: int, depth: int) -> Circuit:
    c = Circuit(n)
    names = sorted(GATES)
    for _ in range(depth):
        kind = int(rng.integers(4))
        perm = [int(q) for q in rng.permutation(n)]
        if kind == 0:
            size = int(rng.integers(1, 4))
            c.unitary(haar(2 ** size, rng), perm[:size])
        elif kind == 1:
            size, k = int(rng.integers(1, 3)), int(rng.integers(1, 4))
            c.mc(haar(2 ** size, rng), perm[:k], perm[k:k + size],
                 ctrl_state=int(rng.integers(0, 1 << k)))
        else:
            name = names[int(rng.integers(len(names)))]
            gate = GATES[name]
            k = int(rng.integers(0, 3)) if kind == 2 else 0
            if gate.num_qubits + k > n:
                continue
            params = list(rng.uniform(-PI, PI, gate.num_params))
            if k:
                c.mc(name, perm[:k], perm[k:k + gate.num_qubits], params,
                     ctrl_state=int(rng.integers(0, 1 << k)))
            else:
                c.append(name, perm[:gate.num_qubits], params)
    return c


@pytest.mark.parametrize("seed", range(4))
def test_unroll_to_qelib1_statevector(seed):
    rng = np.random.default_rng(500 + seed)
    c = _random_circuit(rng, 5, 14)
    out, phase = unroll_to_with_phase(c, QASM2_GATES)
    assert all(i.kind == "gate" and i.name in QASM2_GATES and i.num_ctrl == 0 for i in out)
    before, after = qv.statevector(c), qv.statevector(out)
    assert np.max(np.abs(after - np.exp(1j * phase) * before)) < TOL
    assert abs(abs(np.vdot(before, qv.statevector(unroll_to(c, QASM2_GATES)))) - 1) < TOL


def test_unroll_to_u3_cx_is_exact_for_every_table_gate():
    rng = np.random.default_rng(8)
    for basis in ({"u3", "cx"}, {"U", "cnot"}):
        for name, gate in GATES.items():
            c = Circuit(gate.num_qubits)
            c.append(name, list(range(gate.num_qubits)),
                     list(rng.uniform(-PI, PI, gate.num_params)))
            out, phase = unroll_to_with_phase(c, basis)
            names = {"u3", "cx"} if "u3" in basis else {"u", "cx"}
            assert set(out.count_ops()) <= names, (name, out.count_ops())
            n = gate.num_qubits
            err = np.max(np.abs(circuit_matrix(out.data, n)
                                - np.exp(1j * phase) * circuit_matrix(c.data, n)))
            assert err < TOL, name


def test_unroll_to_keeps_allowed_gates_and_symbolic_ones():
    theta = Parameter("theta")
    c = Circuit(3).h(0).rx(theta, 1).ryy(theta, 1, 2).ccx(0, 1, 2)
    out = unroll_to(c, QASM2_GATES)
    assert out.data[0] == c.data[0] and out.data[1] == c.data[1]
    assert "ryy" not in out.count_ops() and out.count_ops()["ccx"] == 1
    lowered = unroll_to(c, {"u3", "cx"})
    assert set(lowered.count_ops()) == {"u3", "cx"}
    values = {theta: 0.61}
    a = qv.statevector(lowered.assign_parameters(values))
    b = qv.statevector(c.assign_parameters(values))
    assert abs(abs(np.vdot(a, b)) - 1) < TOL


def test_unroll_to_symbolic_rz_reports_a_symbolic_phase():
    theta = Parameter("theta")
    c = Circuit(2).rz(theta, 0).crz(2 * theta, 0, 1).rx(theta, 1).p(theta, 0)
    out, phase = unroll_to_with_phase(c, {"u3", "cx"})
    assert set(out.count_ops()) == {"u3", "cx"}
    values = {theta: 0.9}
    before = qv.statevector(c.assign_parameters(values))
    after = qv.statevector(out.assign_parameters(values))
    assert np.max(np.abs(after - np.exp(1j * phase.bind(values)) * before)) < TOL


def test_unroll_to_measurements_resets_barriers_conditions():
    rng = np.random.default_rng(12)
    c = Circuit(3, 3)
    c.h(0).measure(0, 0)
    with c.if_test(0, 1):
        c.mc(haar(2, rng), [0, 1], [2])
    c.reset(1).barrier()
    c.mc("ry", [2], [1], [0.8], ctrl_state=0)
    c.measure([0, 1, 2], [0, 1, 2])
    out = unroll_to(c, QASM2_GATES)
    kinds = [i.kind for i in out]
    assert kinds.count("measure") == 4 and kinds.count("reset") == 1
    assert kinds.count("barrier") == 1
    conditioned = [i for i in out if i.condition is not None]
    assert conditioned and all(i.condition == c.data[2].condition for i in conditioned)
    assert out.num_clbits == c.num_clbits and out.cregs == c.cregs
    # same seed, same branch probabilities: the same shots
    assert qv.run(out, shots=500, seed=3).counts == qv.run(c, shots=500, seed=3).counts
