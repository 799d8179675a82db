"""SABRE routing (numba loop): every two-qubit op lands on a coupled pair, and replaying
the swaps gives back the circuit's own order of ops on every virtual qubit."""
import numpy as np
import pytest

from qvalley.compile import routing
from qvalley.compile.ops import Op
from qvalley.targets import get_target

ID = np.eye(2, dtype=complex)


def _random_ops(n: int, count: int, seed: int) -> list[Op]:
    rng = np.random.default_rng(seed)
    ops = []
    for k in range(count):
        if rng.random() < 0.3:
            ops.append(Op("u", (int(rng.integers(n)),), ID * (k + 1)))  # tagged by k
        else:
            a, b = (int(x) for x in rng.choice(n, 2, replace=False))
            ops.append(Op("cx", (a, b), theta=float(k)))
    return ops


def _check(ops, layout, routed, final, target):
    """Replay ``routed`` (physical) from ``layout`` and compare with ``ops`` (virtual)."""
    edges = {frozenset(e) for e in target.undirected_edges()}
    p2l = {p: v for v, p in enumerate(layout)}
    seen: dict[int, list] = {}
    for op in routed:
        if op.name == "swap":
            assert frozenset(op.qubits) in edges
            u, v = op.qubits
            p2l[u], p2l[v] = p2l.get(v), p2l.get(u)
            continue
        if len(op.qubits) == 2:
            assert frozenset(op.qubits) in edges, op
        virt = tuple(p2l[p] for p in op.qubits)
        tag = op.theta if op.name == "cx" else op.matrix[0, 0]
        for v in virt:
            seen.setdefault(v, []).append((op.name, virt, tag))
    want: dict[int, list] = {}
    for op in ops:
        tag = op.theta if op.name == "cx" else op.matrix[0, 0]
        for v in op.qubits:
            want.setdefault(v, []).append((op.name, op.qubits, tag))
    assert seen == want
    assert sorted(final) == sorted(set(final))
    for v, p in enumerate(final):
        assert p2l[p] == v


@pytest.mark.parametrize("name", ["ibm-heron-r2", "ibm-eagle-r3"])
@pytest.mark.parametrize("seed", [0, 1])
def test_routed_ops_are_adjacent_and_in_order(name, seed):
    target = get_target(name)
    ops = _random_ops(20, 400, seed)
    layout, routed, final = routing.choose_layout(ops, 20, target, trials=3, iterations=1,
                                                  seed=seed)
    _check(ops, layout, routed, final, target)
    assert sum(op.name == "swap" for op in routed) > 0


def test_trivial_route_on_a_whole_device():
    target = get_target("ibm-heron-r2")
    n = target.num_qubits
    ops = _random_ops(n, 1500, 7)
    layout, routed, final = routing.trivial_route(ops, n, target, seed=3)
    assert layout == list(range(n))
    _check(ops, layout, routed, final, target)


def test_a_seed_gives_one_answer():
    target = get_target("ibm-heron-r2")
    ops = _random_ops(12, 200, 5)
    a = routing.choose_layout(ops, 12, target, trials=4, iterations=2, seed=11)
    b = routing.choose_layout(ops, 12, target, trials=4, iterations=2, seed=11)
    assert a[0] == b[0] and a[2] == b[2]
    assert [(o.name, o.qubits) for o in a[1]] == [(o.name, o.qubits) for o in b[1]]


def test_disconnected_device_is_refused_not_hung():
    import qvalley as qv
    from qvalley.errors import CompileError
    from qvalley.targets import Target
    split = Target("split-4", 4, basis=("cx", "rz", "sx", "x"), edges=[(0, 1), (2, 3)])
    c = qv.Circuit(4).cx(0, 1).cx(0, 2).cx(1, 3)
    with pytest.raises(CompileError, match="not connected by any path"):
        qv.compile(c, split, seed=1)
