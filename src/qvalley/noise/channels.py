"""Quantum channels as Kraus operators, checked completely positive and trace preserving.

A :class:`Channel` on k qubits holds Kraus matrices K_i (2**k x 2**k, little-endian in the
qubits it is applied to, as every matrix in qvalley) with ``sum K_i^dagger K_i = I``; it
acts as ``rho -> sum K_i rho K_i^dagger``. Constructors follow the textbook definitions
(Nielsen and Chuang, section 8.3) and Qiskit Aer's conventions, so that a model built on
both sides gives the same numbers:

* ``depolarizing(p, n)``: ``rho -> (1 - p) rho + p I / 2**n`` (Aer's ``depolarizing_error``,
  IonQ's simulator noise models); p may go up to ``4**n / (4**n - 1)`` (a full Pauli twirl).
* ``amplitude_damping(gamma)``, ``phase_damping(lam)``: Kraus pairs of N&C (8.108), (8.127).
* ``thermal_relaxation(t1, t2, time, excited_population=0)``: relaxation towards the
  thermal state with rates 1/T1 and dephasing so that coherences decay as exp(-t/T2);
  T2 <= 2 T1 is enforced (no physical qubit does better).
* ``pauli(px, py, pz)``, ``kraus(ops)`` (checked), ``reset_error(p0, p1)``.

:class:`ReadoutError` is the classical confusion matrix of a measurement (``readout(p01,
p10)``: P(read 0 | was 1), P(read 1 | was 0)).

Every constructor refuses probabilities outside [0, 1], NaN, non-CPTP sets and T2 > 2 T1
with a :class:`~qvalley.errors.NoiseError` that says what and where.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import NoiseError

_I = np.eye(2, dtype=np.complex128)
_X = np.array([[0, 1], [1, 0]], dtype=np.complex128)
_Y = np.array([[0, -1j], [1j, 0]], dtype=np.complex128)
_Z = np.array([[1, 0], [0, -1]], dtype=np.complex128)
PAULIS = (_I, _X, _Y, _Z)
CPTP_TOL = 1e-9


def _probability(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise NoiseError(f"{name} must be a probability in [0, 1], got {value!r}") from None
    if not 0.0 <= v <= 1.0:  # NaN fails this too
        raise NoiseError(f"{name} must be a probability in [0, 1], got {value!r}")
    return v


class Channel:
    """A CPTP map on ``num_qubits`` qubits, given by Kraus operators (checked).

    >>> from qvalley import noise
    >>> ch = noise.depolarizing(0.1)
    >>> ch.num_qubits, len(ch.kraus)
    (1, 4)
    """

    __slots__ = ("kraus", "num_qubits", "name", "depolarizing", "parts")

    def __init__(self, kraus: Sequence, name: str = "kraus", *, atol: float = CPTP_TOL):
        ops = []
        for i, k in enumerate(kraus):
            try:
                m = np.array(k, dtype=np.complex128)
            except (TypeError, ValueError):
                raise NoiseError(f"Kraus operator {i} is not a numeric matrix") from None
            ops.append(m)
        if not ops:
            raise NoiseError("a channel needs at least one Kraus operator")
        dim = ops[0].shape[0] if ops[0].ndim == 2 else 0
        if dim < 2 or dim & (dim - 1):
            raise NoiseError(f"Kraus operators must be square matrices of size 2**k, got "
                             f"shape {ops[0].shape}")
        for i, m in enumerate(ops):
            if m.shape != (dim, dim):
                raise NoiseError(f"Kraus operator {i} has shape {m.shape}, the first has "
                                 f"{(dim, dim)}")
            if not np.all(np.isfinite(m)):
                raise NoiseError(f"Kraus operator {i} holds NaN or infinite entries")
        total = sum(m.conj().T @ m for m in ops)
        dev = float(np.max(np.abs(total - np.eye(dim))))
        if dev > atol:
            raise NoiseError(f"Kraus operators are not trace preserving: sum K^dagger K "
                             f"differs from the identity by {dev:.3g} (tolerance {atol:g}); "
                             "check that the probabilities add up")
        # drop operators that are exactly zero (a channel at p = 0 keeps one operator)
        kept = [m for m in ops if np.any(m != 0)]
        if len(kept) > dim * dim:  # compositions multiply counts: keep at most d**2
            kept = _minimal_kraus(kept)
        self.kraus = tuple(kept)
        self.num_qubits = dim.bit_length() - 1
        self.name = name
        self.depolarizing: float | None = None  # p, when made by depolarizing()
        # what it was built from, in order: (channel, its qubits among ours); simulators
        # may apply the parts (a depolarizing channel and one-qubit relaxations are far
        # cheaper than one dense superoperator)
        self.parts: tuple[tuple["Channel", tuple[int, ...]], ...] = ((self, tuple(range(
            self.num_qubits))),)

    def leaves(self) -> list[tuple["Channel", tuple[int, ...]]]:
        """The channels this one was composed and tensored from, in order of application,
        each with its qubits among this channel's (itself when built directly)."""
        out = []
        for ch, qs in self.parts:
            if ch is self:
                out.append((ch, qs))
            else:
                out.extend((leaf, tuple(qs[q] for q in lq)) for leaf, lq in ch.leaves())
        return out

    def superop(self) -> np.ndarray:
        """The channel on vectorised density matrices: ``sum kron(conj(K), K)``, a
        4**k x 4**k matrix acting on (row qubits, then column qubits), little-endian."""
        return sum(np.kron(k.conj(), k) for k in self.kraus)

    def compose(self, after: "Channel") -> "Channel":
        """This channel, then ``after`` (same qubits)."""
        if after.num_qubits != self.num_qubits:
            raise NoiseError(f"cannot compose channels on {self.num_qubits} and "
                             f"{after.num_qubits} qubits")
        out = Channel([b @ a for a in self.kraus for b in after.kraus],
                      f"{self.name}+{after.name}")
        every = tuple(range(self.num_qubits))
        out.parts = ((self, every), (after, every))
        return out

    def tensor(self, high: "Channel") -> "Channel":
        """This channel on the first (low) qubits and ``high`` on the next ones."""
        out = Channel([np.kron(b, a) for a in self.kraus for b in high.kraus],
                      f"{self.name}x{high.name}")
        k = self.num_qubits
        out.parts = ((self, tuple(range(k))),
                     (high, tuple(range(k, k + high.num_qubits))))
        return out

    def average_gate_fidelity(self) -> float:
        """F_avg = (sum |tr K|^2 / d + 1) / (d + 1)."""
        d = 1 << self.num_qubits
        return float((sum(abs(np.trace(k)) ** 2 for k in self.kraus) / d + 1) / (d + 1))

    def is_identity(self) -> bool:
        return len(self.kraus) == 1 and np.allclose(
            self.kraus[0] * np.exp(-1j * np.angle(self.kraus[0][0, 0])),
            np.eye(1 << self.num_qubits), atol=1e-15)

    def __repr__(self) -> str:
        return f"Channel({self.name}, {self.num_qubits} qubit(s), {len(self.kraus)} Kraus)"


def _minimal_kraus(ops: list[np.ndarray]) -> list[np.ndarray]:
    """The same channel with at most d**2 Kraus operators: the eigenvectors of its Choi
    matrix sum_K vec(K) vec(K)^dagger, scaled by the square roots of the eigenvalues."""
    d = ops[0].shape[0]
    vecs = np.array([k.reshape(-1) for k in ops])       # rows: vec(K), row-major
    choi = vecs.T @ vecs.conj()
    w, v = np.linalg.eigh(choi)
    keep = w > 1e-15 * max(float(w.max()), 1.0)
    return [np.sqrt(wi) * v[:, i].reshape(d, d) for i, wi in zip(np.nonzero(keep)[0], w[keep])]


def kraus(ops: Sequence, name: str = "kraus") -> Channel:
    """A channel from user Kraus operators (checked CPTP to 1e-9)."""
    return Channel(ops, name)


def _pauli_strings(n: int):
    for idx in range(4 ** n):
        m = np.eye(1, dtype=np.complex128)
        for q in range(n):  # qubit q: digit q in base 4, the low qubit rightmost in kron
            m = np.kron(PAULIS[(idx >> (2 * q)) & 3], m)
        yield m


def depolarizing(p: float, num_qubits: int = 1) -> Channel:
    """``rho -> (1 - p) rho + p I / 2**n`` for 0 <= p <= 4**n / (4**n - 1)."""
    if isinstance(num_qubits, bool) or not isinstance(num_qubits, int) or \
            not 1 <= num_qubits <= 4:
        raise NoiseError(f"depolarizing num_qubits must be 1 to 4, got {num_qubits!r}")
    n = num_qubits
    top = 4 ** n / (4 ** n - 1)
    try:
        pv = float(p)
    except (TypeError, ValueError):
        raise NoiseError(f"depolarizing p must be a number in [0, {top:.4g}], got {p!r}") \
            from None
    if not 0 <= pv <= top + 1e-15:
        raise NoiseError(f"depolarizing p must be in [0, {top:.4g}] for {n} qubit(s) "
                         f"(1 is the fully mixed state), got {p!r}")
    pv = min(pv, top)
    d2 = 4 ** n
    ops = []
    for i, s in enumerate(_pauli_strings(n)):
        w = 1 - pv * (d2 - 1) / d2 if i == 0 else pv / d2
        ops.append(math.sqrt(max(w, 0.0)) * s)
    ch = Channel(ops, f"depolarizing({pv:g})")
    ch.depolarizing = pv  # simulators may apply it as (1 - p) rho + p I/d Tr(rho)
    return ch


def pauli(px: float, py: float, pz: float) -> Channel:
    """X, Y, Z with probabilities px, py, pz (and I with the rest)."""
    px, py, pz = (_probability(v, n) for v, n in ((px, "px"), (py, "py"), (pz, "pz")))
    rest = 1 - px - py - pz
    if rest < -1e-12:
        raise NoiseError(f"pauli probabilities add up to {px + py + pz:.6g} > 1")
    return Channel([math.sqrt(max(rest, 0.0)) * _I, math.sqrt(px) * _X,
                    math.sqrt(py) * _Y, math.sqrt(pz) * _Z], "pauli")


def pauli_twirl(channel: Channel) -> Channel:
    """The Pauli twirl of ``channel``: the mixture of Pauli strings P with probabilities
    chi_PP = sum_K |Tr(P^dagger K)|^2 / 4**k, the diagonal of its process matrix. It keeps
    the channel's average gate fidelity and Pauli error rates and drops its coherent part:
    the usual approximation (Pauli twirling) for running device noise on a stabilizer
    simulator. Amplitude damping gamma becomes px = py = gamma / 4,
    pz = (1 - gamma / 2 - sqrt(1 - gamma)) / 2.

    >>> import qvalley as qv
    >>> qv.noise.pauli_twirl(qv.noise.amplitude_damping(0.4)).name
    'twirled amplitude_damping(0.4)'
    """
    if not isinstance(channel, Channel):
        raise NoiseError(f"pauli_twirl takes a qv.noise channel, got "
                         f"{type(channel).__name__}")
    k = channel.num_qubits
    strings = list(_pauli_strings(k))
    probs = np.array([sum(abs(np.trace(s.conj().T @ kr)) ** 2 for kr in channel.kraus)
                      for s in strings]) / 4 ** k
    probs = np.clip(probs, 0.0, None)
    probs /= probs.sum()
    ops = [math.sqrt(p) * s for p, s in zip(probs, strings) if p > 1e-17]
    return Channel(ops, f"twirled {channel.name}")


def amplitude_damping(gamma: float) -> Channel:
    """|1> decays to |0> with probability gamma."""
    g = _probability(gamma, "amplitude damping gamma")
    return Channel([np.array([[1, 0], [0, math.sqrt(1 - g)]]),
                    np.array([[0, math.sqrt(g)], [0, 0]])], f"amplitude_damping({g:g})")


def phase_damping(lam: float) -> Channel:
    """Coherences shrink by sqrt(1 - lam), populations stay."""
    lv = _probability(lam, "phase damping lambda")
    return Channel([np.array([[1, 0], [0, math.sqrt(1 - lv)]]),
                    np.array([[0, 0], [0, math.sqrt(lv)]])], f"phase_damping({lv:g})")


def reset_error(p0: float, p1: float = 0.0) -> Channel:
    """Reset to |0> with probability p0, to |1> with probability p1."""
    a, b = _probability(p0, "reset p0"), _probability(p1, "reset p1")
    if a + b > 1 + 1e-12:
        raise NoiseError(f"reset probabilities add up to {a + b:.6g} > 1")
    keep = math.sqrt(max(1 - a - b, 0.0))
    ops = [keep * _I]
    ops += [math.sqrt(a) * np.array([[1, 0], [0, 0]]), math.sqrt(a) * np.array([[0, 1], [0, 0]])]
    ops += [math.sqrt(b) * np.array([[0, 0], [1, 0]]), math.sqrt(b) * np.array([[0, 0], [0, 1]])]
    return Channel(ops, "reset")


def thermal_relaxation(t1: float, t2: float, time: float,
                       excited_population: float = 0.0) -> Channel:
    """Relaxation over ``time`` of a qubit with T1 and T2 (same units; T2 <= 2 T1).

    Populations relax towards (1 - p_e, p_e) at rate 1/T1; coherences decay as
    exp(-time/T2). Built as amplitude damping towards the thermal state composed with pure
    dephasing, which is exact for T2 <= 2 T1 (the definition Aer's
    ``thermal_relaxation_error`` uses).
    """
    vals = {}
    for name, v in (("t1", t1), ("t2", t2), ("time", time)):
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise NoiseError(f"thermal relaxation {name} must be a number, got {v!r}") from None
        if math.isnan(f) or f < 0 or (name != "time" and f == 0):
            raise NoiseError(f"thermal relaxation {name} must be "
                             f"{'non-negative' if name == 'time' else 'positive'}, got {v!r}")
        vals[name] = f
    t1, t2, time = vals["t1"], vals["t2"], vals["time"]
    pe = _probability(excited_population, "excited population")
    if t2 > 2 * t1 * (1 + 1e-12):
        raise NoiseError(f"T2 = {t2:g} exceeds 2 T1 = {2 * t1:g}: no physical qubit allows "
                         "that; use T2 <= 2 T1")
    gamma = 1 - math.exp(-time / t1) if math.isfinite(t1) else 0.0
    # coherence factor exp(-t/T2) = sqrt(1 - gamma) * sqrt(1 - lam)
    coh = math.exp(-time / t2) if math.isfinite(t2) else 1.0
    base = math.sqrt(1 - gamma)
    lam = 0.0 if base == 0 else max(0.0, 1 - (coh / base) ** 2)
    # generalised amplitude damping towards (1 - pe, pe)
    a, b = math.sqrt(1 - pe), math.sqrt(pe)
    ops = [a * np.array([[1, 0], [0, base]]), a * np.array([[0, math.sqrt(gamma)], [0, 0]]),
           b * np.array([[base, 0], [0, 1]]), b * np.array([[0, 0], [math.sqrt(gamma), 0]])]
    damp = Channel(ops, "relax")
    return damp.compose(phase_damping(min(lam, 1.0))) if lam > 0 else damp


@dataclass(frozen=True)
class ReadoutError:
    """A measurement that reads 0 for a prepared 1 with probability ``p01`` and 1 for a
    prepared 0 with probability ``p10`` (the rows of ``matrix``: P(read | prepared))."""

    p01: float
    p10: float

    def __post_init__(self):
        _probability(self.p01, "readout p01 (P(0 | 1))")
        _probability(self.p10, "readout p10 (P(1 | 0))")

    @property
    def matrix(self) -> np.ndarray:
        """[[P(0|0), P(1|0)], [P(0|1), P(1|1)]], as Aer's ReadoutError takes it."""
        return np.array([[1 - self.p10, self.p10], [self.p01, 1 - self.p01]])


def readout(p01: float, p10: float | None = None) -> ReadoutError:
    """A readout error; one argument gives a symmetric one."""
    a = _probability(p01, "readout p01 (P(0 | 1))")
    return ReadoutError(a, a if p10 is None else _probability(p10, "readout p10 (P(1 | 0))"))
