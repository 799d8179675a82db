"""The vector-width choice made before numba compiles qvalley's kernels."""
import pytest

from qvalley.errors import BackendError
from qvalley.sim.statevector import nb_target


def test_bad_setting_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv("QVALLEY_VECTOR_BITS", "wide")
    with pytest.raises(BackendError, match="use 256, 512 or auto"):
        nb_target._choose()


def test_256_keeps_llvm_default(monkeypatch):
    monkeypatch.setenv("QVALLEY_VECTOR_BITS", "256")
    assert "default" in nb_target._choose()


def test_user_numba_settings_win(monkeypatch):
    monkeypatch.delenv("QVALLEY_VECTOR_BITS", raising=False)
    monkeypatch.setenv("NUMBA_CPU_FEATURES", "+avx2")
    assert "NUMBA_CPU" in nb_target._choose()


def test_choice_is_made_once_and_named():
    first = nb_target.configure()
    assert first == nb_target.configure()
    assert isinstance(first, str) and first


def test_compiling_first_does_not_lose_the_choice():
    """The compiler's numba routing loop is qvalley's too: the vector width is chosen
    before it compiles, so a later simulation in the same process still gets it."""
    import subprocess
    import sys
    code = ("import qvalley as qv\n"
            "qv.compile(qv.Circuit(3).h(0).cx(0, 2).cx(1, 2), 'ibm-heron-r2', seed=1)\n"
            "from qvalley.sim.statevector import nb_target\n"
            "print(nb_target.configure())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True).stdout
    assert "set up before" not in out and out.strip()
