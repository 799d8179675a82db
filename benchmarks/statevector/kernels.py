"""Each numba state-vector kernel against the memory-bandwidth floor, in passes over memory.

The floor is one parallel numba pass that reads and writes the whole state in place
(a multiply by 1.0 of its float view), measured in the same run, interleaved with the
kernel timings so both see the same machine. For every kernel and qubit position (low:
the lowest qubits, mid: around n/2, high: the highest qubits) the script prints the
kernel's time divided by the floor's time: 1.00 means the kernel costs one read+write
pass over the state. Best of ``--repeat`` runs for both (this machine is shared; the
minimum is the least disturbed estimate); no assertions.

    python benchmarks/statevector/kernels.py [--sizes 20,24,26] [--threads 2]
        [--dtypes complex128,complex64] [--repeat 5] [--only dense1,x]

Targets from issue 3: dense 1-qubit about 1.15, dense 2-qubit at most about 2.7,
diagonal about 1, x/cx about 1.
"""
from __future__ import annotations

import argparse
import math
import time

import numba
import numpy as np
from numba import njit, prange

from qvalley.sim.statevector import nb_kernels as nk


@njit(parallel=True, cache=True, nogil=True)
def floor_pass(x, a):
    """Read and write every element once: the bandwidth floor of an in-place kernel."""
    for i in prange(x.size):
        x[i] *= a


def haar(rng, dim, dtype):
    z = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    q, r = np.linalg.qr(z)
    return np.ascontiguousarray(q * (np.diagonal(r) / np.abs(np.diagonal(r)))).astype(dtype)


def positions(n: int, k: int) -> dict[str, list[int]]:
    """Target qubits at the bottom, the middle and the top of the register."""
    mid = n // 2
    return {"low": list(range(k)), "mid": list(range(mid, mid + k)),
            "high": list(range(n - 1, n - 1 - k, -1))}


def kernels(n: int, dtype, rng):
    """(name, {position: callable(state)}) for every kernel worth timing."""
    m1, m2, m3, m5 = (haar(rng, 2 ** k, dtype) for k in (1, 2, 3, 5))
    d1 = np.exp(1j * rng.uniform(-3, 3, 2)).astype(dtype)
    d2 = np.exp(1j * rng.uniform(-3, 3, 4)).astype(dtype)
    d10 = np.exp(1j * rng.uniform(-3, 3, 1024)).astype(dtype)
    perm = np.array([0, 2, 1, 3], dtype=np.int64)
    iswap_phases = np.array([1, 1j, 1j, 1], dtype=dtype)
    u1k = nk.sorted_uniforms(rng, 1000)
    u1m = nk.sorted_uniforms(rng, 1_000_000)
    P = lambda k: positions(n, k)  # noqa: E731
    arr = lambda qs: np.array(qs, dtype=np.int64)  # noqa: E731

    def ctrl_of(qs):  # one control next to the targets, value 1
        c = max(qs) + 1 if max(qs) + 1 < n else min(qs) - 1
        return 1 << c

    out = [
        ("dense1", {p: (lambda s, q=q: nk.apply_1q(s, m1, q[0], 0, 0))
                    for p, q in P(1).items()}),
        ("dense2", {p: (lambda s, q=q: nk.apply_2q(s, m2, q[0], q[1], 0, 0))
                    for p, q in P(2).items()}),
        ("dense3", {p: (lambda s, q=arr(q): nk.apply_kq(s, m3, q, 0, 0))
                    for p, q in P(3).items()}),
        ("dense5", {p: (lambda s, q=arr(q): nk.apply_kq(s, m5, q, 0, 0))
                    for p, q in P(5).items()}),
        ("c-dense1", {p: (lambda s, q=q, c=ctrl_of(q): nk.apply_1q(s, m1, q[0], c, c))
                      for p, q in P(1).items()}),
        ("diag1", {p: (lambda s, q=arr(q): nk.apply_diagonal(s, d1, q, 0, 0))
                   for p, q in P(1).items()}),
        ("diag2", {p: (lambda s, q=arr(q): nk.apply_diagonal(s, d2, q, 0, 0))
                   for p, q in P(2).items()}),
        ("diag10", {p: (lambda s, q=arr(q): nk.apply_diagonal(s, d10, q, 0, 0))
                    for p, q in P(10).items()}),
        ("x", {p: (lambda s, q=q: nk.apply_x(s, q[0], 0, 0)) for p, q in P(1).items()}),
        ("cx", {p: (lambda s, q=q, c=ctrl_of(q): nk.apply_x(s, q[0], c, c))
                for p, q in P(1).items()}),
        ("ccx", {p: (lambda s, q=q: nk.apply_x(s, q[0], (1 << q[1]) | (1 << q[2]),
                                               (1 << q[1]) | (1 << q[2])))
                 for p, q in P(3).items()}),
        ("swap", {p: (lambda s, q=q: nk.apply_swap(s, q[0], q[1], 0, 0))
                  for p, q in P(2).items()}),
        ("iswap", {p: (lambda s, q=arr(q): nk.apply_perm_phase(s, perm, iswap_phases, q, 0, 0))
                   for p, q in P(2).items()}),
        ("prob_one", {p: (lambda s, q=q: nk.prob_one(s, q[0])) for p, q in P(1).items()}),
        ("collapse", {p: (lambda s, q=q: nk.collapse(s, q[0], 0, 1.0))
                      for p, q in P(1).items()}),
        ("reset", {p: (lambda s, q=q: nk.reset(s, q[0], 1, 1.0)) for p, q in P(1).items()}),
        ("norm", {"-": lambda s: nk.norm_squared(s)}),
        ("probabilities", {"-": lambda s: nk.probabilities(s, probs_for(s))}),
        ("sample 1e3", {"-": lambda s: nk.sample_state(s, u1k)}),
        ("sample 1e6", {"-": lambda s: nk.sample_state(s, u1m)}),
    ]
    return out


_PROBS: dict[int, np.ndarray] = {}


def probs_for(s: np.ndarray) -> np.ndarray:
    if s.size not in _PROBS:
        _PROBS.clear()
        _PROBS[s.size] = np.empty(s.size)
    return _PROBS[s.size]


def measure(fn, state, floor, repeat):
    """Best kernel time and best floor time, interleaved."""
    fn(state)
    floor()
    tk = tf = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        floor()
        tf = min(tf, time.perf_counter() - t)
        t = time.perf_counter()
        fn(state)
        tk = min(tk, time.perf_counter() - t)
    return tk, tf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="20,24,26")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtypes", default="complex128,complex64")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated kernel names")
    args = ap.parse_args()
    numba.set_num_threads(args.threads)
    only = {s for s in args.only.split(",") if s}
    nk.warm_up()
    floor_pass(np.ones(1 << 16), 1.0)
    print(f"numba {numba.__version__}, {numba.get_num_threads()} threads "
          f"({numba.threading_layer()}), best of {args.repeat}")
    for dt_name in args.dtypes.split(","):
        dtype = np.dtype(dt_name).type
        real = np.float64 if dtype == np.complex128 else np.float32
        for n in (int(s) for s in args.sizes.split(",")):
            rng = np.random.default_rng(n)
            state = (rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n)).astype(dtype)
            state /= np.sqrt(nk.norm_squared(state))
            x = state.view(real)
            one = real(1.0)
            floor = lambda: floor_pass(x, one)  # noqa: E731
            # small states are quick: more repeats make their best time more reliable
            reps = max(args.repeat, min(30, args.repeat << max(0, 24 - n)))
            _, tf0 = measure(lambda s: None, state, floor, 2 * reps)
            gbs = 2 * state.nbytes / tf0 / 1e9
            print(f"\n{dt_name}, n={n}: floor pass {tf0 * 1e3:.2f} ms "
                  f"({gbs:.1f} GB/s read+write); passes per gate (kernel / floor)")
            print(f"  {'kernel':14s} {'low':>7s} {'mid':>7s} {'high':>7s}   ms (mid)")
            for name, by_pos in kernels(n, dtype, rng):
                if only and name not in only:
                    continue
                cells, ms = {}, ""
                for pos, fn in by_pos.items():
                    tk, tf = measure(fn, state, floor, reps)
                    cells[pos] = tk / tf
                    if pos in ("mid", "-"):
                        ms = f"{tk * 1e3:9.2f}"
                if "-" in cells:
                    row = f"{'':>7s} {cells['-']:7.2f} {'':>7s}"
                else:
                    row = " ".join(f"{cells[p]:7.2f}" for p in ("low", "mid", "high"))
                print(f"  {name:14s} {row}  {ms}", flush=True)
                if name in ("collapse", "reset"):  # they zeroed half: refill
                    state[:] = (rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n))
                    state /= np.sqrt(nk.norm_squared(state))


if __name__ == "__main__":
    main()
