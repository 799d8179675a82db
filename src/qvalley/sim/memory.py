"""Memory checks made before a simulator allocates its state.

A refusal is a :class:`~qvalley.ResourceError` that says how much is needed, how much is
there and what to do instead, rather than a crash or an out-of-memory kill.
The budget is the memory available now (``MemAvailable``); set ``QVALLEY_MAX_MEMORY`` (bytes,
or with a K/M/G/T suffix) to impose a lower cap.
"""
from __future__ import annotations

import mmap
import os
import weakref

import numpy as np

from ..errors import ResourceError

_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def available_bytes() -> int:
    """Bytes this process may use for a state: the smaller of the free memory and the
    ``QVALLEY_MAX_MEMORY`` cap."""
    free = _mem_available()
    cap = os.environ.get("QVALLEY_MAX_MEMORY")
    if cap:
        text = cap.strip().upper().removesuffix("B").removesuffix("I")
        unit = text[-1] if text and text[-1] in _SUFFIX else ""
        try:
            limit = int(float(text[:len(text) - len(unit)]) * _SUFFIX[unit])
        except ValueError:
            raise ResourceError(f"QVALLEY_MAX_MEMORY={cap!r} is not a size such as 8G or "
                                "512M") from None
        free = min(free, limit)
    return free


def _mem_available() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 1 << 34


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if n < 1024 or unit == "EiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


def require_statevector(num_qubits: int, copies: float = 2.0,
                        what: str = "a state vector", itemsize: int = 16) -> None:
    """Refuse (ResourceError) unless ``copies`` vectors of 2**n amplitudes of ``itemsize``
    bytes fit in memory (the state plus headroom for what a caller makes of it)."""
    if num_qubits > 200:
        needed = float("inf")
        needed_text = f"2^{num_qubits} x {itemsize} B"
    else:
        needed = copies * itemsize * (2.0 ** num_qubits)
        needed_text = format_bytes(needed)
    have = available_bytes() + spare_bytes()
    if needed > have:
        raise ResourceError(
            f"simulating {num_qubits} qubits as {what} needs {needed_text} "
            f"(2^{num_qubits} amplitudes x {itemsize} B"
            f"{'' if copies == 1 else f', x{copies:g} for working copies'}) but "
            f"{format_bytes(have)} is available; use fewer qubits, or a smaller circuit "
            "(qubits no gate touches are not simulated by run())")


HUGE_PAGES_FROM = 32 << 20  # arrays this large are mapped with transparent huge pages
KEEP_REGIONS = 4  # released state-sized regions kept for the next allocation
KEEP_FRACTION = 0.5  # ... while they hold at most this share of the machine's memory

_spare: list[mmap.mmap] = []  # released regions, oldest first


def zeros(count: int, dtype) -> np.ndarray:
    """``np.zeros(count, dtype)`` for a state-sized array (see :func:`empty`)."""
    out, recycled = _state_array(count, dtype)
    if recycled:
        out.fill(0)
    return out


def empty(count: int, dtype) -> np.ndarray:
    """``np.empty(count, dtype)`` for a state-sized array, mapped where Linux allows with
    transparent huge pages (``madvise`` mode, the usual default). A fresh array's first
    touch costs a page fault per page: measured here about 0.3 s per 256 MiB in 4 KiB
    pages, and 20 times less in 2 MiB ones when the kernel has free huge pages (after
    another program's allocations it may have to compact memory first: 0.3 s again).
    So a freed state's region is kept (:data:`KEEP_REGIONS`, at most
    :data:`KEEP_FRACTION` of the memory) and handed to the next request of its size: a
    sweep of noisy simulations, or the density matrix made after its Pauli vector, pays
    no page faults. ``release_memory()`` returns the kept regions to the system now;
    ``QVALLEY_KEEP_MEMORY=0`` turns keeping off, ``QVALLEY_HUGE_PAGES=0`` huge pages."""
    return _state_array(count, dtype)[0]


def release_memory() -> int:
    """Return the state-sized regions kept for reuse to the system; the bytes freed."""
    freed = sum(len(r) for r in _spare)
    while _spare:
        _spare.pop().close()
    return freed


def spare_bytes() -> int:
    """Bytes held in regions kept for reuse (counted as available by the memory checks)."""
    return sum(len(r) for r in _spare)


def _state_array(count: int, dtype) -> tuple[np.ndarray, bool]:
    dtype = np.dtype(dtype)
    nbytes = int(count) * dtype.itemsize
    advice = getattr(mmap, "MADV_HUGEPAGE", None)
    if nbytes < HUGE_PAGES_FROM:
        return np.zeros(count, dtype=dtype), False
    region = None
    for i, r in enumerate(_spare):
        if len(r) == nbytes:
            region = _spare.pop(i)
            break
    recycled = region is not None
    if region is None:
        release_memory()  # a new size: what is kept would only crowd it
        try:
            region = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
            if advice is not None and os.environ.get("QVALLEY_HUGE_PAGES",
                                                     "").strip() != "0":
                region.madvise(advice)
        except (OSError, ValueError, AttributeError):
            return np.zeros(count, dtype=dtype), False
    out = np.frombuffer(region, dtype=dtype, count=count)
    if os.environ.get("QVALLEY_KEEP_MEMORY", "").strip() != "0":
        weakref.finalize(out, _keep, region)
    return out, recycled


def _keep(region: mmap.mmap) -> None:
    """A state array was freed: keep its region for the next one (bounded)."""
    _spare.append(region)
    limit = KEEP_FRACTION * _mem_total()
    while _spare and (len(_spare) > KEEP_REGIONS or spare_bytes() > limit):
        _spare.pop(0).close()


def _mem_total() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 1 << 34
