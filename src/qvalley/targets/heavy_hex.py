"""IBM's heavy-hex coupling maps with IBM's own qubit numbering.

A heavy-hex processor is rows of long qubit chains joined by bridge qubits: between row
``r`` and row ``r + 1`` four bridges, each linking column ``c`` of both rows. Qubits are
numbered row 0, then its bridges, then row 1, and so on. With the row extents and bridge
columns below this reproduces, edge for edge, the ``coupling_map`` of IBM's published
backend configurations (qiskit-ibm-runtime fake backends ``conf_sherbrooke.json`` for
Eagle r3, ``conf_torino.json`` for Heron r1, ``conf_fez.json`` for Heron r2); the
textbook ``heavy_hex_graph(d)`` of rustworkx numbers its qubits differently.

>>> len(eagle_r3_edges()), len(heron_r2_edges())
(144, 176)
"""
from __future__ import annotations


def heavy_hex_edges(rows: list[range], bridges: list[tuple[int, ...]],
                    dangling: tuple[int, ...] = ()) -> list[tuple[int, int]]:
    """Undirected edges (a < b) of a heavy-hex lattice: ``rows[r]`` the columns of chain
    ``r``, ``bridges[r]`` the bridge columns between chain ``r`` and ``r + 1``, and
    ``dangling`` the columns of bridges hanging below the last chain (Heron r1)."""
    ids: dict[tuple[int, int], int] = {}
    edges: list[tuple[int, int]] = []
    n = 0
    for r, cols in enumerate(rows):
        prev = None
        for c in cols:
            ids[(r, c)] = n
            if prev is not None:
                edges.append((prev, n))
            prev = n
            n += 1
        group = bridges[r] if r < len(bridges) else (dangling if r == len(rows) - 1 else ())
        pending = []
        for c in group:
            pending.append((n, c))
            edges.append((ids[(r, c)], n))
            n += 1
        for bridge, c in pending:
            ids[("bridge", r, c)] = bridge  # type: ignore[index]
    for r in range(len(rows) - 1):
        for c in bridges[r]:
            edges.append((ids[("bridge", r, c)], ids[(r + 1, c)]))  # type: ignore[index]
    return sorted((min(a, b), max(a, b)) for a, b in edges)


def _alternating(count: int, even: tuple[int, ...], odd: tuple[int, ...]):
    return [even if k % 2 == 0 else odd for k in range(count)]


def eagle_r3_edges() -> list[tuple[int, int]]:
    """127 qubits, 144 edges (IBM Eagle r3: ibm_sherbrooke, ibm_brisbane)."""
    rows = [range(0, 14)] + [range(0, 15)] * 5 + [range(1, 15)]
    return heavy_hex_edges(rows, _alternating(6, (0, 4, 8, 12), (2, 6, 10, 14)))


def heron_r1_edges() -> list[tuple[int, int]]:
    """133 qubits, 150 edges (IBM Heron r1: ibm_torino)."""
    rows = [range(0, 15)] * 7
    return heavy_hex_edges(rows, _alternating(6, (0, 4, 8, 12), (2, 6, 10, 14)),
                           dangling=(0, 4, 8, 12))


def heron_r2_edges() -> list[tuple[int, int]]:
    """156 qubits, 176 edges (IBM Heron r2/r3: ibm_fez, ibm_marrakesh, ibm_kingston)."""
    rows = [range(0, 16)] * 8
    return heavy_hex_edges(rows, _alternating(7, (3, 7, 11, 15), (1, 5, 9, 13)))
