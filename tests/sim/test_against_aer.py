"""qvalley's exact state vectors against Qiskit Aer on random circuits.

200 random circuits of 1 to 12 qubits over every gate of the table, random unitaries on
1 to 3 qubits and multi-controlled gates with random control states. Each circuit is built
twice, side by side: with qvalley's builder methods and with Qiskit's own gate classes
(the mapping is written in this file and in tests/conftest.py, never read from qvalley's
instructions). Aer runs all of them in one batch.

Tolerance: state fidelity |<a|b>|^2 >= 1 - 1e-10 (issue 2). Both simulators work in double
precision; a few hundred gates accumulate errors of order 1e-14, so 1e-10 leaves room only
for rounding, never for a wrong gate. Probabilities agree to 1e-10 absolute.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

import qvalley as qv
from qvalley import Circuit
from qvalley.circuit import GATES

pytest.importorskip("qiskit_aer")

from qiskit import QuantumCircuit, transpile  # noqa: E402

NUM_CIRCUITS = 200
MAX_QUBITS = 12
SEED = 2024
FIDELITY_TOL = 1e-10
ALL_GATES = sorted(GATES)
# table gates that may be put under extra controls (base gates of mc())
MC_BASES = ["x", "y", "z", "h", "s", "sdg", "t", "sx", "rx", "ry", "rz", "p", "u", "u3",
            "swap", "rzz", "rxx", "iswap", "cx", "cp", "ecr", "xx_plus_yy"]


def haar_unitary(rng, dim):
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


@dataclass
class Pair:
    index: int
    circuit: Circuit
    qiskit: QuantumCircuit
    kinds: set


def _angles(rng, k):
    # mostly generic angles, sometimes large ones or exact multiples of pi/2
    out = []
    for _ in range(k):
        r = rng.random()
        if r < 0.1:
            out.append(float(rng.integers(-4, 5)) * math.pi / 2)
        elif r < 0.2:
            out.append(float(rng.uniform(-50, 50)))
        else:
            out.append(float(rng.uniform(-2 * math.pi, 2 * math.pi)))
    return out


def build_pair(index: int, qiskit_gate) -> Pair:
    from qiskit.circuit.library import UnitaryGate

    rng = np.random.default_rng([SEED, index])
    forced = ALL_GATES[index % len(ALL_GATES)]   # every gate appears in several circuits
    lo = max(GATES[forced].num_qubits, 1)
    n = MAX_QUBITS if index % 10 == 0 else int(rng.integers(lo, MAX_QUBITS + 1))
    length = int(rng.integers(5, 45))
    c = Circuit(n)
    qc = QuantumCircuit(n)
    kinds: set = set()

    def add_gate(name):
        g = GATES[name]
        qs = [int(q) for q in rng.choice(n, g.num_qubits, replace=False)]
        ps = _angles(rng, g.num_params)
        getattr(c, name)(*ps, *qs)
        qc.append(qiskit_gate(name, ps), qs)
        kinds.add(name)

    # a layer of random single-qubit rotations so that no qubit starts in a basis state
    for q in range(n):
        ps = _angles(rng, 3)
        c.u(*ps, q)
        qc.append(qiskit_gate("u", ps), [q])
    add_gate(forced)
    for _ in range(length):
        r = rng.random()
        fitting = [g for g in ALL_GATES if GATES[g].num_qubits <= n]
        if r < 0.75:
            add_gate(fitting[int(rng.integers(len(fitting)))])
        elif r < 0.85:
            k = int(rng.integers(1, min(3, n) + 1))
            qs = [int(q) for q in rng.choice(n, k, replace=False)]
            u = haar_unitary(rng, 2 ** k)
            c.unitary(u, qs)
            qc.append(UnitaryGate(u), qs)
            kinds.add("unitary")
        elif n >= 2:
            bases = [b for b in MC_BASES if GATES[b].num_qubits < n]
            base = bases[int(rng.integers(len(bases)))]
            g = GATES[base]
            num_ctrl = int(rng.integers(1, min(3, n - g.num_qubits) + 1))
            qs = [int(q) for q in rng.choice(n, num_ctrl + g.num_qubits, replace=False)]
            ctrl_state = int(rng.integers(2 ** num_ctrl))
            if rng.random() < 0.2:
                u = haar_unitary(rng, 2 ** g.num_qubits)
                c.mc(u, qs[:num_ctrl], qs[num_ctrl:], ctrl_state=ctrl_state)
                gate = UnitaryGate(u).control(num_ctrl, ctrl_state=ctrl_state, annotated=False)
                qc.append(gate, qs)
                kinds.add("mc-unitary")
            else:
                ps = _angles(rng, g.num_params)
                as_text = rng.random() < 0.5
                state = format(ctrl_state, f"0{num_ctrl}b") if as_text else ctrl_state
                c.mc(base, qs[:num_ctrl], qs[num_ctrl:], ps, ctrl_state=state)
                gate = qiskit_gate(base, ps).control(num_ctrl, ctrl_state=ctrl_state,
                                                     annotated=False)
                qc.append(gate, qs)
                kinds.add("mc")
                kinds.add(f"mc-{base}")
    return Pair(index, c, qc, kinds)


@pytest.fixture(scope="module")
def aer_results(qiskit_gate, aer_statevector_simulator):
    """Build every pair and run all the Qiskit circuits through Aer in one batch."""
    pairs = [build_pair(i, qiskit_gate) for i in range(NUM_CIRCUITS)]
    sim = aer_statevector_simulator
    circuits = []
    for p in pairs:
        qc = p.qiskit.copy()
        qc.save_statevector()
        circuits.append(qc)
    compiled = transpile(circuits, sim, optimization_level=0, seed_transpiler=SEED)
    result = sim.run(compiled, shots=1, seed_simulator=SEED).result()
    states = [np.asarray(result.get_statevector(i)) for i in range(len(pairs))]
    return pairs, states


def test_circuits_cover_every_gate_type(aer_results):
    pairs, _ = aer_results
    seen = set().union(*(p.kinds for p in pairs))
    missing = set(GATES) - seen
    assert not missing, f"gates never drawn: {sorted(missing)}"
    assert {"unitary", "mc", "mc-unitary"} <= seen
    assert len(pairs) >= 200
    assert max(p.circuit.num_qubits for p in pairs) == MAX_QUBITS
    # every gate is drawn in at least 3 circuits
    for g in GATES:
        assert sum(g in p.kinds for p in pairs) >= 3, g


@pytest.mark.parametrize("index", range(NUM_CIRCUITS))
def test_statevector_matches_aer(aer_results, index):
    pairs, states = aer_results
    pair, want = pairs[index], states[index]
    got = qv.statevector(pair.circuit)
    assert got.dtype == np.complex128 and got.shape == (2 ** pair.circuit.num_qubits,)
    assert abs(np.vdot(got, got).real - 1) < 1e-12
    fidelity = abs(np.vdot(want, got)) ** 2
    assert fidelity >= 1 - FIDELITY_TOL, (
        f"circuit {index} ({pair.circuit.num_qubits} qubits, {len(pair.circuit)} ops): "
        f"fidelity {fidelity!r}")
    probs = qv.probabilities(pair.circuit)
    np.testing.assert_allclose(probs, np.abs(want) ** 2, rtol=0, atol=1e-10)
    assert probs.sum() == pytest.approx(1, abs=1e-12)


def test_global_phase_matches_aer(aer_results):
    """Phases are part of the gate semantics: the states agree exactly, not only up to a
    global phase (Qiskit tracks transpilation phases and Aer applies them)."""
    pairs, states = aer_results
    worst = max(float(np.max(np.abs(qv.statevector(p.circuit) - s)))
                for p, s in zip(pairs[:60], states[:60]))
    assert worst < 1e-9


def test_marginal_probabilities_match_aer(aer_results):
    """probabilities(c, qubits) is the marginal, qubits[0] least significant."""
    pairs, states = aer_results
    rng = np.random.default_rng(SEED)
    for p, s in zip(pairs[:40], states[:40]):
        n = p.circuit.num_qubits
        k = int(rng.integers(1, n + 1))
        qubits = [int(q) for q in rng.permutation(n)[:k]]
        full = np.abs(s) ** 2
        want = np.zeros(2 ** k)
        for idx, pr in enumerate(full):
            want[sum(((idx >> q) & 1) << j for j, q in enumerate(qubits))] += pr
        np.testing.assert_allclose(qv.probabilities(p.circuit, qubits), want, rtol=0,
                                   atol=1e-10)
