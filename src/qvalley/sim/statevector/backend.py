"""Which engine runs a circuit, and on how many threads.

Small states run on the numpy kernels (no numba import, so a small run starts fast);
from ``PLAN_MIN_QUBITS`` up, gate-only programs run through the planner and the numba
passes. ``QVALLEY_ENGINE=numpy`` or ``=numba`` forces one (tests use this to run the same
circuits through both); ``QVALLEY_NUM_THREADS`` sets the default thread count.
"""
from __future__ import annotations

import numbers
import os

from ...errors import BackendError

PLAN_MIN_QUBITS = 12

_numba_ok: bool | None = None


def numba_available() -> bool:
    global _numba_ok
    if _numba_ok is None:
        try:
            import numba  # noqa: F401
            _numba_ok = True
        except ImportError:
            _numba_ok = False
    return _numba_ok


def use_planner(num_qubits: int, explain: bool = False) -> bool:
    """Whether a gate-only program on ``num_qubits`` runs on the numba passes."""
    forced = os.environ.get("QVALLEY_ENGINE", "").strip().lower()
    if forced == "numpy":
        return False
    if forced not in ("", "auto", "numba"):
        raise BackendError(f"QVALLEY_ENGINE={forced!r}: use numpy, numba or auto")
    wanted = forced == "numba" or explain or num_qubits >= PLAN_MIN_QUBITS
    if wanted and not numba_available():  # checked only when wanted: importing costs
        if forced == "numba":
            raise BackendError("QVALLEY_ENGINE=numba but numba is not installed; "
                               "pip install numba")
        return False
    return wanted


def thread_count(threads: int | None = None) -> int:
    """``threads`` if given, else ``QVALLEY_NUM_THREADS``, else every core."""
    if threads is None:
        env = os.environ.get("QVALLEY_NUM_THREADS", "").strip()
        if env:
            try:
                threads = int(env)
            except ValueError:
                raise BackendError(f"QVALLEY_NUM_THREADS={env!r} is not a whole number") \
                    from None
        else:
            try:
                return len(os.sched_getaffinity(0))
            except AttributeError:  # pragma: no cover - not Linux
                return os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or threads < 1:
        raise BackendError(f"threads must be a positive int, got {threads!r}")
    return int(threads)
