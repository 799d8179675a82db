"""``qv.compile``: a circuit in a target's native gates, on its qubits.

Levels (what users of Qiskit expect of 0 to 3):

0. unroll, layout ``i -> i``, routing, translation; no optimisation.
1. + one-qubit runs merged and inverse two-qubit pairs cancelled; SABRE layout (5 trials).
2. + two-qubit blocks resynthesised (KAK: at most 3 entanglers, fewer when the block
   allows, one partial entangler where the target has one), before and after routing;
   SABRE layout with 20 trials and 2 forward-backward refinements. The default.
3. + 200 trials, 3 refinements, and resynthesis repeated until the count stops falling
   (trials are cheap: on the 33 heavy-hex circuits of benchmarks/compile, 20 -> 200
   trials took the median two-qubit count from 1.04 to 1.00 of Qiskit's level 3 for
   1.3x the time).

The result is a :class:`~qvalley.Circuit` on all of the target's qubits with two
attributes: ``layout`` (a :class:`Layout`: where each circuit qubit starts and ends on
the device) and ``target`` (the target's name). Measurements keep their classical bits, so
counts read the same as the original circuit's.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..circuit.circuit import Circuit
from ..errors import CompileError
from ..targets import Target, get_target
from . import passes as P
from . import routing
from .ops import Op, two_qubit_count

_LEVELS = {0: (1, 0), 1: (5, 1), 2: (20, 2), 3: (200, 3)}  # (trials, refinements)


@dataclass(frozen=True)
class Layout:
    """``initial[v]``: the device qubit circuit qubit ``v`` starts on; ``final[v]``: where
    its state is at the end (routing's swaps move it)."""

    initial: tuple[int, ...]
    final: tuple[int, ...]


def compile(circuit: Circuit, target: "str | Target" = "ibm-heron-r2", *,
            optimization_level: int = 2, seed: int | None = None) -> Circuit:
    """``circuit`` compiled for ``target`` (a preset name, a JSON file or a Target).

    >>> import qvalley as qv
    >>> c = qv.Circuit(2).h(0).cx(0, 1)
    >>> nat = qv.compile(c, "ionq-forte-1")
    >>> sorted(nat.count_ops())
    ['gpi2', 'rz', 'zz']
    """
    if not isinstance(circuit, Circuit):
        raise CompileError(f"compile() takes a Circuit, got {type(circuit).__name__}")
    if optimization_level not in _LEVELS or isinstance(optimization_level, bool):
        raise CompileError(f"optimization_level must be 0, 1, 2 or 3, got "
                           f"{optimization_level!r}")
    if circuit.parameters:
        names = ", ".join(p.name for p in circuit.parameters)
        raise CompileError(f"the circuit has unbound parameters ({names}); bind them with "
                           "assign_parameters() before compiling")
    target = get_target(target)
    n = circuit.num_qubits
    if n > target.num_qubits:
        raise CompileError(f"the circuit has {n} qubits but {target.name} has "
                           f"{target.num_qubits}")
    level = optimization_level
    partial = level >= 2 and P.native.partial_entangler(target) is not None
    ops = P.unroll(circuit)
    if level >= 1:
        ops = P.cancel_2q(P.merge_1q(ops))
    memo: dict = {}  # block cores -> entangler counts, shared by the resynthesis passes
    if level >= 2:
        ops = _resynthesise(ops, partial, level, memo)
    trials, refinements = _LEVELS[level]
    if target.all_to_all:
        layout = list(range(n))
        final = list(layout)
    elif level == 0:
        layout, ops, final = routing.trivial_route(ops, n, target, seed)
    else:
        def score(routed):
            done = _after_routing(routed, partial, level, memo)
            return done, (two_qubit_count(done), routing._depth2q(done))
        layout, ops, final = routing.choose_layout(ops, n, target, trials=trials,
                                                   iterations=refinements, seed=seed,
                                                   score=score)
    if target.all_to_all or level == 0:
        ops = _after_routing(ops, partial, level, memo)
    instrs = P.translate(ops, target)
    out = Circuit(target.num_qubits, circuit.num_clbits,
                  name=f"{circuit.name or 'circuit'}@{target.name}")
    out._extend_trusted(instrs)
    out.layout = Layout(tuple(layout), tuple(final))
    out.target = target.name
    return out


def _after_routing(ops: list[Op], partial: bool, level: int, memo: dict) -> list[Op]:
    if level >= 2:
        return _resynthesise(ops, partial, level, memo)
    if level == 1:
        return P.cancel_2q(P.merge_1q(P._lower_swaps(ops)))
    return ops


def _resynthesise(ops: list[Op], partial: bool, level: int, memo: dict) -> list[Op]:
    ops = P.merge_1q(P.consolidate(ops, partial=partial, memo=memo))
    if level >= 3:
        for _ in range(4):
            before = two_qubit_count(ops)
            ops = P.merge_1q(P.cancel_2q(P.consolidate(ops, partial=partial, memo=memo)))
            if two_qubit_count(ops) >= before:
                break
    return ops
