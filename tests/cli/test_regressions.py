"""Regressions of the ``qvalley`` command found by trying it the way users do.

Each test failed before its fix; the comment above it says what went wrong.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qvalley import cli

ROOT = Path(__file__).resolve().parents[2]
HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
BELL = HEADER + "qreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\nmeasure q -> c;\n"


def call(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status: int, out: str, err: str) -> None:
    assert status == 2, (status, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert out == ""


def stdin_bytes(monkeypatch, data: bytes) -> None:
    """Standard input as the interpreter gives it: text over a byte buffer."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8",
                                                      errors="surrogateescape"))


# -- standard input is bytes --------------------------------------------------------------------
# Standard input was read as text and the program text given a final newline: a UTF-16 program
# (Windows PowerShell's `>`) failed with "unexpected character '\udcff'", a Latin-1 byte in a
# comment was accepted on stdin but refused in a file, and an empty input was reported on
# line 2. Standard input now goes through the same decoding as a file.

def test_stdin_in_utf16_with_a_byte_order_mark(capsys, monkeypatch):
    stdin_bytes(monkeypatch, BELL.encode("utf-16"))
    status, out, err = call(capsys, "run", "-", "--shots", 50, "--seed", 1, "--json")
    assert status == 0, err
    assert set(json.loads(out)["counts"]) <= {"00", "11"}


def test_stdin_that_is_not_utf8_gives_a_position(capsys, monkeypatch):
    stdin_bytes(monkeypatch, (BELL + "// caf\xe9\n").encode("latin-1"))
    status, out, err = call(capsys, "info", "-")
    assert_one_line_error(status, out, err)
    assert err.startswith("<stdin>:8:7: not UTF-8 text: byte 0xe9")


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"], ids=["empty", "blank"])
def test_empty_stdin_is_an_empty_program_on_its_last_line(capsys, monkeypatch, data):
    stdin_bytes(monkeypatch, data)
    status, out, err = call(capsys, "info", "-")
    assert_one_line_error(status, out, err)
    line = data.count(b"\n") + 1
    assert err.startswith(f"<stdin>:{line}:") and "found an empty program" in err


def test_stdin_as_a_text_stream_still_works(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(BELL))
    status, out, _ = call(capsys, "info", "-", "--json")
    assert status == 0 and json.loads(out)["num_qubits"] == 2


# -- closed standard streams ---------------------------------------------------------------------
# With standard output closed (`qvalley run f.qasm >&-`) Python sets sys.stdout to None, and
# the command reported an internal error (AttributeError: 'NoneType' object has no attribute
# 'write'), exit 1, asking for a bug report.

def test_closed_stdout_is_an_error_not_a_bug(capsys, monkeypatch, tmp_path):
    path = tmp_path / "bell.qasm"
    path.write_text(BELL)
    monkeypatch.setattr("sys.stdout", None)
    status = cli.main(["run", str(path), "--seed", "1"])
    _, err = capsys.readouterr()
    assert status == 2
    assert err == "qvalley: error: standard output is closed; nothing can be printed\n"


def test_closed_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", None)
    assert_one_line_error(*call(capsys, "run", "-"))


@pytest.mark.skipif(os.name != "posix", reason="closes a file descriptor in the child")
def test_closed_stdout_in_a_process(tmp_path):
    path = tmp_path / "bell.qasm"
    path.write_text(BELL)
    proc = subprocess.run([sys.executable, "-m", "qvalley", "info", str(path)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120, cwd=ROOT, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert proc.stderr.count("\n") == 1


# -- files that are pipes ----------------------------------------------------------------------
# `qvalley run <(generate_circuit)` and named pipes failed with "cannot open '/dev/fd/63':
# no such file" (the reader took only regular files), and the command's permission check
# opened and closed the pipe first, which would have lost its data.

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe(capsys, tmp_path):
    fifo = tmp_path / "circuit.qasm"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as pipe:
            pipe.write(BELL)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    status, out, err = call(capsys, "run", fifo, "--shots", 20, "--seed", 2, "--json")
    writer.join(timeout=30)
    assert status == 0, err
    assert sum(json.loads(out)["counts"].values()) == 20


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_file_is_refused_without_reading_it(capsys):
    status, out, err = call(capsys, "info", "/dev/zero")
    assert_one_line_error(status, out, err)
    assert "not a regular file" in err


# -- small probabilities ---------------------------------------------------------------------
# Listed amplitudes (above the 1e-10 tolerance) and observed outcomes printed a probability
# of 0.000000 / 0.0000 when it was below the last printed digit, so a 25-qubit uniform state
# read as a list of impossible outcomes.

def test_small_probabilities_are_not_printed_as_zero(capsys, tmp_path):
    path = tmp_path / "h12.qasm"
    path.write_text(HEADER + "qreg q[12];\nh q;\n")
    status, out, _ = call(capsys, "statevector", path)
    assert status == 0
    row = out.splitlines()[2].split()
    assert row[0] == "|000000000000>" and float(row[2]) == pytest.approx(2 ** -12, rel=1e-3)
    assert row[2] != "0.000000"
    path = tmp_path / "skew.qasm"
    path.write_text(HEADER + "qreg q[1];\ncreg c[1];\nry(0.02) q[0];\nmeasure q -> c;\n")
    status, out, _ = call(capsys, "run", path, "--shots", 200_000, "--seed", 5)
    rows = {line.split()[0]: line.split() for line in out.splitlines()[3:]}
    assert int(rows["1"][1]) > 0 and float(rows["1"][2]) == pytest.approx(
        int(rows["1"][1]) / 200_000, rel=1e-2)


def test_ordinary_probabilities_keep_their_format(capsys, tmp_path):
    path = tmp_path / "bell.qasm"
    path.write_text(BELL)
    status, out, _ = call(capsys, "statevector", path)
    assert out.splitlines()[2].split()[2] == "0.500000"
    status, out, _ = call(capsys, "run", path, "--shots", 1000, "--seed", 1)
    assert all(len(line.split()[2]) == 6 for line in out.splitlines()[3:])
