"""``qvalley compile``, ``compare`` and ``targets``: outputs that read back, errors in one
line."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import qvalley as qv
from qvalley import cli
from qvalley.targets.ionq_json import from_ionq_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ADDER = str(EXAMPLES / "adder.qasm")
BELL = str(EXAMPLES / "bell.qasm")


def call(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_compile_to_ionq_json_reads_back(capsys, tmp_path):
    out = tmp_path / "adder.json"
    status, text, err = call(capsys, "compile", ADDER, "--target", "ionq-forte-1",
                             "--out", out)
    assert status == 0 and "written to" in text
    doc = json.loads(out.read_text())
    assert doc["gateset"] == "native" and {g["gate"] for g in doc["circuit"]} <= \
        {"gpi", "gpi2", "zz"}
    src = qv.load_qasm(ADDER)
    back = from_ionq_json(doc)
    assert np.allclose(qv.probabilities(back), qv.probabilities(src), atol=1e-9)


def test_compile_to_qasm_for_ibm(capsys):
    for fmt in ("qasm3", "qasm2"):
        status, text, err = call(capsys, "compile", BELL, "--target", "ibm-heron-r2",
                                 "--format", fmt, "--level", "3")
        assert status == 0, err
        assert "compiled for ibm-heron-r2 at level 3" in err
        assert text.startswith("OPENQASM")
        if fmt == "qasm2":  # (the OpenQASM 3 reader is issue 7's)
            c = qv.load_qasm(text)
            assert c.num_qubits == 156
            assert set(c.count_ops()) <= {"cz", "rz", "sx", "x", "rzz", "rx", "measure",
                                          "barrier"}


def test_compare_prints_every_target(capsys):
    status, text, err = call(capsys, "compare", BELL)
    assert status == 0, err
    for name in ("ibm-eagle-r3", "ibm-heron-r2", "ionq-aria-1", "ionq-forte-1"):
        assert name in text
    status, text, err = call(capsys, "compare", BELL, "--targets", "ionq-aria-1", "--json")
    rows = json.loads(text)
    assert rows[0]["target"] == "ionq-aria-1" and rows[0]["two_qubit"] == 1
    assert 0 < rows[0]["success"] < 1


def test_targets_lists_presets(capsys):
    status, text, _ = call(capsys, "targets")
    assert status == 0 and "ibm-heron-r2" in text and "156 qubits" in text


def test_compile_errors_are_one_line(capsys, tmp_path):
    for argv in (["compile", BELL, "--target", "nowhere"],
                 ["compile", BELL, "--target", str(tmp_path / "missing.json")],
                 ["compare", BELL, "--targets", ","]):
        status, out, err = call(capsys, *argv)
        assert status == 2 and "Traceback" not in err and err.count("\n") == 1, err
    big = tmp_path / "big.qasm"
    big.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[30];\nh q[0];\n')
    status, out, err = call(capsys, "compile", big, "--target", "ionq-aria-1")
    assert status == 2 and "30 qubits but ionq-aria-1 has 25" in err
