"""Circuits to and from Qiskit's ``QuantumCircuit`` (extra ``qvalley[qiskit]``).

Every gate both libraries define has the same name and the same matrix, global phase
included (tests check each one), so most instructions map one to one; registers keep their
names and sizes; parameters keep their names (the same Parameter object maps to the same
Parameter both ways, and expressions are rebuilt node by node). Qiskit's extras:

* a controlled gate outside the table becomes our base gate under controls
  (``ctrl_state`` means the same in both), ``UnitaryGate`` a unitary, any other gate with
  a matrix a unitary, and one with only a ``definition`` is expanded;
* ``if_else`` blocks (and the legacy ``c_if``) on a clbit or a register become conditioned
  instructions (an ``else`` branch, or a condition on an expression, is refused by name);
* a numeric global phase becomes a phase on qubit 0 (so states agree exactly).

Back to Qiskit, IonQ's native gates (gpi, gpi2, ms, zz: not in Qiskit's library) become
gates with their definitions in standard gates, which Aer and ``transpile`` understand.

>>> import qvalley as qv
>>> from qvalley.interop.qiskit import from_qiskit, to_qiskit
>>> qc = to_qiskit(qv.Circuit(2).h(0).cx(0, 1).measure_all())
>>> qc.count_ops()["cx"]
1
>>> from_qiskit(qc).count_ops()["cx"]
1
"""
from __future__ import annotations

import cmath
import math

import numpy as np

from ..circuit import Circuit, Parameter, ParameterExpression
from ..circuit.gates import GATES, lookup
from ..circuit.instruction import Condition, Instruction
from ..errors import CircuitError

_QISKIT_NAMES = {"rcccx": "rc3x"}  # Qiskit's name -> ours, where they differ
_OURS_TO_QISKIT = {v: k for k, v in _QISKIT_NAMES.items()}


def _qiskit():
    try:
        import qiskit
    except ImportError:  # pragma: no cover - the tests install it
        raise CircuitError("the Qiskit bridge needs qiskit: pip install 'qvalley[qiskit]'") \
            from None
    return qiskit


# -- parameters -------------------------------------------------------------------------

def _to_qiskit_param(value, table: dict):
    """Our number or expression as Qiskit's, ``table`` mapping our Parameters to theirs."""
    if not isinstance(value, ParameterExpression):
        return float(value)
    from qiskit.circuit import Parameter as QParameter
    from ..circuit.parameter import _fold

    def leaf(n):
        if n[0] == "param":
            p = n[1]
            if p not in table:
                table[p] = QParameter(p.name)
            return table[p]
        return float(n[1])

    def combine(n, args):
        if n[0] == "neg":
            return -args[0]
        if n[0] == "func":
            a = args[0]
            if n[1] == "sqrt":
                return a ** 0.5
            name = {"ln": "log", "asin": "arcsin", "acos": "arccos", "atan": "arctan"}.get(
                n[1], n[1])
            return getattr(a, name)() if hasattr(a, name) else getattr(math, n[1])(a)
        a, b = args
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: a / b, "^": lambda: a ** b}[n[1]]()

    return _fold(value._node, leaf, combine)


def _from_qiskit_param(value, table: dict):
    """Qiskit's number or expression as ours (``table``: their Parameters to ours)."""
    from qiskit.circuit import ParameterExpression as QExpr
    if not isinstance(value, QExpr):
        return float(value)
    if not value.parameters:
        return float(value)
    for p in value.parameters:
        if p not in table:
            table[p] = Parameter(p.name)
    if len(value.parameters) == 1 and next(iter(value.parameters)) is value:
        return table[value]
    # an affine expression is rebuilt exactly from its gradients; others through sympy
    params = list(value.parameters)
    try:
        coeffs = [complex(value.gradient(p)) for p in params]
        const = complex(value.bind({p: 0.0 for p in params}))
        if all(abs(c.imag) < 1e-15 for c in coeffs + [const]):
            out = const.real
            for p, c in zip(params, coeffs):
                out = out + c.real * table[p]
            return out
    except TypeError:
        pass
    return _from_text(str(value), {p.name: table[p] for p in params})


def _from_text(text: str, names: dict):
    """A Qiskit expression from its text (Python syntax: ``2*a + sin(b)``, ``a**2``),
    parameter names (which may hold brackets, ``θ[0]``) swapped for placeholders first;
    no computer algebra needed."""
    import ast
    import re
    placeholders = {}
    for k, name in enumerate(sorted(names, key=len, reverse=True)):
        token = f"_qv_param_{k}"
        pattern = r"(?<![\w\]])" + re.escape(name) + r"(?![\w\[])"
        text, count = re.subn(pattern, token, text)
        if count:
            placeholders[token] = names[name]
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise CircuitError(f"Qiskit parameter expression {text!r} cannot be read") from None
    funcs = {"sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp", "log": "log",
             "sqrt": "sqrt"}

    def build(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in placeholders:
                return placeholders[node.id]
            if node.id in ("pi", "π"):
                return math.pi
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = build(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = build(node.left), build(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}
            for kind, fn in ops.items():
                if isinstance(node.op, kind):
                    return fn()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in funcs and len(node.args) == 1:
            v = build(node.args[0])
            if isinstance(v, ParameterExpression):
                return getattr(v, funcs[node.func.id])()
            return getattr(math, node.func.id)(v)
        raise CircuitError(f"Qiskit parameter expression {text!r}: {ast.dump(node)} is not "
                           "supported")

    return build(tree)


# -- to Qiskit ----------------------------------------------------------------------------

def to_qiskit(circuit: Circuit):
    """A ``qiskit.QuantumCircuit`` equal to ``circuit`` (registers, parameters,
    conditions as ``if_test`` blocks)."""
    _qiskit()
    from qiskit.circuit import ClassicalRegister, QuantumCircuit, QuantumRegister
    from qiskit.circuit.library import UnitaryGate, get_standard_gate_name_mapping
    standard = get_standard_gate_name_mapping()
    qregs = [QuantumRegister(r.size, r.name) for r in circuit.qregs]
    cregs = [ClassicalRegister(r.size, r.name) for r in circuit.cregs]
    qc = QuantumCircuit(*qregs, *cregs, name=circuit.name)
    qubits, clbits = list(qc.qubits), list(qc.clbits)
    table: dict = {}
    for i, ins in enumerate(circuit.data):
        op = _to_qiskit_op(ins, i, standard, table, UnitaryGate)
        qargs = [qubits[q] for q in ins.qubits]
        cargs = [clbits[c] for c in ins.clbits]
        if ins.condition is None:
            qc.append(op, qargs, cargs)
            continue
        cond = ins.condition
        reg = next((r for r, ours in zip(cregs, circuit.cregs) if ours.name ==
                    cond.register and tuple(ours) == cond.clbits), None)
        if reg is not None:
            target = (reg, cond.value)
        elif len(cond.clbits) == 1:
            target = (clbits[cond.clbits[0]], cond.value)
        else:
            from qiskit.circuit.classical import expr
            e = None
            for k, b in enumerate(cond.clbits):
                bit = expr.lift(clbits[b])
                term = bit if (cond.value >> k) & 1 else expr.logic_not(bit)
                e = term if e is None else expr.logic_and(e, term)
            target = e
        with qc.if_test(target):
            qc.append(op, qargs, cargs)
    return qc


def _to_qiskit_op(ins: Instruction, i: int, standard: dict, table: dict, UnitaryGate):
    from qiskit.circuit import Barrier, Gate, Measure, QuantumCircuit, Reset
    if ins.kind == "measure":
        return Measure()
    if ins.kind == "reset":
        return Reset()
    if ins.kind == "barrier":
        return Barrier(len(ins.qubits))
    if ins.kind == "unitary":
        gate = UnitaryGate(ins.matrix, label=ins.label)
        return gate.control(ins.num_ctrl, ctrl_state=ins.ctrl_state) if ins.num_ctrl \
            else gate
    if ins.kind != "gate":
        raise CircuitError(f"{ins.kind} {ins.name} at position {i} has no Qiskit form")
    params = [_to_qiskit_param(p, table) for p in ins.params]
    name = _OURS_TO_QISKIT.get(ins.name, ins.name)
    spec = GATES[ins.name]
    if name in standard:
        proto = standard[name]
        gate = type(proto)(*params) if params else proto
    elif spec.controls and spec.base:  # c3x, c4x: X under controls
        base = standard[spec.base]
        gate = base.control(spec.controls)
    elif spec.definition is not None:
        qdef = QuantumCircuit(spec.num_qubits)
        for step, step_params, step_qubits in spec.definition(*ins.params):
            step_ins = Instruction("gate", step, tuple(step_qubits), tuple(step_params))
            qdef.append(_to_qiskit_op(step_ins, i, standard, table, UnitaryGate),
                        list(step_qubits))
        gate = Gate(spec.name, spec.num_qubits, params)
        gate.definition = qdef
    else:
        gate = UnitaryGate(spec.matrix(*map(float, ins.params)), label=spec.name)
    if ins.num_ctrl:
        gate = gate.control(ins.num_ctrl, ctrl_state=ins.ctrl_state)
    return gate


# -- from Qiskit --------------------------------------------------------------------------

def from_qiskit(qc) -> Circuit:
    """A qvalley Circuit equal to the ``qiskit.QuantumCircuit`` ``qc`` (see the module
    docstring for what maps how)."""
    _qiskit()
    c = Circuit(name=qc.name)
    for reg in qc.qregs:
        c.add_qreg(reg.name, reg.size)
    loose_q = [b for b in qc.qubits if not qc.find_bit(b).registers]
    if loose_q:
        c.add_qreg(_free_name(c, "q"), len(loose_q))
    for reg in qc.cregs:
        c.add_creg(reg.name, reg.size)
    loose_c = [b for b in qc.clbits if not qc.find_bit(b).registers]
    if loose_c:
        c.add_creg(_free_name(c, "c"), len(loose_c))
    qindex = _bit_index(qc.qregs, loose_q)
    cindex = _bit_index(qc.cregs, loose_c)
    table: dict = {}
    phase = _phase(qc.global_phase, 0) if c.num_qubits else None
    if phase is not None:
        c.append(phase)
    _append_all(c, qc.data, qindex, cindex, table, None, qc)
    return c


def _phase(value, qubit: int) -> Instruction | None:
    """A numeric global phase as e^{i phase} on ``qubit`` (None when zero or symbolic:
    a symbolic phase changes no measurement)."""
    if hasattr(value, "parameters") and value.parameters:
        return None
    if abs(float(value)) <= 1e-15:
        return None
    return Instruction("unitary", "unitary", (qubit,),
                       matrix=cmath.exp(1j * float(value)) * np.eye(2), label="global_phase")


def _free_name(c: Circuit, base: str) -> str:
    names = {r.name for r in c.qregs + c.cregs}
    k = 0
    name = base
    while name in names:
        k += 1
        name = f"{base}{k}"
    return name


def _bit_index(regs, loose) -> dict:
    """Our index of each Qiskit bit: registers in order, then the bits in no register."""
    out = {}
    k = 0
    for reg in regs:
        for b in reg:
            out.setdefault(b, k)
            k += 1
    for b in loose:
        out[b] = k
        k += 1
    return out


def _condition_of(cond, cindex, c: Circuit) -> Condition:
    from qiskit.circuit import Clbit, ClassicalRegister
    target, value = cond if isinstance(cond, tuple) else (None, None)
    if isinstance(target, Clbit):
        return Condition((cindex[target],), int(bool(value)))
    if isinstance(target, ClassicalRegister):
        bits = tuple(cindex[b] for b in target)
        ours = next((r.name for r in c.cregs if tuple(r) == bits), None)
        return Condition(bits, int(value), ours)
    raise CircuitError(f"a condition on {cond!r} (a classical expression) is not supported; "
                       "condition on one clbit or a register")


def _append_all(c: Circuit, data, qindex, cindex, table, condition, qc) -> None:
    for pos, item in enumerate(data):
        op = item.operation
        qs = tuple(qindex[b] for b in item.qubits)
        cs = tuple(cindex[b] for b in item.clbits)
        cond = condition
        name = op.name
        legacy = getattr(op, "condition", None) if name != "if_else" else None
        if legacy is not None:  # Qiskit 1's c_if
            cond = _condition_of(legacy, cindex, c)
        if name == "if_else":
            if cond is not None:
                raise CircuitError(f"a nested if_else at position {pos} is not supported")
            true_body, false_body = op.blocks[0], (op.blocks[1] if len(op.blocks) > 1 else
                                                   None)
            if false_body is not None and len(false_body.data):
                raise CircuitError(f"if_else at position {pos} has an else branch; only "
                                   "if blocks are supported")
            inner_q = {b: qindex[o] for b, o in zip(true_body.qubits, item.qubits)}
            inner_c = {b: cindex[o] for b, o in zip(true_body.clbits, item.clbits)}
            inner_c.update({b: cindex[b] for b in cindex})  # the condition names outer bits
            _append_all(c, true_body.data, inner_q, inner_c, table,
                        _condition_of(op.condition, cindex, c), qc)
            continue
        if name in ("for_loop", "while_loop", "switch_case", "box"):
            raise CircuitError(f"{name} at position {pos} is not supported by the Qiskit "
                               "bridge; unroll it first")
        try:
            ins = _from_qiskit_op(op, qs, cs, table, pos)
        except CircuitError:
            raise
        except Exception as exc:  # noqa: BLE001 - Qiskit's objects are open-ended
            raise CircuitError(f"Qiskit instruction {name!r} at position {pos} cannot be "
                               f"converted: {exc}") from None
        if ins is None:
            continue
        for one in ins:
            c.append(one.replace(condition=cond) if cond is not None else one)


def _from_qiskit_op(op, qs, cs, table, pos) -> list[Instruction] | None:
    name = op.name
    if name == "measure":
        return [Instruction("measure", "measure", qs, clbits=cs)]
    if name == "reset":
        return [Instruction("reset", "reset", qs)]
    if name == "barrier":
        return [Instruction("barrier", "barrier", qs)]
    if name == "delay":
        return None  # timing only: no effect on the state
    if name == "global_phase":  # GlobalPhaseGate: no qubits; the phase goes on qubit 0
        phase = _phase(op.params[0], 0)
        return [phase] if phase is not None else None
    ours = _QISKIT_NAMES.get(name, name)
    try:  # angles; other instructions (initialize: amplitudes) keep theirs to themselves
        params = tuple(_from_qiskit_param(p, table) for p in op.params) \
            if name != "unitary" else ()
    except (TypeError, ValueError):
        params = None
    if name == "unitary":
        return [Instruction("unitary", "unitary", qs, matrix=np.asarray(op.to_matrix()),
                            label=getattr(op, "label", None))]
    if params is not None and ours in GATES and GATES[ours].num_qubits == len(qs) and \
            GATES[ours].num_params == len(params) and name != "mcx":
        return [Instruction("gate", lookup(ours).name, qs, params)]
    base = getattr(op, "base_gate", None)
    if base is not None and getattr(op, "num_ctrl_qubits", 0):
        k = op.num_ctrl_qubits
        base_name = _QISKIT_NAMES.get(base.name, base.name)
        if base_name in GATES and GATES[base_name].num_qubits == len(qs) - k:
            bparams = tuple(_from_qiskit_param(p, table) for p in base.params)
            return [Instruction("gate", GATES[base_name].name, qs, bparams, num_ctrl=k,
                                ctrl_state=int(op.ctrl_state))]
        try:
            m = np.asarray(base.to_matrix())
        except Exception:  # noqa: BLE001 - any gate without a matrix
            m = None
        if m is not None:
            return [Instruction("unitary", "unitary", qs, matrix=m, num_ctrl=k,
                                ctrl_state=int(op.ctrl_state))]
    symbolic = params is not None and any(isinstance(p, ParameterExpression) for p in params)
    if not symbolic and hasattr(op, "to_matrix"):
        try:
            m = np.asarray(op.to_matrix())
            return [Instruction("unitary", "unitary", qs, matrix=m, label=name)]
        except Exception:  # noqa: BLE001 - e.g. a gate without a matrix definition
            pass
    definition = getattr(op, "definition", None)
    if definition is not None:
        out: list[Instruction] = []
        inner_q = {b: qs[i] for i, b in enumerate(definition.qubits)}
        inner_c = {b: cs[i] for i, b in enumerate(definition.clbits)}
        for item in definition.data:
            got = _from_qiskit_op(item.operation, tuple(inner_q[b] for b in item.qubits),
                                  tuple(inner_c[b] for b in item.clbits), table, pos)
            out += got or []
        phase = _phase(definition.global_phase, qs[0]) if qs else None
        if phase is not None:
            out.insert(0, phase)
        return out
    raise CircuitError(f"Qiskit instruction {name!r} at position {pos} has no matrix or "
                       "definition qvalley can use")
