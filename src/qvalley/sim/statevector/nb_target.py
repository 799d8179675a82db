"""How numba compiles qvalley's kernels for this CPU: full-width vectors where they pay.

LLVM tunes every recent Intel CPU with AVX-512 to *prefer* 256-bit vectors (the
``prefer-256-bit`` tuning flag), a choice made for code that mixes a few vector loops into
scalar work and must not pay the older chips' frequency drop. qvalley's kernels are long
multiply-add loops that are compute bound in cache, and on 512-bit registers they also
keep a 4x4 complex matrix (32 reals) in registers instead of reloading it. Measured here
(Xeon, AVX-512, 2 threads, median of 11): 2**20 amplitudes complex64, quantum volume
44.4 -> 37.8 ms, layered rotations 43.0 -> 37.4 ms; 2**22 complex128, 450 -> 344 ms and
411 -> 280 ms; QFT 71 -> 63 ms.

So, before numba compiles anything, :func:`configure` asks for the host's own features
with that tuning flag removed, when the CPU has AVX-512 and is not one of the first
AVX-512 generations (Skylake-SP, Cascade Lake, Cooper Lake, whose frequency drop is
large). It does nothing when the user already chose (``NUMBA_CPU_NAME`` or
``NUMBA_CPU_FEATURES``), when ``QVALLEY_VECTOR_BITS=256`` asks for LLVM's default, or
when numba's CPU target was already set up by other code in the process (the kernels then
compile with the default: same results, a little slower). The choice changes the
machine code only, never the arithmetic: the kernels' floating-point rules are their own
(``fastmath={'contract'}``), and numba's disk cache keys compiled code by CPU features.
"""
from __future__ import annotations

import os

EARLY_AVX512 = frozenset({"skylake-avx512", "cascadelake", "cooperlake", "knl", "knm"})
_chosen: str | None = None


def configure() -> str:
    """Choose the vector width once per process; returns what was chosen, in words."""
    global _chosen
    if _chosen is not None:
        return _chosen
    _chosen = _choose()
    return _chosen


def _choose() -> str:
    wanted = os.environ.get("QVALLEY_VECTOR_BITS", "").strip()
    if wanted not in ("", "auto", "256", "512"):
        from ...errors import BackendError
        raise BackendError(f"QVALLEY_VECTOR_BITS={wanted!r}: use 256, 512 or auto")
    if wanted == "256":
        return "LLVM default (QVALLEY_VECTOR_BITS=256)"
    if os.environ.get("NUMBA_CPU_NAME") or os.environ.get("NUMBA_CPU_FEATURES"):
        return "as NUMBA_CPU_NAME / NUMBA_CPU_FEATURES say"
    import llvmlite.binding as ll
    from numba.core import config, registry

    if config.CPU_FEATURES is not None or config.CPU_NAME is not None:
        return "as numba's configuration says"
    if "_toplevel_target_context" in vars(registry.cpu_target):
        return "LLVM default (numba was set up before qvalley)"
    features = ll.get_host_cpu_features()
    if not features.get("avx512f"):
        return "LLVM default (no AVX-512)"
    if ll.get_host_cpu_name() in EARLY_AVX512 and wanted != "512":
        return "LLVM default (early AVX-512 CPU; QVALLEY_VECTOR_BITS=512 to override)"
    config.CPU_FEATURES = features.flatten() + ",-prefer-256-bit"
    return "512-bit vectors (AVX-512)"
