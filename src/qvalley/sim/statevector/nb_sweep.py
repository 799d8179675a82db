"""Numba kernels of parameter sweeps: many bindings of one circuit, one call.

Each binding runs the small-circuit program of :mod:`.nb_small` (the same records, with
this binding's matrices in its row of ``pools``) from the shared prefix state, and its
expectation values are read off the final state term by term, ``<psi| c X^x Z^z |psi> =
c sum_i conj(psi[i ^ x]) psi[i] (-1)**popcount(i & z)``, so no observable matrix is ever
built. Bindings are spread over the threads (``prange``), each with its own state.

:func:`adjoint` is the reverse pass of adjoint differentiation for one binding (Jones and
Gacon, Quantum 5, 559 (2021)): from the final state psi and lambda = O psi it walks the
parameterised gates backwards, un-applying each one, and reads
``d<O>/dv = 2 Re <lambda| dU/dv |psi>`` at each.
"""
from __future__ import annotations

import numpy as np

from .nb_target import configure

configure()
from numba import njit, prange  # noqa: E402

from .nb_small import run_program  # noqa: E402

_OPTS = dict(cache=True, nogil=True)


@njit(inline='always', **_OPTS)
def _odd(v):
    """1 if ``v`` (non-negative) has an odd number of set bits."""
    v ^= v >> 32
    v ^= v >> 16
    v ^= v >> 8
    v ^= v >> 4
    v ^= v >> 2
    v ^= v >> 1
    return v & 1


@njit(**_OPTS)
def pauli_terms(state, xs, zs, cs, owner, out):
    """Add ``cs[t] <state| X^xs[t] Z^zs[t] |state>`` to ``out[owner[t]]`` for every t.
    The loops are branch free (the sign is 1 - 2 * parity) so that they vectorize; a
    diagonal term reads the probabilities, computed once."""
    probs = np.empty(0)
    for t in range(xs.size):
        x = xs[t]
        z = zs[t]
        if x == 0:
            if probs.size == 0:
                probs = np.empty(state.size)
                for i in range(state.size):
                    a = state[i]
                    probs[i] = a.real * a.real + a.imag * a.imag
            acc = 0.0
            for i in range(state.size):
                acc += probs[i] * (1 - 2 * _odd(i & z))
            out[owner[t]] += cs[t] * acc
        elif z == 0:
            accc = 0j
            for i in range(state.size):
                accc += state[i ^ x].conjugate() * state[i]
            out[owner[t]] += cs[t] * accc
        else:
            re = 0.0
            im = 0.0
            for i in range(state.size):
                a = state[i ^ x]
                b = state[i]
                sgn = 1 - 2 * _odd(i & z)
                re += sgn * (a.real * b.real + a.imag * b.imag)
                im += sgn * (a.real * b.imag - a.imag * b.real)
            out[owner[t]] += cs[t] * (re + 1j * im)


@njit(**_OPTS)
def apply_pauli_sum(state, xs, zs, cs, out):
    """``out = sum_t cs[t] X^xs[t] Z^zs[t] state`` (one observable)."""
    for i in range(out.size):
        out[i] = 0
    for t in range(xs.size):
        x = xs[t]
        z = zs[t]
        c = cs[t]
        for i in range(state.size):
            if _odd(i & z):
                out[i ^ x] -= c * state[i]
            else:
                out[i ^ x] += c * state[i]


# A slot row: pool offset, entries (d*d), first gate value, gate values (parameters of the
# gate), first term of its series, terms; the series tables hold each term's frequency
# vector (up to 4 parameters) and its d*d coefficients.
OFF, D2, G0, NP, T0, NT = 0, 1, 2, 3, 4, 5


@njit(**_OPTS)
def fill_pool(pool, v, slots, freqs, coeffs):
    """The matrices of every parameterised gate at gate values ``v`` into ``pool``:
    M = sum_t C_t exp(i f_t . v) over the gate's series terms."""
    for s in range(slots.shape[0]):
        off = slots[s, OFF]
        d2 = slots[s, D2]
        g0 = slots[s, G0]
        for e in range(d2):
            pool[off + e] = 0
        for t in range(slots[s, T0], slots[s, T0] + slots[s, NT]):
            arg = 0.0
            for a in range(slots[s, NP]):
                arg += freqs[t, a] * v[g0 + a]
            ph = np.cos(arg) + 1j * np.sin(arg)
            for e in range(d2):
                pool[off + e] += ph * coeffs[t, e]


@njit(**_OPTS)
def _inverse_pool(pool, slots, out):
    """Each gate's matrix conjugate-transposed in place of ``out`` (its inverse)."""
    for s in range(slots.shape[0]):
        off = slots[s, OFF]
        d2 = slots[s, D2]
        d = 1
        while d * d < d2:
            d += 1
        for r in range(d):
            for c in range(d):
                out[off + r * d + c] = pool[off + c * d + r].conjugate()


@njit(**_OPTS)
def _derivative_rows(v, slots, freqs, coeffs, rows):
    """``rows[g]``: dM/dv_g of the gate owning gate value g, at the start of the row."""
    for s in range(slots.shape[0]):
        d2 = slots[s, D2]
        g0 = slots[s, G0]
        for a in range(slots[s, NP]):
            row = rows[g0 + a]
            for e in range(d2):
                row[e] = 0
            for t in range(slots[s, T0], slots[s, T0] + slots[s, NT]):
                f = freqs[t, a]
                if f == 0:
                    continue
                arg = 0.0
                for b in range(slots[s, NP]):
                    arg += freqs[t, b] * v[g0 + b]
                ph = (np.cos(arg) + 1j * np.sin(arg)) * (1j * f)
                for e in range(d2):
                    row[e] += ph * coeffs[t, e]


@njit(parallel=True, **_OPTS)
def expectations(prefix, n, program, values, slots, freqs, coeffs, pool_size, fixed, xs, zs,
                 cs, owner, out):
    """``out[b, k]``: observable k after binding b (gate values ``values[b]``)."""
    for b in prange(values.shape[0]):
        pool = np.empty(pool_size, dtype=np.complex128)
        fill_pool(pool, values[b], slots, freqs, coeffs)
        state = prefix.copy()
        run_program(state, n, program, pool, fixed)
        pauli_terms(state, xs, zs, cs, owner, out[b])


@njit(**_OPTS)
def _apply_one(state, n, program, at, pool, fixed):
    """Apply the single record at word ``at`` of ``program`` (a view of one record)."""
    k = program[at + 2]
    run_program(state, n, program[at:at + 5 + k], pool, fixed)


@njit(**_OPTS)
def adjoint(psi, lam, n, program, starts, inverse_pool, inverse_fixed, deriv_program,
            deriv_pool, param_records, grads):
    """Reverse pass of adjoint differentiation (see the module docstring).

    ``starts[r]``: word offset of record r in ``program``; the records are un-applied in
    reverse, each reading its inverse matrix at its own offset of ``inverse_pool`` (or of
    ``inverse_fixed``, for a gate without parameters);
    ``param_records[j]`` (ascending) is the record of derivative slot j, whose dU/dv is
    the record at ``deriv_program[starts[record]:]`` with its matrix at the start of
    ``deriv_pool[j]``: ``grads[j] = 2 Re <lam| dU |psi>`` (psi taken just before the
    gate). ``psi`` and ``lam`` are consumed."""
    nrec = starts.size
    j = param_records.size - 1
    phi = np.empty_like(psi)
    for r in range(nrec - 1, -1, -1):
        at = starts[r]
        _apply_one(psi, n, program, at, inverse_pool, inverse_fixed)  # before gate r
        while j >= 0 and param_records[j] == r:
            phi[:] = psi
            _derivative(phi, n, deriv_program, at, deriv_pool[j], inverse_fixed)
            acc = 0.0
            for i in range(psi.size):
                acc += (lam[i].conjugate() * phi[i]).real
            grads[j] = 2 * acc
            j -= 1
        _apply_one(lam, n, program, at, inverse_pool, inverse_fixed)


@njit(parallel=True, **_OPTS)
def gradients(prefix, n, program, starts, values, slots, freqs, coeffs, pool_size, fixed,
              inverse_fixed, deriv_program, value_records, xs, zs, cs, evs, value_grads):
    """Expectation value (``evs[b]``) and its derivative by every gate value
    (``value_grads[b]``) of one Hermitian observable for every binding b, by adjoint
    differentiation."""
    G = value_grads.shape[1]
    for b in prange(values.shape[0]):
        pool = np.empty(pool_size, dtype=np.complex128)
        fill_pool(pool, values[b], slots, freqs, coeffs)
        inverse = np.empty(pool_size, dtype=np.complex128)
        _inverse_pool(pool, slots, inverse)
        rows = np.zeros((G, 16), dtype=np.complex128)
        _derivative_rows(values[b], slots, freqs, coeffs, rows)
        psi = prefix.copy()
        run_program(psi, n, program, pool, fixed)
        lam = np.empty_like(psi)
        apply_pauli_sum(psi, xs, zs, cs, lam)
        e = 0.0
        for i in range(psi.size):
            e += (psi[i].conjugate() * lam[i]).real
        evs[b] = e
        adjoint(psi, lam, n, program, starts, inverse, inverse_fixed, deriv_program, rows,
                value_records, value_grads[b])


@njit(**_OPTS)
def _derivative(state, n, deriv_program, at, pool, fixed):
    """``state = dU state`` for the derivative record at ``at`` (a dense record whose
    controls keep their cmask: outside the controlled subspace dU is zero)."""
    k = deriv_program[at + 2]
    cmask = deriv_program[at + 3]
    cval = deriv_program[at + 4]
    run_program(state, n, deriv_program[at:at + 5 + k], pool, fixed)
    if cmask:
        for i in range(state.size):
            if (i & cmask) != cval:
                state[i] = 0
