"""NoiseModel: which channel follows which gate on which qubits, and readout errors.

Errors follow the gate they are attached to (as in Qiskit Aer): per gate name for every
qubit (``add_all_qubit_error``), per gate name on given qubits (``add_quantum_error``,
which wins over the all-qubit one), and readout errors per measured qubit. A one-qubit
channel attached to a gate on k qubits acts on each of them.

``NoiseModel.from_target(name)`` builds the model the field uses for a machine:

* IonQ (``ionq-aria-1``, ``ionq-forte-1``): IonQ's own simulator noise models (``aria-1``,
  ``forte-1``: docs.ionq.com, "Simulation with noise models"): a one-qubit depolarizing
  channel after every one-qubit gate and a two-qubit one after every two-qubit gate, with
  IonQ's rates; no readout term (IonQ publishes none for the simulator).
* IBM (``ibm-eagle-r3``, ``ibm-heron-r2``): Qiskit Aer's ``NoiseModel.from_backend``
  recipe (``qiskit_aer/noise/device/models.py``): thermal relaxation over the gate's
  duration on each of its qubits (T2 capped at 2 T1), after a
  depolarizing channel sized so that the total average gate error is the calibration's,
  and the readout confusion from the calibration. Virtual gates (RZ and the other
  diagonal one-qubit gates, done in software) stay ideal.

The figures are the target's calibration medians (one number per gate kind, the same on
every qubit). The model attaches to the gates a circuit has: compile the circuit for the
target first (``qv.compile``) to simulate what the machine would run; gates on three or
more qubits get no error.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from ..circuit.gates import GATES
from ..errors import NoiseError
from .channels import (Channel, ReadoutError, depolarizing, pauli_twirl, readout,
                       thermal_relaxation)

# IonQ's published simulator noise models: (1q, 2q) depolarizing rates
IONQ_MODELS = {"ionq-aria-1": (0.0005, 0.0133), "ionq-forte-1": (0.0002667, 0.0049493)}


class NoiseModel:
    """Errors per gate and per qubit, and readout errors.

    >>> import qvalley as qv
    >>> m = qv.NoiseModel()
    >>> m.add_all_qubit_error(qv.noise.depolarizing(1e-3), ["h", "x"])
    >>> m.add_all_qubit_error(qv.noise.depolarizing(1e-2, 2), ["cx"])
    >>> m.add_readout_error(qv.noise.readout(0.02, 0.01))
    """

    def __init__(self, name: str = "custom") -> None:
        self.name = name
        self._all: dict[str, Channel] = {}
        self._local: dict[tuple[str, tuple[int, ...]], Channel] = {}
        self._readout: dict[int | None, ReadoutError] = {}
        self.virtual: frozenset[str] = frozenset()

    # -- building -----------------------------------------------------------------------
    def add_all_qubit_error(self, channel: Channel, gates: str | Iterable[str]) -> None:
        """``channel`` after every ``gates`` gate, whatever its qubits."""
        for g in _names(gates):
            self._all[g] = _checked(channel, g)

    def add_quantum_error(self, channel: Channel, gates: str | Iterable[str],
                          qubits: Sequence[int]) -> None:
        """``channel`` after ``gates`` gates acting on exactly ``qubits`` (in order)."""
        qs = tuple(int(q) for q in qubits)
        for g in _names(gates):
            ch = _checked(channel, g)
            if ch.num_qubits not in (1, len(qs)):
                raise NoiseError(f"a {ch.num_qubits}-qubit channel cannot follow {g} on "
                                 f"{len(qs)} qubits")
            self._local[(g, qs)] = ch

    def add_readout_error(self, error: ReadoutError, qubits: Sequence[int] | None = None
                          ) -> None:
        """``error`` on measurements of ``qubits`` (every qubit when None)."""
        if not isinstance(error, ReadoutError):
            raise NoiseError(f"a readout error is made with qv.noise.readout(p01, p10), got "
                             f"{type(error).__name__}")
        if qubits is None:
            self._readout[None] = error
        else:
            for q in qubits:
                self._readout[int(q)] = error

    # -- reading ------------------------------------------------------------------------
    def error_for(self, name: str, qubits: tuple[int, ...]) -> Channel | None:
        """The channel after gate ``name`` on ``qubits``, or None."""
        ch = self._local.get((name, qubits))
        if ch is None:
            ch = self._all.get(name)
        if ch is None:
            return None
        if ch.num_qubits != 1 and ch.num_qubits != len(qubits):
            raise NoiseError(f"the model's {ch.num_qubits}-qubit error for {name} cannot "
                             f"follow it on {len(qubits)} qubits {list(qubits)}")
        return ch

    def readout_for(self, qubit: int) -> ReadoutError | None:
        return self._readout.get(qubit, self._readout.get(None))

    @property
    def is_ideal(self) -> bool:
        return not (self._all or self._local or self._readout)

    def __repr__(self) -> str:
        return (f"NoiseModel({self.name}: {len(self._all)} gate errors, "
                f"{len(self._local)} local errors, {len(self._readout)} readout errors)")

    def pauli_twirled(self) -> "NoiseModel":
        """The same model with every gate and reset error replaced by its Pauli twirl
        (:func:`qvalley.noise.pauli_twirl`; readout errors kept): what the stabilizer
        backend can run, so that a machine's noise reaches Clifford circuits of
        thousands of qubits, approximately (coherent parts dropped).

        >>> import qvalley as qv
        >>> m = qv.NoiseModel.from_target("ibm-heron-r2").pauli_twirled()
        """
        out = NoiseModel(f"{self.name} (Pauli twirled)")
        twirled: dict[int, Channel] = {}

        def twirl(ch: Channel) -> Channel:
            if id(ch) not in twirled:
                twirled[id(ch)] = pauli_twirl(ch)
            return twirled[id(ch)]

        out._all = {g: twirl(ch) for g, ch in self._all.items()}
        out._local = {key: twirl(ch) for key, ch in self._local.items()}
        out._readout = dict(self._readout)
        out.virtual = self.virtual
        return out

    # -- presets ------------------------------------------------------------------------
    @classmethod
    def from_target(cls, target) -> "NoiseModel":
        """The model of a target (a preset name, a JSON file or a Target), see above."""
        from ..targets import get_target
        t = get_target(target)
        cal = t.calibration
        if cal is None:
            raise NoiseError(f"{t.name} has no calibration figures to build a noise model "
                             "from; give the target a calibration or build a NoiseModel "
                             "by hand")
        model = cls(t.name)
        one = [g for g, d in GATES.items() if d.num_qubits == 1 and g != "id"]
        two = [g for g, d in GATES.items() if d.num_qubits == 2]
        if t.name in IONQ_MODELS:
            r1, r2 = IONQ_MODELS[t.name]
            model.virtual = frozenset(_virtual(t))
            model.add_all_qubit_error(depolarizing(r1), [g for g in one
                                                          if g not in model.virtual])
            model.add_all_qubit_error(depolarizing(r2, 2), two)
            return model
        model.virtual = frozenset(_virtual(t))
        e1 = _gate_error(cal.error_1q, 1, cal.t1, cal.t2, cal.time_1q)
        e2 = _gate_error(cal.error_2q, 2, cal.t1, cal.t2, cal.time_2q)
        if e1 is not None:
            model.add_all_qubit_error(e1, [g for g in one if g not in model.virtual])
        if e2 is not None:
            model.add_all_qubit_error(e2, two)
        p01 = cal.readout_p01 if cal.readout_p01 is not None else cal.readout_error
        p10 = cal.readout_p10 if cal.readout_p10 is not None else cal.readout_error
        if p01 is not None and p10 is not None:
            model.add_readout_error(readout(p01, p10))
        return model


def _virtual(target) -> set[str]:
    """Gates done in software on ``target``: its virtual gates, and when RZ is virtual,
    every diagonal one-qubit gate (each is an RZ up to a global phase)."""
    out = set(target.virtual)
    if "rz" in out:
        out |= {g for g, d in GATES.items() if d.num_qubits == 1 and d.diagonal}
    return out


def _gate_error(error: float, n: int, t1, t2, time) -> Channel | None:
    """Depolarizing then thermal relaxation (Aer's recipe) with average gate error
    ``error``; relaxation only where T1, T2 and the gate time are all known."""
    relax = None
    if t1 is not None and t2 is not None and time:
        one = thermal_relaxation(t1, min(t2, 2 * t1), time)
        relax = one
        for _ in range(n - 1):
            relax = relax.tensor(one)
    d = 1 << n
    f_relax = relax.average_gate_fidelity() if relax is not None else 1.0
    error = min(error, d / (d + 1))
    if error <= 1 - f_relax:
        return relax
    p = d * (error - (1 - f_relax)) / (d * f_relax - 1)
    p = min(p, 4 ** n / (4 ** n - 1))
    depol = depolarizing(p, n)
    return depol if relax is None else depol.compose(relax)


def _checked(channel, gate: str) -> Channel:
    if not isinstance(channel, Channel):
        raise NoiseError(f"the error for {gate} must be a qv.noise channel (depolarizing, "
                         f"kraus, ...), got {type(channel).__name__}")
    return channel


def _names(gates) -> list[str]:
    names = [gates] if isinstance(gates, str) else list(gates)
    if not names:
        raise NoiseError("name at least one gate")
    for g in names:
        if g == "measure":
            raise NoiseError("a measurement's error is a readout error: use "
                             "add_readout_error(qv.noise.readout(p01, p10), qubits)")
        base = g[2:] if g.startswith("mc") and g[2:] in GATES else g
        if base not in GATES and g not in ("unitary", "reset"):
            raise NoiseError(f"unknown gate {g!r} in a noise model (gate names, 'mc' + a "
                             "gate name for a multi-controlled one, 'unitary', 'reset')")
    return names
