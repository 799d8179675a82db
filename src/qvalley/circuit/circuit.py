"""The :class:`Circuit`: an ordered list of instructions on qubits and classical bits.

>>> import qvalley as qv
>>> c = qv.Circuit(3)
>>> c.h(0).cx(0, 1).cx(1, 2).measure_all()   # doctest: +ELLIPSIS
Circuit(3 qubits, 3 clbits, 7 instructions)
>>> c.count_ops()
{'measure': 3, 'cx': 2, 'barrier': 1, 'h': 1}

Builder methods exist for every gate of the gate table (``c.rx(theta, q)``,
``c.cp(lam, control, target)``, ``c.ccx(c1, c2, target)``): parameters first, then qubits,
controls before targets. A qubit argument may be a list (or a register), which broadcasts
the gate over it as Qiskit does: ``c.h(range(3))``, ``c.cx([0, 1], [2, 3])``.
"""
from __future__ import annotations

import contextlib
import inspect
import math
from collections import Counter
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..errors import CircuitError
from .gates import ALIASES, GATES, GateDef, lookup
from .instruction import Condition, Instruction, Register, check_qubits
from .parameter import Parameter, ParameterExpression, check_finite, real_value

QubitSpec = "int | Sequence[int] | Register"

# Every shot records every classical bit (a count key is one character per bit), so a
# circuit of more bits than this is refused when built: measure(q, 10**9) is a typo, and
# running it would need gigabytes per shot.
MAX_CLBITS = 1 << 24


class Circuit:
    """A quantum circuit on ``num_qubits`` qubits and ``num_clbits`` classical bits.

    Classical bits grow as needed: ``measure(q, c)`` with ``c`` past the end extends the
    classical register.
    """

    def __init__(self, num_qubits: int = 0, num_clbits: int = 0, *, name: str | None = None):
        for what, value in (("num_qubits", num_qubits), ("num_clbits", num_clbits)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise CircuitError(f"{what} must be a non-negative int, got {value!r}")
        _check_clbit_total(int(num_clbits))
        self.name = name
        self._qregs: list[Register] = [Register("q", 0, int(num_qubits))] if num_qubits else []
        self._cregs: list[Register] = [Register("c", 0, int(num_clbits))] if num_clbits else []
        self._data: list[Instruction] = []
        self._conditions: list[Condition] = []
        self._last_call = 0  # index of the first instruction added by the last builder call

    # -- registers ----------------------------------------------------------------------
    @property
    def num_qubits(self) -> int:
        return sum(r.size for r in self._qregs)

    @property
    def num_clbits(self) -> int:
        return sum(r.size for r in self._cregs)

    @property
    def qregs(self) -> tuple[Register, ...]:
        return tuple(self._qregs)

    @property
    def cregs(self) -> tuple[Register, ...]:
        return tuple(self._cregs)

    def add_qreg(self, name: str, size: int) -> Register:
        """Add a quantum register of ``size`` qubits after the existing ones."""
        return self._add_reg(self._qregs, name, size, "qreg")

    def add_creg(self, name: str, size: int) -> Register:
        """Add a classical register of ``size`` bits after the existing ones."""
        return self._add_reg(self._cregs, name, size, "creg")

    def _add_reg(self, regs: list[Register], name: str, size: int, what: str) -> Register:
        if any(r.name == name for r in self._qregs + self._cregs):
            raise CircuitError(f"a register named {name!r} already exists")
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size <= 0:
            raise CircuitError(f"{what} {name} needs a positive size, got {size!r}")
        if regs is self._cregs:
            _check_clbit_total(self.num_clbits + int(size))
        reg = Register(name, sum(r.size for r in regs), int(size))
        regs.append(reg)
        return reg

    def qreg(self, name: str) -> Register:
        return _find(self._qregs, name, "quantum")

    def creg(self, name: str) -> Register:
        return _find(self._cregs, name, "classical")

    def _grow_clbits(self, needed: int) -> None:
        have = self.num_clbits
        if needed <= have:
            return
        _check_clbit_total(needed)
        if self._cregs and self._cregs[-1].name == "c":
            last = self._cregs[-1]
            self._cregs[-1] = Register("c", last.start, last.size + needed - have)
        else:
            name = "c"
            k = 0
            while any(r.name == name for r in self._qregs + self._cregs):
                k += 1
                name = f"c{k}"
            self._cregs.append(Register(name, have, needed - have))

    # -- container protocol -------------------------------------------------------------
    @property
    def data(self) -> list[Instruction]:
        """The instructions, in order (a list you may read; build with the methods)."""
        return self._data

    def __iter__(self) -> Iterator[Instruction]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, index):
        return self._data[index]

    # -- appending ----------------------------------------------------------------------
    def append(self, gate: str | Instruction, qubits: Sequence[int] = (), params: Sequence = (),
               clbits: Sequence[int] = ()) -> "Circuit":
        """Append a gate of the table by name (``c.append("rx", [0], [0.5])``) or an
        :class:`Instruction` (checked against this circuit's sizes)."""
        self._last_call = len(self._data)
        if isinstance(gate, Instruction):
            self._push(self._checked(gate))
            return self
        spec = lookup(gate)
        self._add_gate(spec, _param_list(params), _as_list(qubits))
        return self

    def _checked(self, instr: Instruction) -> Instruction:
        qubits = check_qubits(instr.qubits, self.num_qubits)
        clbits = tuple(instr.clbits)
        if clbits:
            if any(isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 0
                   for b in clbits):
                raise CircuitError(f"clbit indices must be non-negative ints, got {clbits}")
            self._grow_clbits(max(clbits) + 1)
        cond = instr.condition
        if cond is not None:
            check_qubits(cond.clbits, self.num_clbits, "clbit")
            if not cond.clbits or not 0 <= cond.value < 1 << len(cond.clbits):
                raise CircuitError(f"condition value {cond.value} does not fit in "
                                   f"{len(cond.clbits)} bits")
        if instr.kind == "gate":
            spec = lookup(instr.name)
            if len(qubits) != spec.num_qubits + instr.num_ctrl:
                raise CircuitError(f"gate {spec.name} with {instr.num_ctrl} controls acts on "
                                   f"{spec.num_qubits + instr.num_ctrl} qubits, got {len(qubits)}")
            if len(instr.params) != spec.num_params:
                raise CircuitError(f"gate {spec.name} takes {spec.num_params} parameters, "
                                   f"got {len(instr.params)}")
            where = self._where(spec.name)
            params = tuple(check_finite(p, where) for p in instr.params)
            instr = instr.replace(name=spec.name, params=params)
        return instr.replace(qubits=qubits)

    def _where(self, name: str) -> str:
        return f"gate {name} at position {len(self._data)}"

    def _extend_trusted(self, instrs: Sequence[Instruction]) -> None:
        """Append instructions qvalley itself built from an already checked circuit (the
        compiler's output: table names, in-range qubits and clbits, finite floats),
        without checking each again: 10**5 gates in milliseconds, not a second."""
        self._last_call = len(self._data)
        self._data.extend(instrs)

    def _push(self, instr: Instruction) -> None:
        if self._conditions and instr.kind != "barrier":
            if instr.condition is not None:
                raise CircuitError("an instruction can carry only one condition")
            instr = instr.replace(condition=self._conditions[-1])
        self._data.append(instr)

    def _add_gate(self, spec: GateDef, params: list, qubits: list,
                  num_ctrl: int = 0, ctrl_state: int | None = None) -> None:
        if len(params) != spec.num_params:
            raise CircuitError(f"gate {spec.name} takes {spec.num_params} parameters "
                               f"({', '.join(spec.params) or 'none'}), got {len(params)}")
        # finite floats and distinct in-range int qubits (the common case) skip the
        # general checks, which matter when a circuit has millions of gates
        params = tuple(p if type(p) is float and p - p == 0.0
                       else check_finite(p, self._where(spec.name)) for p in params)
        if all(type(q) is int for q in qubits):
            n = self.num_qubits
            if all(0 <= q < n for q in qubits) and len(set(qubits)) == len(qubits) and \
                    len(qubits) == spec.num_qubits + num_ctrl:
                self._push(Instruction("gate", spec.name, tuple(qubits), params,
                                       num_ctrl=num_ctrl, ctrl_state=ctrl_state))
                return
        for qs in _broadcast(qubits, spec.name, spec.num_qubits + num_ctrl):
            qs = check_qubits(qs, self.num_qubits)
            self._push(Instruction("gate", spec.name, qs, params, num_ctrl=num_ctrl,
                                   ctrl_state=ctrl_state))

    def unitary(self, matrix, qubits: int | Sequence[int], label: str | None = None, *,
                atol: float | None = None) -> "Circuit":
        """Append an arbitrary unitary. ``matrix`` is indexed little-endian in ``qubits``:
        ``qubits[0]`` is the least significant bit of its row and column index.

        The matrix must be square, of size 2**len(qubits) and unitary within ``atol``
        (default 1e-8 for double precision input, 1e-5 for single precision).
        """
        self._last_call = len(self._data)
        qubits = _as_list(qubits)
        mat = checked_unitary(matrix, len(qubits), atol)
        qs = check_qubits(qubits, self.num_qubits)
        self._push(Instruction("unitary", "unitary", qs, matrix=mat, label=label))
        return self

    def mc(self, gate: str | np.ndarray, controls: Sequence[int], targets: int | Sequence[int],
           params: Sequence = (), ctrl_state: int | str | None = None) -> "Circuit":
        """Append ``gate`` (a table name or a unitary matrix) controlled on ``controls``.

        ``ctrl_state`` gives the control values that trigger the gate: an int (bit i for
        control i) or a bit string read as in Qiskit (last character is control 0);
        by default all controls must be 1.
        """
        self._last_call = len(self._data)
        controls = _as_list(controls)
        targets = _as_list(targets)
        params = _param_list(params)
        k = len(controls)
        state = _ctrl_state(ctrl_state, k)
        qs = check_qubits(controls + targets, self.num_qubits)
        if isinstance(gate, str):
            spec = lookup(gate)
            if len(targets) != spec.num_qubits:
                raise CircuitError(f"gate {spec.name} acts on {spec.num_qubits} qubits, "
                                   f"got {len(targets)} targets")
            if len(params) != spec.num_params:
                raise CircuitError(f"gate {spec.name} takes {spec.num_params} parameters, "
                                   f"got {len(params)}")
            named = _NAMED_CONTROLLED.get((spec.name, k))
            if named is not None and state == (1 << k) - 1:
                self._add_gate(GATES[named], list(params), list(qs))
            elif k == 0:
                self._add_gate(spec, list(params), list(qs))
            else:
                self._add_gate(spec, list(params), list(qs), num_ctrl=k, ctrl_state=state)
            return self
        mat = checked_unitary(gate, len(targets), None)
        self._push(Instruction("unitary", "unitary", qs, matrix=mat, num_ctrl=k,
                               ctrl_state=state))
        return self

    def mcx(self, controls: Sequence[int], target: int,
            ctrl_state: int | str | None = None) -> "Circuit":
        """Multi-controlled X (Toffoli generalised to any number of controls)."""
        return self.mc("x", controls, [target], (), ctrl_state)

    def mcp(self, lam, controls: Sequence[int], target: int) -> "Circuit":
        """Multi-controlled phase: phase e^{iλ} when every control and the target are 1."""
        return self.mc("p", controls, [target], (lam,))

    def mcrx(self, theta, controls: Sequence[int], target: int) -> "Circuit":
        return self.mc("rx", controls, [target], (theta,))

    def mcry(self, theta, controls: Sequence[int], target: int) -> "Circuit":
        return self.mc("ry", controls, [target], (theta,))

    def mcrz(self, theta, controls: Sequence[int], target: int) -> "Circuit":
        return self.mc("rz", controls, [target], (theta,))

    # -- non-unitary operations ---------------------------------------------------------
    def measure(self, qubit: int | Sequence[int], clbit: int | Sequence[int]) -> "Circuit":
        """Measure ``qubit`` in the computational basis into ``clbit`` (lists broadcast)."""
        self._last_call = len(self._data)
        for q, c in _broadcast([qubit, clbit], "measure", 2):
            (q,) = check_qubits([q], self.num_qubits)
            c = _clbit_index(c)
            self._grow_clbits(c + 1)
            self._push(Instruction("measure", "measure", (q,), clbits=(c,)))
        return self

    def measure_all(self, add_register: bool = True) -> "Circuit":
        """Barrier, then measure every qubit: qubit i into bit i of a new register ``meas``
        (or of the existing clbits with ``add_register=False``)."""
        n = self.num_qubits
        if n == 0:  # nothing to measure (and a register cannot be empty)
            return self
        if add_register:
            name = "meas"
            k = 0
            while any(r.name == name for r in self._qregs + self._cregs):
                k += 1
                name = f"meas{k}"
            reg = self.add_creg(name, n)
            targets = list(reg)
        else:
            if self.num_clbits < n:
                raise CircuitError(f"measure_all(add_register=False) needs {n} clbits, the "
                                   f"circuit has {self.num_clbits}")
            targets = list(range(n))
        self.barrier()
        self.measure(list(range(n)), targets)
        self._last_call = len(self._data) - n - 1
        return self

    def reset(self, qubit: int | Sequence[int]) -> "Circuit":
        """Reset ``qubit`` to |0> (lists broadcast)."""
        self._last_call = len(self._data)
        for (q,) in _broadcast([qubit], "reset", 1):
            (q,) = check_qubits([q], self.num_qubits)
            self._push(Instruction("reset", "reset", (q,)))
        return self

    def barrier(self, *qubits) -> "Circuit":
        """A barrier on ``qubits`` (all qubits if none given)."""
        self._last_call = len(self._data)
        flat: list[int] = []
        for q in qubits:
            flat.extend(_as_list(q))
        if not qubits:
            flat = list(range(self.num_qubits))
        self._push(Instruction("barrier", "barrier", check_qubits(flat, self.num_qubits)))
        return self

    # -- classical conditions -----------------------------------------------------------
    def _condition(self, target, value: int | None) -> Condition:
        if value is None and isinstance(target, tuple) and len(target) == 2:
            target, value = target
        if isinstance(value, (bool, np.bool_)):
            value = int(value)
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise CircuitError(f"condition value must be a non-negative int, got {value!r}")
        register = None
        if isinstance(target, str):
            reg = self.creg(target)
            bits, register = tuple(reg), reg.name
        elif isinstance(target, Register):
            if target not in self._cregs:
                raise CircuitError(f"{target.name} is not a classical register of this "
                                   "circuit")
            bits, register = tuple(target), target.name
        else:
            bits = _as_list(target)
        bits = check_qubits(bits, self.num_clbits, "clbit")
        if not bits:
            raise CircuitError("a condition needs at least one classical bit")
        if value >= 1 << len(bits):
            raise CircuitError(f"condition value {value} does not fit in {len(bits)} bits")
        return Condition(bits, int(value), register)

    @contextlib.contextmanager
    def if_test(self, target, value: int | None = None):
        """Condition every instruction appended inside the block on classical bits.

        ``target`` is a classical register name, a :class:`Register`, a clbit index or a
        list of clbit indices (read little-endian); Qiskit's ``(target, value)`` tuple
        form works too. This is OpenQASM 2's ``if (c == value)``.

        >>> c = Circuit(1, 1)
        >>> c = c.measure(0, 0)
        >>> with c.if_test("c", 1):
        ...     c = c.x(0)
        """
        if self._conditions:
            raise CircuitError("nested if_test() blocks are not supported: an instruction "
                               "carries one condition; combine the bits into one condition "
                               "on a list of clbits instead")
        self._conditions.append(self._condition(target, value))
        try:
            yield self
        finally:
            self._conditions.pop()

    def c_if(self, target, value: int | None = None) -> "Circuit":
        """Condition the instructions added by the last builder call (as Qiskit's old
        ``c_if``): ``c.x(0).c_if("c", 1)``."""
        cond = self._condition(target, value)
        if self._conditions:
            raise CircuitError("c_if() inside an if_test() block: an instruction can carry "
                               "only one condition; combine the bits into one condition")
        if self._last_call >= len(self._data):
            raise CircuitError("c_if() needs an instruction before it")
        for i in range(self._last_call, len(self._data)):
            if self._data[i].kind != "barrier":
                self._data[i] = self._data[i].replace(condition=cond)
        return self

    # -- whole-circuit operations -------------------------------------------------------
    def copy(self, name: str | None = None) -> "Circuit":
        new = self.copy_empty(name)
        new._data = list(self._data)
        new._last_call = self._last_call  # c_if on the copy conditions the same call
        return new

    def copy_empty(self, name: str | None = None) -> "Circuit":
        """A circuit with the same registers and no instructions."""
        new = Circuit(name=name if name is not None else self.name)
        new._qregs = list(self._qregs)
        new._cregs = list(self._cregs)
        return new

    def inverse(self) -> "Circuit":
        """The adjoint circuit. Only unitary circuits (barriers allowed) can be inverted."""
        new = self.copy_empty(None if self.name is None else self.name + "_dg")
        for instr in reversed(self._data):
            new._data.extend(instr.inverse())
        new._last_call = len(new._data)  # no builder call to condition with c_if
        return new

    def compose(self, other: "Circuit", qubits: Sequence[int] | None = None,
                clbits: Sequence[int] | None = None, *, front: bool = False,
                inplace: bool = False) -> "Circuit":
        """Append ``other`` (or prepend with ``front=True``), its qubit i mapped to
        ``qubits[i]`` (identity by default). Returns the result (``self`` if inplace)."""
        if not isinstance(other, Circuit):
            raise CircuitError(f"compose() takes a Circuit, got {type(other).__name__}")
        if qubits is None and other.num_qubits > self.num_qubits:
            raise CircuitError(f"compose(): the other circuit has {other.num_qubits} qubits, "
                               f"more than this circuit's {self.num_qubits} (qubit "
                               f"{self.num_qubits} would be out of range); compose the "
                               "other way round, or add qubits first")
        qmap = list(range(other.num_qubits)) if qubits is None else _as_list(qubits)
        cmap = list(range(other.num_clbits)) if clbits is None else _as_list(clbits)
        if len(qmap) != other.num_qubits:
            raise CircuitError(f"compose(): {len(qmap)} qubits given for a circuit of "
                               f"{other.num_qubits}")
        if len(cmap) != other.num_clbits:
            raise CircuitError(f"compose(): {len(cmap)} clbits given for a circuit of "
                               f"{other.num_clbits}")
        target = self if inplace else self.copy()
        qmap = list(check_qubits(qmap, target.num_qubits))
        cmap = [_clbit_index(b) for b in cmap]
        if len(set(cmap)) != len(cmap):
            raise CircuitError(f"compose(): clbits {cmap} repeat an index")
        block = self._conditions[-1] if inplace and self._conditions else None
        if cmap:
            target._grow_clbits(max(cmap) + 1)
        identity_c = cmap == list(range(other.num_clbits))
        mapped = []
        for instr in other._data:
            cond = instr.condition
            if cond is not None:
                register = cond.register
                if not (identity_c and register is not None and
                        any(r == _find(other._cregs, register, "classical")
                            for r in target._cregs)):
                    register = None
                cond = Condition(tuple(cmap[b] for b in cond.clbits), cond.value, register)
            if block is not None and instr.kind != "barrier":  # inside if_test() on self
                if cond is not None:
                    raise CircuitError("compose() inside an if_test() block: the composed "
                                       f"{instr.name} is conditioned already, and an "
                                       "instruction can carry only one condition")
                cond = block
            mapped.append(instr.replace(qubits=tuple(qmap[q] for q in instr.qubits),
                                        clbits=tuple(cmap[b] for b in instr.clbits),
                                        condition=cond))
        if front:
            target._data[:0] = mapped
            target._last_call = len(target._data)  # c_if() would not know what to condition
        else:
            target._last_call = len(target._data)
            target._data.extend(mapped)
        return target

    def __add__(self, other: "Circuit") -> "Circuit":
        return self.compose(other)

    # -- parameters ---------------------------------------------------------------------
    @property
    def parameters(self) -> tuple[Parameter, ...]:
        """The free parameters, sorted by name."""
        first_use: dict[Parameter, int] = {}
        for instr in self._data:
            for p in instr.params:
                if isinstance(p, ParameterExpression):
                    for sym in sorted(p.parameters, key=lambda s: s.name):
                        first_use.setdefault(sym, len(first_use))
        # parameters that share a name are ordered by first use, so that binding a list
        # of values is deterministic
        return tuple(sorted(first_use, key=lambda p: (p.name, first_use[p])))

    @property
    def num_parameters(self) -> int:
        return len(self.parameters)

    def assign_parameters(self, values: Mapping | Sequence, *, inplace: bool = False,
                          strict: bool = True) -> "Circuit":
        """Bind parameters to numbers (or to other expressions).

        ``values`` maps Parameter objects (or their names) to values, or lists values in
        the order of :attr:`parameters`. NaN and infinite results are refused, naming the
        gate and its position.
        """
        params = self.parameters
        if isinstance(values, Mapping):
            by_name = {p.name: p for p in params}
            mapping = {}
            for key, val in values.items():
                if isinstance(key, str):
                    if key not in by_name:
                        if strict:
                            raise CircuitError(f"the circuit has no parameter named {key!r}")
                        continue
                    if sum(1 for p in params if p.name == key) > 1:
                        raise CircuitError(f"parameter name {key!r} is ambiguous: the circuit "
                                           "has several parameters of that name; bind them "
                                           "by Parameter object")
                    key = by_name[key]
                elif strict and key not in params:
                    raise CircuitError(f"the circuit has no parameter {key!r}")
                mapping[key] = val
        else:
            values = list(np.asarray(values, dtype=object).ravel()) \
                if isinstance(values, np.ndarray) else list(values)
            if len(values) != len(params):
                raise CircuitError(f"{len(values)} values given for {len(params)} parameters "
                                   f"({', '.join(p.name for p in params)})")
            mapping = dict(zip(params, values))
        for key, val in mapping.items():
            try:
                number = None if isinstance(val, ParameterExpression) else real_value(val)
            except TypeError:
                number = None  # reported, with the gate, when bound
            if number is not None and not math.isfinite(number):
                where = next((f"gate {ins.display_name} at position {i}"
                              for i, ins in enumerate(self._data)
                              if any(isinstance(p, ParameterExpression) and key in p.parameters
                                     for p in ins.params)), "circuit")
                raise CircuitError(f"{where}: parameter {key.name} bound to {val}; angles "
                                   "must be finite numbers")
        target = self if inplace else self.copy()
        target._data = [ins.bind(mapping, f"gate {ins.display_name} at position {i}")
                        for i, ins in enumerate(target._data)]
        return target

    bind = assign_parameters

    # -- metrics ------------------------------------------------------------------------
    def depth(self) -> int:
        """Length of the critical path over qubits and clbits (barriers not counted, but,
        as in Qiskit, they order the operations on their qubits)."""
        nq = self.num_qubits
        level: dict[int, int] = {}  # per wire touched so far (a wide circuit stays cheap)
        best = 0
        for instr in self._data:
            if instr.kind == "barrier":
                if instr.qubits:
                    d = max(level.get(q, 0) for q in instr.qubits)
                    for q in instr.qubits:
                        level[q] = d
                continue
            wires = list(instr.qubits) + [nq + b for b in instr.clbits]
            if instr.condition is not None:
                wires += [nq + b for b in instr.condition.clbits]
            d = max(level.get(w, 0) for w in wires) + 1
            for w in wires:
                level[w] = d
            best = max(best, d)
        return best

    def size(self) -> int:
        """Number of operations, barriers excluded."""
        return sum(1 for i in self._data if i.kind != "barrier")

    def count_ops(self) -> dict[str, int]:
        """Operation counts by name, most frequent first."""
        counts = Counter(i.display_name for i in self._data)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def num_nonlocal_gates(self) -> int:
        return sum(1 for i in self._data if i.is_unitary and len(i.qubits) > 1)

    @property
    def width(self) -> int:
        return self.num_qubits + self.num_clbits

    # -- comparison and printing --------------------------------------------------------
    def __eq__(self, other) -> bool:
        if not isinstance(other, Circuit):
            return NotImplemented
        return (self.num_qubits == other.num_qubits and self.num_clbits == other.num_clbits
                and self._data == other._data)

    __hash__ = None

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        return (f"Circuit({name}{self.num_qubits} qubits, {self.num_clbits} clbits, "
                f"{len(self._data)} instructions)")

    def draw(self, output: str = "text", **kwargs):
        """A drawing of the circuit; ``output="text"`` returns a multi-line string."""
        from ..viz.text import draw_text
        if output != "text":
            raise CircuitError(f"unknown drawing output {output!r}; use 'text'")
        return draw_text(self, **kwargs)

    def __str__(self) -> str:
        return self.draw()


# -- builder methods generated from the gate table -------------------------------------------

_NAMED_CONTROLLED = {("x", 1): "cx", ("x", 2): "ccx", ("x", 3): "c3x", ("x", 4): "c4x",
                     ("y", 1): "cy", ("z", 1): "cz", ("z", 2): "ccz", ("h", 1): "ch",
                     ("p", 1): "cp", ("rx", 1): "crx", ("ry", 1): "cry", ("rz", 1): "crz",
                     ("sx", 1): "csx", ("s", 1): "cs", ("sdg", 1): "csdg",
                     ("swap", 1): "cswap", ("u1", 1): "cu1", ("u3", 1): "cu3",
                     ("sx", 3): "c3sx"}


def _builder(spec: GateDef):
    nparams = spec.num_params

    def method(self: Circuit, *args) -> Circuit:
        expected = nparams + spec.num_qubits
        if len(args) != expected:
            raise CircuitError(
                f"{spec.name}() takes {nparams} parameter(s) then {spec.num_qubits} "
                f"qubit(s) ({', '.join(spec.params + _qubit_names(spec))}), got {len(args)} "
                "arguments")
        self._last_call = len(self._data)
        self._add_gate(spec, list(args[:nparams]), list(args[nparams:]))
        return self

    method.__name__ = spec.name
    method.__qualname__ = f"Circuit.{spec.name}"
    method.__doc__ = f"{spec.doc}\n\nAppends ``{spec.name}`` and returns the circuit."
    sig = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    sig += [inspect.Parameter(p if p != "lambda" else "lam", inspect.Parameter.POSITIONAL_ONLY)
            for p in spec.params]
    sig += [inspect.Parameter(q, inspect.Parameter.POSITIONAL_ONLY) for q in _qubit_names(spec)]
    method.__signature__ = inspect.Signature(sig, return_annotation="Circuit")
    return method


def _qubit_names(spec: GateDef) -> tuple[str, ...]:
    if spec.num_qubits == 1:
        return ("qubit",)
    if spec.controls:
        ctrl = ("control",) if spec.controls == 1 else tuple(
            f"control{i + 1}" for i in range(spec.controls))
        tgt = ("target",) if spec.num_qubits - spec.controls == 1 else tuple(
            f"target{i + 1}" for i in range(spec.num_qubits - spec.controls))
        return ctrl + tgt
    return tuple(f"qubit{i + 1}" for i in range(spec.num_qubits))


for _name, _spec in GATES.items():
    setattr(Circuit, _name, _builder(_spec))
for _alias, _name in ALIASES.items():
    if _alias.isidentifier() and not hasattr(Circuit, _alias):
        setattr(Circuit, _alias, getattr(Circuit, _name))


# -- helpers ---------------------------------------------------------------------------------

def _find(regs: list[Register], name: str, what: str) -> Register:
    for r in regs:
        if r.name == name:
            return r
    raise CircuitError(f"no {what} register named {name!r}")


def _is_seq(x) -> bool:
    if isinstance(x, np.ndarray):
        return x.ndim > 0  # a 0-d array is a scalar
    return isinstance(x, (list, tuple, range, Register))


def _as_list(x) -> list:
    """Index arguments as a list: a sequence as is, anything else as one index (which
    check_qubits then validates)."""
    return list(x) if _is_seq(x) else [x]


def _param_list(params) -> list:
    """Gate parameters as a list; a single number or expression stands for itself."""
    if isinstance(params, (list, tuple)) or (isinstance(params, np.ndarray) and params.ndim):
        return list(params)
    return [params]


def _clbit_index(c) -> int:
    """A clbit index (classical bits grow as needed, up to MAX_CLBITS)."""
    if isinstance(c, np.ndarray) and c.ndim == 0:
        c = c[()]
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer)) or c < 0:
        raise CircuitError(f"clbit index must be a non-negative int, got {c!r}")
    _check_clbit_total(int(c) + 1)
    return int(c)


def _check_clbit_total(total: int) -> None:
    if total > MAX_CLBITS:
        raise CircuitError(f"the circuit would have {total} classical bits; at most "
                           f"{MAX_CLBITS} are supported (every shot records every bit)")


def _broadcast(args: list, name: str, arity: int) -> Iterable[tuple]:
    """Qiskit-style broadcasting of qubit arguments: lists zip, scalars repeat."""
    if len(args) != arity:
        raise CircuitError(f"{name} acts on {arity} qubits, got {len(args)}")
    if not any(_is_seq(a) for a in args):
        return [tuple(args)]
    lists = [list(a) if _is_seq(a) else None for a in args]
    lengths = {len(x) for x in lists if x is not None}
    if len(lengths) != 1:
        raise CircuitError(f"{name}: qubit lists of different lengths {sorted(lengths)} "
                           "cannot be broadcast")
    (n,) = lengths
    return [tuple(lists[j][i] if lists[j] is not None else args[j] for j in range(arity))
            for i in range(n)]


def _ctrl_state(state, k: int) -> int:
    if state is None:
        return (1 << k) - 1
    if isinstance(state, str):
        if len(state) != k or set(state) - {"0", "1"}:
            raise CircuitError(f"ctrl_state {state!r} must be {k} characters of 0 and 1")
        return int(state, 2) if state else 0
    if isinstance(state, (bool, np.bool_)) or not isinstance(state, (int, np.integer)) \
            or not 0 <= state < (1 << k):
        raise CircuitError(f"ctrl_state {state!r} must be an int in [0, {(1 << k) - 1}]")
    return int(state)


def checked_unitary(matrix, num_qubits: int, atol: float | None) -> np.ndarray:
    """Validate a user matrix (shape, finiteness, unitarity) and return it as complex128.

    The tolerance depends on the input precision unless ``atol`` is given; a matrix that
    passes is projected onto the nearest exact unitary so that norm is preserved.
    """
    try:
        arr = np.asarray(matrix)
    except Exception as exc:  # noqa: BLE001 - anything array-like may fail here
        raise CircuitError(f"unitary: cannot read the matrix: {exc}") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise CircuitError(f"unitary: the matrix must hold numbers, got dtype {arr.dtype}")
    dim = 1 << num_qubits
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise CircuitError(f"unitary: the matrix must be square, got shape {arr.shape}")
    if arr.shape[0] != dim:
        raise CircuitError(f"unitary: a matrix on {num_qubits} qubit(s) must be {dim}x{dim}, "
                           f"got {arr.shape[0]}x{arr.shape[1]}")
    if not np.all(np.isfinite(arr)):
        raise CircuitError("unitary: the matrix holds NaN or infinite entries")
    if atol is None:
        if arr.dtype == np.float16:
            atol = 1e-2
        elif arr.dtype in (np.float32, np.complex64):
            atol = 1e-5
        else:
            atol = 1e-8
    mat = arr.astype(np.complex128)
    deviation = float(np.max(np.abs(mat.conj().T @ mat - np.eye(dim))))
    if deviation > atol:
        raise CircuitError(f"unitary: the matrix is not unitary: max |U†U - I| = "
                           f"{deviation:.3g} > tolerance {atol:g} (pass atol= to loosen)")
    if deviation > 1e-14:
        w, _, vh = np.linalg.svd(mat)
        mat = w @ vh
    return mat
