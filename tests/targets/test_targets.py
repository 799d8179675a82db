"""Targets: presets against the vendors' published data, JSON round trip, bad input.

References: IBM's coupling maps as listed in qiskit-ibm-runtime's fake backend
configurations (conf_sherbrooke.json: 144 directed ECR pairs; conf_fez.json: 176 CZ pairs,
spot-checked below), degree histograms from the same files, and the native gate
identities of IonQ's documentation (GPI2(0) = RX(π/2), MS(0, 0, 0.25) = RXX(π/2),
ZZ(0.25) = RZZ(π/2), exact).
"""
from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit.gates import GATES
from qvalley.targets import Calibration, Target, TargetError, get_target
from qvalley.targets.heavy_hex import eagle_r3_edges, heron_r1_edges, heron_r2_edges


def degrees(edges):
    d = Counter()
    for a, b in edges:
        d[a] += 1
        d[b] += 1
    return dict(sorted(Counter(d.values()).items()))


def test_presets_are_listed():
    names = [t.name for t in qv.targets()]
    assert names == ["ibm-eagle-r3", "ibm-heron-r2", "ionq-aria-1", "ionq-forte-1"]
    for t in qv.targets():
        assert t.calibration is not None and t.calibration.source
        assert len(t.two_qubit_gates) >= 1


def test_ibm_heavy_hex_maps_match_ibm_numbering():
    eagle = get_target("ibm-eagle-r3")
    assert eagle.num_qubits == 127 and eagle.directed and len(eagle.edges) == 144
    assert eagle.undirected_edges() == eagle_r3_edges()
    assert degrees(eagle_r3_edges()) == {1: 2, 2: 89, 3: 36}
    assert eagle.connected(1, 0, either_way=False) and not eagle.connected(0, 1,
                                                                          either_way=False)
    assert eagle.connected(0, 1)
    heron = get_target("ibm-heron-r2")
    assert heron.num_qubits == 156 and not heron.directed
    assert len(heron_r2_edges()) == 176 and degrees(heron_r2_edges()) == {1: 8, 2: 100, 3: 48}
    fez_sample = [(0, 1), (3, 16), (16, 23), (7, 17), (17, 27), (21, 36), (36, 41),
                  (43, 56), (56, 63), (139, 155), (136, 143), (154, 155), (59, 75)]
    for a, b in fez_sample:
        assert heron.connected(a, b) and heron.connected(b, a)
    assert not heron.connected(15, 16) and not heron.connected(0, 2)
    assert len(heron_r1_edges()) == 150 and degrees(heron_r1_edges()) == {1: 5, 2: 89, 3: 39}


def test_ionq_targets_are_all_to_all_with_their_native_gates():
    aria, forte = get_target("ionq-aria-1"), get_target("ionq-forte-1")
    assert aria.all_to_all and aria.num_qubits == 25 and "ms" in aria.basis
    assert forte.all_to_all and forte.num_qubits == 36 and "zz" in forte.basis
    assert "ms" not in forte.basis  # Forte rejects MS (IonQ native gates guide)
    assert aria.connected(0, 24) and not aria.connected(0, 25)
    assert forte.calibration.readout_error is None  # not published: not a silent zero


def test_ionq_native_gate_identities():
    eq = np.allclose
    assert eq(GATES["gpi"].matrix(0.0), GATES["x"].matrix())
    assert eq(GATES["gpi"].matrix(0.25), GATES["y"].matrix())
    assert eq(GATES["gpi2"].matrix(0.0), GATES["rx"].matrix(math.pi / 2))
    assert eq(GATES["gpi2"].matrix(0.25), GATES["ry"].matrix(math.pi / 2))
    assert eq(GATES["ms"].matrix(0, 0, 0.25), GATES["rxx"].matrix(math.pi / 2))
    assert eq(GATES["zz"].matrix(0.25), GATES["rzz"].matrix(math.pi / 2))
    # MS(φ0, φ1) = (RZ(2πφ0) ⊗ RZ(2πφ1)) RXX(2πθ) (RZ(-2πφ0) ⊗ RZ(-2πφ1)), φ0 on qubit 0
    rng = np.random.default_rng(3)
    for _ in range(5):
        p0, p1, t = rng.uniform(-1, 1, 3)
        rz = lambda a, b: np.kron(GATES["rz"].matrix(b), GATES["rz"].matrix(a))  # noqa
        want = rz(2 * math.pi * p0, 2 * math.pi * p1) @ GATES["rxx"].matrix(2 * math.pi * t) \
            @ rz(-2 * math.pi * p0, -2 * math.pi * p1)
        assert eq(GATES["ms"].matrix(p0, p1, t), want)
        # the big-endian matrix of IonQ's documentation, entry (0, 3) and (1, 2)
        c, s = math.cos(math.pi * t), math.sin(math.pi * t)
        m = GATES["ms"].matrix(p0, p1, t)
        assert np.isclose(m[0, 3], -1j * s * np.exp(-2j * math.pi * (p0 + p1)))
        assert np.isclose(m[0, 0], c)


def test_json_round_trip(tmp_path):
    for t in qv.targets():
        path = tmp_path / f"{t.name}.json"
        t.to_json(path)
        back = get_target(str(path))
        assert back == t
        assert back.to_dict() == t.to_dict()


def test_user_target_in_python_and_json():
    t = Target("line-4", 4, ("cx", "rz", "sx", "x"), [(0, 1), (1, 2), (2, 3)],
               calibration=Calibration(1e-4, 1e-2, 2e-2, t1=100e-6, t2=80e-6))
    assert t.connected(2, 1) and not t.connected(0, 3)
    again = Target.from_json(t.to_json())
    assert again == t


@pytest.mark.parametrize("data, words", [
    ({"name": "a", "num_qubits": 2, "basis": ["cx", "frob"]}, "frob"),
    ({"name": "a", "num_qubits": 2, "basis": ["rz", "sx"]}, "no two-qubit gate"),
    ({"name": "a", "num_qubits": 0, "basis": ["cx"]}, "positive integer"),
    ({"name": "a", "num_qubits": 2, "basis": ["cx"], "edges": [[0, 2]]}, "edge"),
    ({"name": "a", "num_qubits": 2, "basis": ["cx"], "edges": [[1, 1]]}, "edge"),
    ({"name": "a", "num_qubits": 2, "basis": ["cx"], "colour": "red"}, "unknown fields"),
    ({"num_qubits": 2, "basis": ["cx"]}, "missing field 'name'"),
    ({"name": "a", "num_qubits": 2, "basis": ["cx"],
      "calibration": {"error_1q": 1.5, "error_2q": 0.01, "readout_error": 0.01}}, "[0, 1]"),
    ({"name": "a", "num_qubits": 2, "basis": ["cx"],
      "calibration": {"error_1q": 0.001, "error_2q": 0.01, "readout_error": 0.01,
                      "t1": 1e-4, "t2": 3e-4}}, "2 T1"),
    ({"name": "a", "num_qubits": 2, "basis": ["cx"],
      "calibration": {"error_1q": float("nan"), "error_2q": 0.01, "readout_error": 0.0}},
     "[0, 1]"),
])
def test_bad_targets_are_refused_with_the_reason(data, words):
    with pytest.raises(TargetError) as err:
        Target.from_dict(data)
    assert words in str(err.value)


def test_bad_json_and_unknown_names(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text('{"name": "a", "num_qubits": 2,')
    with pytest.raises(TargetError, match="not valid JSON"):
        get_target(str(bad))
    with pytest.raises(TargetError, match="unknown target 'ibm-osprey'"):
        get_target("ibm-osprey")
    with pytest.raises(TargetError, match="cannot read"):
        get_target(str(tmp_path / "missing.json"))


# -- IonQ JSON --------------------------------------------------------------------------------

from qvalley.targets.ionq_json import from_ionq_json, to_ionq_json  # noqa: E402


def _probs(c):
    return qv.probabilities(c)


def test_ionq_qis_round_trip():
    c = qv.Circuit(3).h(0).cx(0, 1).ccx(0, 1, 2).rzz(0.3, 0, 2).ry(0.4, 1).sdg(2).sx(1)
    c.rx(-math.pi / 2, 0).cz(1, 2).swap(0, 2).t(1).tdg(0).rxx(0.2, 1, 2)
    doc = to_ionq_json(c)
    assert doc["gateset"] == "qis" and doc["qubits"] == 3
    assert {"gate": "cnot", "control": 0, "target": 1} in doc["circuit"]
    assert {"gate": "x", "controls": [0, 1], "target": 2} in doc["circuit"]
    back = from_ionq_json(json.dumps({"input": doc, "shots": 100}))
    assert abs(abs(np.vdot(qv.statevector(back), qv.statevector(c))) - 1) < 1e-12


@pytest.mark.parametrize("target", ["ionq-aria-1", "ionq-forte-1"])
def test_ionq_native_round_trip_after_compiling(target):
    """The native JSON folds rz frames into the phases and drops the last ones: the
    probabilities of every outcome (what IonQ measures) are unchanged."""
    rng = np.random.default_rng(2)
    c = qv.Circuit(4)
    for _ in range(12):
        a, b = (int(q) for q in rng.choice(4, 2, replace=False))
        c.u(*rng.uniform(-3, 3, 3), a).cx(a, b).rz(rng.uniform(-3, 3), b)
    nat = qv.compile(c, target)
    small = qv.Circuit(4)
    for ins in nat.data:
        small.append(ins)
    doc = to_ionq_json(small)
    assert doc["gateset"] == "native"
    names = {g["gate"] for g in doc["circuit"]}
    assert names <= {"gpi", "gpi2", "ms", "zz"}
    for g in doc["circuit"]:
        for key in ("phase", "angle"):
            if key in g:
                assert -0.5 < g[key] <= 0.5
    back = from_ionq_json(doc)
    assert np.allclose(_probs(back), _probs(c), atol=1e-10)


@pytest.mark.parametrize("doc, words", [
    ('{"qubits": 2, "circuit": [{"gate": "frob", "target": 0}]}', "unknown QIS gate 'frob'"),
    ('{"qubits": 2, "circuit": [{"gate": "rx", "target": 0}]}', "'rotation'"),
    ('{"qubits": 2, "circuit": [{"gate": "h", "target": 5}]}', "circuit[0]"),
    ('{"qubits": 2, "gateset": "native", "circuit": [{"gate": "h", "target": 0}]}',
     "not a native gate"),
    ('{"qubits": 0, "circuit": []}', "positive integer"),
    ('{"qubits": 2, "circuit": [', "not valid JSON"),
    ('{"qubits": 2, "circuit": [{"gate": "rx", "target": 0, "rotation": "NaN"}]}',
     "circuit[0]"),
])
def test_bad_ionq_json_is_refused_with_the_place(doc, words):
    with pytest.raises(qv.CompileError) as err:
        from_ionq_json(doc)
    assert words in str(err.value)


def test_ionq_json_refuses_what_it_cannot_say():
    c = qv.Circuit(2, 2).h(0).measure(0, 0).x(0)
    with pytest.raises(qv.CompileError, match="after their measurement"):
        to_ionq_json(c)
    c = qv.Circuit(2, 1).h(0).reset(0)
    with pytest.raises(qv.CompileError, match="OpenQASM 3"):
        to_ionq_json(c)
    with pytest.raises(qv.CompileError, match="no IonQ QIS spelling"):
        to_ionq_json(qv.Circuit(2).iswap(0, 1))
