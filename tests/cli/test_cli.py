"""The ``qvalley`` command, run in-process through ``main(argv)``.

Every bad input must give one line on stderr and exit status 2, never a traceback; the
outputs must be usable (JSON that parses, counts that add up, reproducible seeds).
"""
from __future__ import annotations

import io
import json
import math
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import qvalley as qv
from qvalley import cli
from qvalley.viz import draw_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GHZ = str(EXAMPLES / "ghz.qasm")
TELEPORT = str(EXAMPLES / "teleport.qasm")

HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def call(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status: int, out: str, err: str) -> None:
    assert status == 2, (status, out, err)
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert out == ""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- help and version -------------------------------------------------------------------------

def test_help_lists_the_commands(capsys):
    status, out, err = call(capsys, "--help")
    assert status == 0 and err == ""
    for command in ("run", "statevector", "draw", "info"):
        assert command in out
    assert "exit status" in out


@pytest.mark.parametrize("command", ["run", "statevector", "draw", "info"])
def test_command_help(capsys, command):
    status, out, _ = call(capsys, command, "--help")
    assert status == 0 and "FILE" in out


def test_version(capsys):
    status, out, _ = call(capsys, "--version")
    assert status == 0 and out.strip() == f"qvalley {qv.__version__}"


# -- run ----------------------------------------------------------------------------------------

def test_run_json_counts(capsys):
    status, out, err = call(capsys, "run", GHZ, "--shots", 500, "--seed", 11, "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert sum(data["counts"].values()) == data["shots"] == 500
    assert set(data["counts"]) <= {"000", "111"}
    assert data["seed"] == 11 and data["backend"] == "statevector"
    assert data["num_qubits"] == 3 and data["num_clbits"] == 3
    assert "memory" not in data


def test_run_default_shots_is_1024(capsys):
    status, out, _ = call(capsys, "run", GHZ, "--json")
    assert status == 0 and json.loads(out)["shots"] == 1024


def test_run_seed_reproducible(capsys):
    first = json.loads(call(capsys, "run", TELEPORT, "--seed", 5, "--json")[1])
    second = json.loads(call(capsys, "run", TELEPORT, "--seed", 5, "--json")[1])
    assert first["counts"] == second["counts"]


def test_run_random_seed_is_reported_and_repeats(capsys):
    status, out, _ = call(capsys, "run", GHZ, "--shots", 200)
    assert status == 0
    header = out.splitlines()[0]
    assert "(random; --seed " in header
    seed = int(header.split("--seed ")[1].split()[0])
    again = json.loads(call(capsys, "run", GHZ, "--shots", 200, "--seed", seed, "--json")[1])
    table = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()[3:]}
    assert table == again["counts"]


def test_run_memory(capsys):
    status, out, _ = call(capsys, "run", GHZ, "--shots", 50, "--seed", 2, "--json",
                          "--memory")
    data = json.loads(out)
    assert status == 0 and len(data["memory"]) == 50
    assert Counter(data["memory"]) == data["counts"]


def test_run_table(capsys):
    status, out, err = call(capsys, "run", GHZ, "--shots", 1000, "--seed", 7)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert "1000 shots" in lines[0] and "seed 7" in lines[0]
    assert "backend statevector" in lines[0] and " ms" in lines[0]
    assert "sorted by bit string" in lines[1]
    assert "meas[2] meas[1] meas[0]" in lines[1] or "c[2] c[1] c[0]" in lines[1]
    assert lines[2].split() == ["outcome", "count", "probability"]
    rows = [line.split() for line in lines[3:]]
    assert [r[0] for r in rows] == ["000", "111"]
    assert sum(int(r[1]) for r in rows) == 1000
    assert math.isclose(sum(float(r[2]) for r in rows), 1.0, abs_tol=1e-3)


def test_run_sort_by_count(capsys, tmp_path):
    path = write(tmp_path, "skew.qasm", HEADER + "qreg q[2];\ncreg c[2];\nry(0.7) q[0];\n"
                 "h q[1];\nmeasure q -> c;\n")
    status, out, _ = call(capsys, "run", path, "--seed", 3, "--sort", "count")
    assert status == 0
    lines = out.splitlines()
    assert "sorted by count" in lines[1]
    counts = [int(line.split()[1]) for line in lines[3:]]
    assert counts == sorted(counts, reverse=True) and len(counts) == 4


def test_run_long_table_is_cut_unless_all(capsys, tmp_path):
    path = write(tmp_path, "wide.qasm", HEADER + "qreg q[8];\ncreg c[8];\nh q;\n"
                 "measure q -> c;\n")
    status, out, _ = call(capsys, "run", path, "--shots", 4000, "--seed", 1)
    assert status == 0
    assert len(out.splitlines()) == 3 + cli.MAX_LINES + 1
    assert "--all" in out.splitlines()[-1]
    status, out, _ = call(capsys, "run", path, "--shots", 4000, "--seed", 1, "--all")
    assert len(out.splitlines()) == 3 + 256


@pytest.mark.parametrize("name, expected", [("grover2.qasm", {"11"}),
                                            ("adder.qasm", {"10000"}),
                                            ("bell.qasm", {"00", "11"})])
def test_examples_give_their_documented_answer(capsys, name, expected):
    status, out, _ = call(capsys, "run", EXAMPLES / name, "--shots", 300, "--seed", 4,
                          "--json")
    assert status == 0 and set(json.loads(out)["counts"]) == expected


def test_teleport_example(capsys):
    status, out, _ = call(capsys, "run", TELEPORT, "--shots", 2000, "--seed", 9, "--json")
    counts = json.loads(out)["counts"]
    assert status == 0 and sum(counts.values()) == 2000
    assert all(key[0] == "0" for key in counts)        # c2 (highest bit) always 0
    assert len(counts) == 4                             # c0, c1 uniformly random


def test_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO((EXAMPLES / "ghz.qasm").read_text()))
    status, out, _ = call(capsys, "run", "-", "--shots", 64, "--seed", 1, "--json")
    assert status == 0 and set(json.loads(out)["counts"]) <= {"000", "111"}


# -- statevector --------------------------------------------------------------------------------

def test_statevector_text(capsys):
    status, out, err = call(capsys, "statevector", EXAMPLES / "bell.qasm")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert "2 of 4 amplitudes" in lines[0] and "q[1]...q[0]" in lines[0]
    assert lines[2].split() == ["|00>", "+0.707107+0.000000j", "0.500000"]
    assert lines[3].split() == ["|11>", "+0.707107+0.000000j", "0.500000"]


def test_statevector_ket_is_little_endian(capsys, tmp_path):
    path = write(tmp_path, "x0.qasm", HEADER + "qreg q[3];\nx q[0];\n")
    status, out, _ = call(capsys, "statevector", path)
    assert status == 0 and out.splitlines()[2].split()[0] == "|001>"


def test_statevector_json(capsys):
    status, out, _ = call(capsys, "statevector", EXAMPLES / "qft4.qasm", "--json")
    data = json.loads(out)
    assert status == 0 and data["num_qubits"] == 4 and len(data["amplitudes"]) == 16
    for real, imag in data["amplitudes"].values():
        assert math.isclose(math.hypot(real, imag), 0.25, abs_tol=1e-12)
    assert data["truncated"] is False


def test_statevector_out(capsys, tmp_path):
    target = tmp_path / "psi.npy"
    status, out, _ = call(capsys, "statevector", EXAMPLES / "qft4.qasm", "--out", target)
    assert status == 0 and str(target) in out
    psi = np.load(target)
    expected = qv.statevector(qv.load_qasm(EXAMPLES / "qft4.qasm"))
    np.testing.assert_allclose(psi, expected, atol=1e-12)


def test_statevector_long_listing_needs_all(capsys, tmp_path):
    path = write(tmp_path, "h7.qasm", HEADER + "qreg q[7];\nh q;\n")
    status, out, _ = call(capsys, "statevector", path)
    lines = out.splitlines()
    assert status == 0 and len(lines) == 2 + cli.MAX_LINES + 1
    assert "--all" in lines[-1] and "64 more" in lines[-1]
    status, out, _ = call(capsys, "statevector", path, "--all")
    assert len(out.splitlines()) == 2 + 128


def test_statevector_mid_circuit_needs_seed(capsys):
    status, out, err = call(capsys, "statevector", TELEPORT)
    assert_one_line_error(status, out, err)
    assert "seed" in err
    status, out, _ = call(capsys, "statevector", TELEPORT, "--seed", 1)
    assert status == 0


# -- draw and info ------------------------------------------------------------------------------

def test_draw(capsys):
    status, out, err = call(capsys, "draw", TELEPORT)
    assert status == 0 and err == ""
    assert out == draw_text(qv.load_qasm(TELEPORT), fold=80) + "\n"
    assert "if c1==1" in out and "M" in out


def test_draw_ascii_and_fold(capsys):
    status, out, _ = call(capsys, "draw", TELEPORT, "--ascii", "--fold", -1)
    assert status == 0
    out.encode("ascii")
    assert ">" not in out.replace("->", "")
    status, out, _ = call(capsys, "draw", TELEPORT, "--fold", 40)
    assert max(len(line) for line in out.splitlines()) <= 40


def test_info(capsys):
    status, out, _ = call(capsys, "info", TELEPORT)
    assert status == 0
    assert "mid-circuit measurement: yes" in out
    status, out, _ = call(capsys, "info", GHZ, "--json")
    data = json.loads(out)
    assert data["num_qubits"] == 3 and data["num_clbits"] == 3
    assert data["count_ops"]["cx"] == 2 and data["count_ops"]["measure"] == 3
    assert data["depth"] == 4 and data["mid_circuit_measurement"] is False
    assert data["num_parameters"] == 0


def test_info_of_the_adder_names_registers(capsys):
    status, out, _ = call(capsys, "info", EXAMPLES / "adder.qasm", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["qregs"] == {"cin": 1, "a": 4, "b": 4, "cout": 1}
    assert data["cregs"] == {"ans": 5}


# -- bad input: one line, exit 2 ----------------------------------------------------------------

def test_bad_example_message(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    status, out, err = call(capsys, "run", "examples/bad.qasm")
    assert_one_line_error(status, out, err)
    # the reader may add hints after the message ("; did you mean ...")
    assert err.startswith("examples/bad.qasm:3:12: unknown gate 'cs'")


BAD_FILES = {
    "syntax": HEADER + "qreg q[2]\nh q[0];\n",
    "unknown_gate": HEADER + "qreg q[1];\nfoo q[0];\n",
    "undeclared_register": HEADER + "qreg q[1];\nh r[0];\n",
    "not_qasm": "print('hello')\n",
    "empty": "",
    "too_many_qubits": HEADER + "qreg q[60];\ncreg c[60];\nh q;\nt q[0];\n"
                       "measure q -> c;\n",
    "opaque": HEADER + "opaque magic a;\nqreg q[1];\ncreg c[1];\nmagic q[0];\n"
                       "measure q[0] -> c[0];\n",
    "no_measurement": HEADER + "qreg q[1];\nh q[0];\n",
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files(capsys, tmp_path, case):
    path = write(tmp_path, f"{case}.qasm", BAD_FILES[case])
    status, out, err = call(capsys, "run", path)
    assert_one_line_error(status, out, err)


def test_wide_clifford_file_runs_on_the_stabilizer(capsys, tmp_path):
    """The same 60-qubit file with no T gate is Clifford: auto runs it on the stabilizer,
    says so, and every shot is a GHZ outcome; a T under --backend stabilizer is refused."""
    ghz = HEADER + "qreg q[60];\ncreg c[60];\nh q[0];\n" + "".join(
        f"cx q[{i}],q[{i + 1}];\n" for i in range(59)) + "measure q -> c;\n"
    path = write(tmp_path, "ghz60.qasm", ghz)
    status, out, err = call(capsys, "run", path, "--shots", "200", "--seed", "3", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["backend"] == "stabilizer"
    assert set(data["counts"]) == {"0" * 60, "1" * 60}
    path = write(tmp_path, "ghz60t.qasm", ghz.replace("h q[0];", "h q[0];\nt q[5];"))
    status, out, err = call(capsys, "run", path, "--backend", "stabilizer")
    assert_one_line_error(status, out, err)
    assert "gate t" in err and "position" in err, err


def test_twirl_runs_device_noise_on_the_stabilizer(capsys, tmp_path):
    ghz = HEADER + "qreg q[60];\ncreg c[60];\nh q[0];\n" + "".join(
        f"cx q[{i}],q[{i + 1}];\n" for i in range(59)) + "measure q -> c;\n"
    path = write(tmp_path, "ghz60.qasm", ghz)
    status, out, err = call(capsys, "run", path, "--noise", "ibm-heron-r2")
    assert_one_line_error(status, out, err)
    assert "--twirl" in err, err
    status, out, err = call(capsys, "run", path, "--noise", "ibm-heron-r2", "--twirl",
                            "--shots", "300", "--seed", "1", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["backend"] == "stabilizer" and sum(data["counts"].values()) == 300
    status, out, err = call(capsys, "run", path, "--twirl")
    assert status == 2 and "--twirl needs --noise" in err


def test_syntax_error_names_file_line_and_column(capsys, tmp_path):
    path = write(tmp_path, "syntax.qasm", BAD_FILES["syntax"])
    status, out, err = call(capsys, "run", path)
    assert_one_line_error(status, out, err)
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: .*expected", err), err


def test_statevector_too_many_qubits(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", "1M")
    path = write(tmp_path, "h20.qasm", HEADER + "qreg q[20];\nh q;\n")
    status, out, err = call(capsys, "statevector", path)
    assert_one_line_error(status, out, err)
    assert "20 qubits" in err


def test_missing_file(capsys, tmp_path):
    missing = tmp_path / "nope.qasm"
    for command in ("run", "statevector", "draw", "info"):
        status, out, err = call(capsys, command, missing)
        assert_one_line_error(status, out, err)
        assert "nope.qasm" in err and "no such file" in err


def test_directory(capsys, tmp_path):
    assert_one_line_error(*call(capsys, "run", tmp_path))


def test_not_utf8(capsys, tmp_path):
    path = tmp_path / "binary.qasm"
    path.write_bytes(b"OPENQASM 2.0;\n\xff\xfe\x00\x81 garbage\n")
    assert_one_line_error(*call(capsys, "info", path))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read any file")
def test_unreadable_file(capsys, tmp_path):
    path = write(tmp_path, "secret.qasm", (EXAMPLES / "ghz.qasm").read_text())
    path.chmod(0)
    try:
        status, out, err = call(capsys, "run", path)
    finally:
        path.chmod(0o644)
    assert_one_line_error(status, out, err)
    assert "ermission" in err


def test_permission_denied(capsys, monkeypatch):
    """Also checked where the tests run as root (who can read a chmod 000 file)."""
    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(cli, "open", denied, raising=False)
    status, out, err = call(capsys, "run", GHZ)
    assert_one_line_error(status, out, err)
    assert err == f"error: {GHZ}: Permission denied\n"


def test_import_qvalley_stays_light():
    """The command's imports (argparse, json) are paid only by the command."""
    import subprocess
    import sys
    code = ("import sys, qvalley; print(sorted(m for m in ('argparse', 'json', 'qvalley.cli') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("argv", [
    ["run", GHZ, "--shots", "0"],
    ["run", GHZ, "--shots", "-5"],
    ["run", GHZ, "--shots", "abc"],
    ["run", GHZ, "--shots", "1.5"],
    ["run", GHZ, "--seed", "-1"],
    ["run", GHZ, "--seed", "abc"],
    ["run", GHZ, "--memory"],
    ["run", GHZ, "--sort", "size"],
    ["run"],
    ["draw", GHZ, "--fold", "0"],
    ["draw", GHZ, "--fold", "wide"],
    ["statevector", GHZ, "--tol", "-1"],
    ["frobnicate", GHZ],
    ["run", GHZ, "--no-such-option"],
    [],
])
def test_bad_usage(capsys, argv):
    status, out, err = call(capsys, *argv)
    assert_one_line_error(status, out, err)
    assert "error" in err


def test_huge_shot_count_is_a_resource_error(capsys):
    status, out, err = call(capsys, "run", GHZ, "--shots", 10 ** 15)
    assert_one_line_error(status, out, err)
    assert "shots" in err


def test_unwritable_out(capsys, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "psi.npy"
    assert_one_line_error(*call(capsys, "statevector", GHZ, "--out", target))


# -- failures that are not the user's -----------------------------------------------------------

def test_internal_error_is_one_line_with_exit_1(capsys, monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("oops")
    monkeypatch.setattr(qv, "run", boom)
    status, out, err = call(capsys, "run", GHZ)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "internal error" in err and "ZeroDivisionError" in err and "report" in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "run", GHZ])
    with pytest.raises(ZeroDivisionError):
        cli.main(["run", GHZ, "--debug"])


def test_keyboard_interrupt_exits_130_quietly(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(qv, "run", interrupted)
    status, out, err = call(capsys, "run", GHZ)
    assert status == 130 and out == "" and err == ""


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


def test_broken_pipe_is_quiet(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    status = cli.main(["statevector", GHZ])
    monkeypatch.undo()
    _, err = capsys.readouterr()
    assert status == cli.EXIT_BROKEN_PIPE and err == ""


def test_statevector_explain_precision_threads(capsys, tmp_path):
    status, out, err = call(capsys, "statevector", GHZ, "--explain", "--precision", "single",
                            "--threads", "1", "--out", tmp_path / "s.npy")
    assert status == 0
    assert "passes over memory" in err and "complex64" in err
    psi = np.load(tmp_path / "s.npy")
    assert psi.dtype == np.complex64
    np.testing.assert_allclose(np.abs(psi[[0, 7]]) ** 2, [0.5, 0.5], atol=1e-6)
    status, out, err = call(capsys, "statevector", GHZ, "--threads", "0")
    assert_one_line_error(status, out, err)
    status, out, err = call(capsys, "statevector", GHZ, "--precision", "half")
    assert status == 2 and "precision" in err
