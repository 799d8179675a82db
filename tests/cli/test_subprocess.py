"""The command as users start it: ``python -m qvalley`` and the ``qvalley`` script, in a
separate process (exit codes, stderr, pipes)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*argv, cwd=ROOT, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qvalley", *map(str, argv)], cwd=cwd,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_python_dash_m_run_ghz():
    proc = run("run", "examples/ghz.qasm", "--shots", 100, "--seed", 1, "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert sum(data["counts"].values()) == 100
    assert set(data["counts"]) <= {"000", "111"}
    again = run("run", "examples/ghz.qasm", "--shots", 100, "--seed", 1, "--json")
    assert json.loads(again.stdout)["counts"] == data["counts"]


def test_python_dash_m_table():
    proc = run("run", "examples/ghz.qasm", "--shots", 100, "--seed", 1)
    assert proc.returncode == 0 and "100 shots" in proc.stdout


def test_bad_file_message_and_status():
    proc = run("run", "examples/bad.qasm")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("examples/bad.qasm:3:12: unknown gate 'cs'")
    assert proc.stderr.count("\n") == 1 and proc.stderr.endswith("\n")


@pytest.mark.parametrize("argv", [["run", "examples/missing.qasm"],
                                  ["run", "examples/ghz.qasm", "--shots", "0"],
                                  ["run", "examples/ghz.qasm", "--seed", "x"],
                                  ["draw", "examples"]])
def test_bad_input_in_a_process(argv):
    proc = run(*argv)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_stdin_dash():
    text = (ROOT / "examples" / "bell.qasm").read_text()
    proc = run("run", "-", "--shots", 10, "--seed", 3, "--json", input=text)
    assert proc.returncode == 0 and set(json.loads(proc.stdout)["counts"]) <= {"00", "11"}


def test_closed_pipe_does_not_traceback(tmp_path):
    path = tmp_path / "h12.qasm"
    path.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[12];\nh q;\n')
    proc = subprocess.Popen([sys.executable, "-m", "qvalley", "statevector", str(path),
                             "--all"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    proc.stdout.close()                 # like `| head -1`
    err = proc.stderr.read()
    proc.stderr.close()
    status = proc.wait(timeout=120)
    assert first.startswith(str(path))
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert status in (0, 141)


def test_ascii_only_terminal_gets_an_ascii_drawing():
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    proc = run("draw", "examples/teleport.qasm", env=env)
    assert proc.returncode == 0, proc.stderr
    proc.stdout.encode("ascii")
    proc = run("run", "examples/ghz.qasm", "--seed", 1, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "#" in proc.stdout


@pytest.mark.skipif(shutil.which("qvalley") is None, reason="console script not on PATH")
def test_console_script():
    exe = shutil.which("qvalley")
    proc = subprocess.run([exe, "run", "examples/ghz.qasm", "--shots", "100", "--seed", "1",
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sum(json.loads(proc.stdout)["counts"].values()) == 100
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("qvalley ")
