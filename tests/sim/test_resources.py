"""Memory checks happen before allocation, and run() simulates only the active qubits."""
from __future__ import annotations

import re
import time
import tracemalloc

import numpy as np
import pytest

import qvalley as qv
from qvalley import Circuit, QValleyError, ResourceError
from qvalley.sim import memory


def _wide(n, clifford=True):
    """H on every qubit; with ``clifford=False`` a T as well, so that only the state
    vector takes it (a wide Clifford circuit runs on the stabilizer)."""
    c = Circuit(n)
    for q in range(n):
        c.h(q)
    if not clifford:
        c.t(0)
    return c


def _peak_bytes(fn):
    """Peak memory traced (numpy reports its buffers to tracemalloc) while ``fn`` runs."""
    tracemalloc.start()
    try:
        try:
            fn()
        finally:
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("call, tib", [("statevector", "16.0"), ("probabilities", "24.0"),
                                       ("run", "32.0")])
def test_too_many_qubits_refused_before_allocation(call, tib):
    c = _wide(40, clifford=False)
    if call == "run":
        c.measure_all()
    func = getattr(qv, call)
    errors = []
    start = time.perf_counter()
    peak = _peak_bytes(lambda: errors.append(pytest.raises(ResourceError, func, c)))
    assert time.perf_counter() - start < 5
    assert peak < 50 * 2 ** 20, f"{peak} bytes traced before the refusal"
    msg = str(errors[0].value)
    assert isinstance(errors[0].value, QValleyError)
    # what is needed (2^40 amplitudes of 16 B = 16 TiB: the state, in place; half as much
    # again for probabilities, twice for sampling) and what is there
    assert "40 qubits" in msg
    assert re.search(rf"needs {tib} TiB", msg), msg
    assert re.search(r"but \d+(\.\d)? [KMGT]?i?B is available", msg), msg
    assert "fewer qubits" in msg


def test_absurd_qubit_counts_are_refused_cleanly():
    c = Circuit(300).h(range(300))
    with pytest.raises(ResourceError, match=r"300 qubits .* needs 2\^300 x 16 B"):
        qv.statevector(c)


def test_qvalley_max_memory_caps_the_budget(monkeypatch):
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", "1M")
    assert memory.available_bytes() <= 2 ** 20
    # 14 qubits: 2^14 x 16 B = 256 KiB fits in 1 MiB
    psi = qv.statevector(_wide(14))
    assert psi.shape == (2 ** 14,)
    # 17 qubits: 2 MiB does not
    with pytest.raises(ResourceError) as err:
        qv.statevector(_wide(17))
    msg = str(err.value)
    assert "needs 2.0 MiB" in msg and "but 1.0 MiB is available" in msg, msg
    with pytest.raises(ResourceError, match="16 qubits"):
        qv.run(_wide(16).measure_all(), shots=10, seed=1)


@pytest.mark.parametrize("text, expected", [
    ("1048576", 2 ** 20), ("512K", 512 * 2 ** 10), ("1M", 2 ** 20), ("1.5G", 3 * 2 ** 29),
    ("2GB", 2 * 2 ** 30), ("1MiB", 2 ** 20), (" 64k ", 64 * 2 ** 10), ("1T", 2 ** 40),
])
def test_qvalley_max_memory_formats(monkeypatch, text, expected):
    monkeypatch.setattr(memory, "_mem_available", lambda: 2 ** 50)
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", text)
    assert memory.available_bytes() == expected


def test_qvalley_max_memory_never_raises_the_budget(monkeypatch):
    monkeypatch.setattr(memory, "_mem_available", lambda: 2 ** 20)
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", "1T")
    assert memory.available_bytes() == 2 ** 20


def test_qvalley_max_memory_invalid(monkeypatch):
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", "lots")
    with pytest.raises(ResourceError, match=r"QVALLEY_MAX_MEMORY='lots' is not a size"):
        qv.statevector(Circuit(1).h(0))


def test_too_many_shots_for_the_records(monkeypatch):
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", "1M")
    c = Circuit(1).h(0).measure_all()
    with pytest.raises(ResourceError, match=r"10000000 shots .* run fewer shots"):
        qv.run(c, shots=10_000_000, seed=1)


def test_format_bytes():
    assert memory.format_bytes(512) == "512 B"
    assert memory.format_bytes(2048) == "2.0 KiB"
    assert memory.format_bytes(3 * 2 ** 30) == "3.0 GiB"
    assert memory.format_bytes(2 ** 45) == "32.0 TiB"


def test_run_simulates_only_active_qubits():
    """A 60-qubit circuit whose gates touch 3 qubits runs: 2^3 amplitudes, not 2^60."""
    c = Circuit(60)
    c.h(0).cx(0, 30).cx(30, 59)
    c.measure([0, 30, 59], [0, 1, 2])
    res = qv.run(c, shots=4000, seed=7)
    assert set(res.counts) == {"000", "111"}
    assert abs(res.counts["111"] / 4000 - 0.5) < 0.04
    # measuring every qubit (the others read 0) and a barrier across all of them
    d = Circuit(60)
    d.x(5).h(17).cx(17, 42)
    d.reset(3)          # resetting an untouched qubit changes nothing
    d.measure_all()
    peak = _peak_bytes(lambda: qv.run(d, shots=2000, seed=3))
    assert peak < 20 * 2 ** 20
    res = qv.run(d, shots=2000, seed=3)
    assert all(len(k) == 60 for k in res.counts)
    want_a = ["0"] * 60
    want_a[59 - 5] = "1"
    want_b = list(want_a)
    want_b[59 - 17] = want_b[59 - 42] = "1"
    assert set(res.counts) == {"".join(want_a), "".join(want_b)}


def test_idle_qubits_in_dynamic_circuits():
    """A measurement of an untouched qubit reads 0 even when it overwrites a 1."""
    c = Circuit(50, 2)
    c.x(10).measure(10, 0)              # bit 0 = 1 ...
    c.measure(20, 1)                    # untouched qubit: bit 1 = 0
    with c.if_test(0, 1):
        c.measure(30, 0)                # ... then overwritten by an untouched qubit: 0
    c.h(40).measure(40, 1)
    res = qv.run(c, shots=2000, seed=5)
    assert set(res.counts) == {"00", "10"}
    # the same with all qubits simulated (small version) gives the same answer
    small = Circuit(4, 2)
    small.x(0).measure(0, 0).measure(1, 1)
    with small.if_test(0, 1):
        small.measure(2, 0)
    small.h(3).measure(3, 1)
    assert set(qv.run(small, shots=2000, seed=5).counts) == {"00", "10"}


def test_statevector_of_wide_idle_circuit_is_refused():
    """statevector() returns all qubits, so a wide circuit is refused even if idle."""
    with pytest.raises(ResourceError, match="60 qubits"):
        qv.statevector(Circuit(60).h(0))


def test_small_circuits_fit():
    psi = qv.statevector(_wide(10))
    np.testing.assert_allclose(psi, np.full(2 ** 10, 2 ** -5), atol=1e-14)


def test_branch_replay_when_copies_do_not_fit(monkeypatch):
    """When a branch's copy of the state does not fit, the engine recomputes it from the
    start; the result is the same, shot for shot, as with copies (same seed)."""
    from qvalley.sim.statevector import engine

    c = Circuit(3, 3)
    c.h(0).ry(1.1, 1).measure(0, 0)
    with c.if_test(0, 1):
        c.x(2)
    c.h(0).measure(0, 1).reset(0).cx(1, 0).measure(1, 2).h(2)
    c.measure(2, 0)
    with_copies = qv.run(c, shots=3000, seed=9)
    monkeypatch.setattr(engine, "available_bytes", lambda: 0)
    replayed = qv.run(c, shots=3000, seed=9)
    assert replayed.memory == with_copies.memory
    assert len(with_copies.counts) >= 6


def test_circuits_without_gates():
    """Only measurements and resets: nothing to simulate, every bit reads 0."""
    assert qv.run(Circuit(3).measure_all(), shots=5, seed=1).counts == {"000": 5}
    c = Circuit(2, 2).reset(0).measure(0, 1)
    with c.if_test(1, 0):
        c.measure(1, 0)
    assert qv.run(c, shots=5, seed=1).counts == {"00": 5}


def test_state_memory_is_kept_and_reused(monkeypatch):
    """A freed state-sized array's region serves the next request of its size (zeroed by
    zeros(), as it was left by empty()); a new size or release_memory() returns what is
    kept; QVALLEY_KEEP_MEMORY=0 keeps nothing; kept bytes count as available."""
    import gc

    from qvalley.sim import memory
    memory.release_memory()
    count = (memory.HUGE_PAGES_FROM // 8) * 2  # 64 MiB of float64
    a = memory.zeros(count, np.float64)
    a[:] = 7.0
    address = a.ctypes.data
    del a
    gc.collect()
    assert memory.spare_bytes() == count * 8
    b = memory.zeros(count, np.float64)
    assert b.ctypes.data == address and not b.any()  # the same region, zeroed
    b[:] = 3.0
    del b
    gc.collect()
    c = memory.empty(count, np.float64)
    assert c.ctypes.data == address and memory.spare_bytes() == 0
    del c
    gc.collect()
    d = memory.zeros(count // 2, np.float64)  # a new size
    assert memory.spare_bytes() == 0 and not d.any()
    del d
    gc.collect()
    # kept memory counts as available: it is released for a request of another size
    monkeypatch.setenv("QVALLEY_MAX_MEMORY", str(count * 8))
    memory.require_statevector(23, copies=1.5, itemsize=8)  # 96 MiB: the cap + kept
    assert memory.release_memory() == count * 4 and memory.spare_bytes() == 0
    monkeypatch.delenv("QVALLEY_MAX_MEMORY")
    monkeypatch.setenv("QVALLEY_KEEP_MEMORY", "0")
    e = memory.zeros(count, np.float64)
    del e
    gc.collect()
    assert memory.spare_bytes() == 0
    # tiny arrays are plain numpy arrays, never kept
    assert memory.zeros(16, np.float64).base is None
