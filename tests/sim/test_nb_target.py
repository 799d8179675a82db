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
