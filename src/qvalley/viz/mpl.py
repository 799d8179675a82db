"""Pictures with matplotlib (extra ``qvalley[viz]``): circuits, counts, Bloch spheres and
states. Every function returns the matplotlib Figure (and draws on ``ax`` when given), so
it works in notebooks, scripts and ``savefig``; nothing here is random, so the same input
gives the same picture.

>>> import qvalley as qv
>>> from qvalley.viz import mpl
>>> fig = mpl.draw_circuit(qv.Circuit(2).h(0).cx(0, 1).measure_all())
>>> fig.savefig("bell.png")  # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np

from ..circuit import Circuit
from .scene import scene

COLORS = {"box": "#d7e8fb", "edge": "#1f4e79", "wire": "#333333", "measure": "#fde3c8"}


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        from ..errors import QValleyError
        raise QValleyError("pictures need matplotlib: pip install 'qvalley[viz]'") from None
    return plt


def draw_circuit(circuit: Circuit, ax=None, scale: float = 0.6):
    """The circuit diagram (the shapes of :func:`qvalley.viz.scene.scene`)."""
    plt = _plt()
    shapes = scene(circuit)
    wires = [s for s in shapes if s[0] == "wire"]
    ncol = max([s[1] for s in shapes if s[0] != "wire"] + [-1]) + 1
    # each column as wide as its widest box, so long labels never overlap their neighbours
    widths = [0.6] * ncol
    for sh in shapes:
        if sh[0] == "box":
            widths[sh[1]] = max(widths[sh[1]], _box_width(sh[4]))
    centers, edge = [], 0.3
    for w in widths:
        centers.append(edge + w / 2)
        edge += w + 0.3
    columns = edge
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(3, 1.5 + columns * scale),
                                        max(1.5, len(wires) * scale * 1.2)))
    fig = ax.figure
    shapes = [(sh[0], centers[sh[1]]) + tuple(sh[2:]) if sh[0] != "wire" else sh
              for sh in shapes]
    ax.set_xlim(-1.2, columns + 0.2)
    ax.set_ylim(len(wires) - 0.4, -0.6)
    ax.axis("off")
    for _, y, label, classical in wires:
        ax.plot([-0.5, columns], [y - 0.03, y - 0.03] if classical else [y, y],
                color=COLORS["wire"], lw=1, zorder=1)
        if classical:
            ax.plot([-0.5, columns], [y + 0.03, y + 0.03], color=COLORS["wire"], lw=1,
                    zorder=1)
        ax.text(-0.6, y, label, ha="right", va="center", fontsize=10)
    for s in shapes:
        kind = s[0]
        if kind == "line":
            _, x, y0, y1, double = s
            for dx in ((-0.03, 0.03) if double else (0,)):
                ax.plot([x + dx, x + dx], [y0, y1], color=COLORS["edge"], lw=1.2, zorder=2)
        elif kind == "box":
            _, x, y0, y1, label = s
            w = _box_width(label)
            ax.add_patch(plt.Rectangle((x - w / 2, y0 - 0.3), w, y1 - y0 + 0.6,
                                       facecolor=COLORS["box"], edgecolor=COLORS["edge"],
                                       zorder=3))
            ax.text(x, (y0 + y1) / 2, label, ha="center", va="center", fontsize=9, zorder=4)
        elif kind == "dot":
            _, x, y, filled = s
            ax.add_patch(plt.Circle((x, y), 0.09, facecolor=COLORS["edge"] if filled
                                    else "white", edgecolor=COLORS["edge"], zorder=4))
        elif kind == "target":
            _, x, y = s
            ax.add_patch(plt.Circle((x, y), 0.18, facecolor="white",
                                    edgecolor=COLORS["edge"], zorder=4))
            ax.plot([x - 0.18, x + 0.18], [y, y], color=COLORS["edge"], zorder=5)
            ax.plot([x, x], [y - 0.18, y + 0.18], color=COLORS["edge"], zorder=5)
        elif kind == "swap":
            _, x, y = s
            for d in (1, -1):
                ax.plot([x - 0.12, x + 0.12], [y - 0.12 * d, y + 0.12 * d],
                        color=COLORS["edge"], zorder=5)
        elif kind == "measure":
            _, x, y = s
            ax.add_patch(plt.Rectangle((x - 0.3, y - 0.3), 0.6, 0.6,
                                       facecolor=COLORS["measure"], edgecolor=COLORS["edge"],
                                       zorder=3))
            ax.text(x, y, "M", ha="center", va="center", fontsize=9, zorder=4)
        elif kind == "barrier":
            _, x, y0, y1 = s
            ax.plot([x, x], [y0 - 0.4, y1 + 0.4], color="#888888", ls="--", zorder=2)
        elif kind == "text":
            _, x, y, text = s
            ax.text(x + 0.08, y + 0.3, text, fontsize=7, color=COLORS["edge"])
    return fig


def _box_width(label: str) -> float:
    return max(0.6, 0.12 * len(label) + 0.3)


def plot_histogram(results, labels=None, ax=None, top: int | None = 16):
    """Bars of outcome probabilities, several results side by side (e.g. ideal and each
    machine's noisy run). ``results``: a Result, a counts dict, or a list of them."""
    plt = _plt()
    items = results if isinstance(results, (list, tuple)) else [results]
    dists = []
    for r in items:
        counts = r.counts if hasattr(r, "counts") else dict(r)
        total = sum(counts.values()) or 1
        dists.append({k: v / total for k, v in counts.items()})
    keys = sorted(set().union(*dists))
    if top is not None and len(keys) > top:
        weight = {k: max(d.get(k, 0) for d in dists) for k in keys}
        keys = sorted(sorted(keys, key=lambda k: -weight[k])[:top])
    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4, 0.45 * len(keys) * len(dists) + 1.5), 3.2))
    fig = ax.figure
    width = 0.8 / len(dists)
    xs = np.arange(len(keys))
    names = labels or [getattr(r, "backend", f"run {i}") for i, r in enumerate(items)]
    for i, d in enumerate(dists):
        ax.bar(xs + (i - (len(dists) - 1) / 2) * width, [d.get(k, 0) for k in keys], width,
               label=names[i])
    ax.set_xticks(xs, keys, rotation=90 if len(keys) > 8 else 0, family="monospace")
    ax.set_ylabel("probability")
    if len(dists) > 1:
        ax.legend()
    fig.tight_layout()
    return fig


def bloch_vector(state, qubit: int | None = None) -> np.ndarray:
    """(x, y, z) = (<X>, <Y>, <Z>) of one qubit of a state vector, a density matrix, or a
    Circuit (its final state); for several qubits, of qubit ``qubit``'s reduced state."""
    if isinstance(state, Circuit):
        from ..sim.api import statevector
        state = statevector(state)
    a = np.asarray(state, dtype=np.complex128)
    rho = np.outer(a, a.conj()) if a.ndim == 1 else a
    n = int(round(np.log2(rho.shape[0])))
    if n > 1:
        if qubit is None:
            raise ValueError("name the qubit whose Bloch vector to draw (qubit=...)")
        t = rho.reshape((2,) * (2 * n))
        axis = n - 1 - qubit
        others = [k for k in range(n) if k != axis]
        t = np.transpose(t, [axis] + others + [n + axis] + [n + k for k in others])
        t = t.reshape(2, 1 << (n - 1), 2, 1 << (n - 1))
        rho = np.einsum("ajbj->ab", t)
    x = 2 * rho[0, 1].real
    y = 2 * rho[1, 0].imag
    z = (rho[0, 0] - rho[1, 1]).real
    return np.array([x, y, z])


def plot_bloch(state, qubit: int | None = None, ax=None, title: str | None = None):
    """The Bloch sphere with the qubit's vector (shorter than 1 for a mixed or entangled
    qubit)."""
    plt = _plt()
    v = bloch_vector(state, qubit)
    if ax is None:
        fig = plt.figure(figsize=(3.6, 3.6))
        ax = fig.add_subplot(projection="3d")
    fig = ax.figure
    u, w = np.meshgrid(np.linspace(0, 2 * np.pi, 25), np.linspace(0, np.pi, 13))
    ax.plot_wireframe(np.cos(u) * np.sin(w), np.sin(u) * np.sin(w), np.cos(w),
                      color="#cccccc", lw=0.5)
    for axis, lab in ((np.eye(3)[0], "x"), (np.eye(3)[1], "y"), (np.eye(3)[2], "|0>")):
        ax.plot(*zip(-axis, axis), color="#999999", lw=0.8)
        ax.text(*(1.15 * axis), lab)
    ax.text(0, 0, -1.25, "|1>")
    ax.quiver(0, 0, 0, *v, color="#c0392b", lw=2, arrow_length_ratio=0.12)
    ax.set_box_aspect((1, 1, 1))
    ax.set_axis_off()
    ax.set_title(title or f"({v[0]:.2f}, {v[1]:.2f}, {v[2]:.2f})")
    return fig


def plot_state(state, ax=None, kind: str = "amplitudes"):
    """``kind="amplitudes"``: bars of |amplitude| coloured by phase; ``"city"``: the
    real and imaginary parts of the density matrix as 3-D bars (Qiskit's state city)."""
    plt = _plt()
    if isinstance(state, Circuit):
        from ..sim.api import statevector
        state = statevector(state)
    a = np.asarray(state, dtype=np.complex128)
    n = int(round(np.log2(a.shape[0])))
    labels = [format(i, f"0{n}b") for i in range(1 << n)]
    if kind == "amplitudes":
        if a.ndim != 1:
            raise ValueError("amplitude plots take a state vector")
        if ax is None:
            fig, ax = plt.subplots(figsize=(max(4, 0.4 * a.size + 1), 3))
        fig = ax.figure
        cmap = plt.get_cmap("hsv")
        phases = (np.angle(a) % (2 * np.pi)) / (2 * np.pi)
        ax.bar(range(a.size), np.abs(a), color=[cmap(p) for p in phases])
        ax.set_xticks(range(a.size), labels, rotation=90 if a.size > 8 else 0,
                      family="monospace")
        ax.set_ylabel("|amplitude| (colour: phase)")
        fig.tight_layout()
        return fig
    if kind != "city":
        raise ValueError("kind is 'amplitudes' or 'city'")
    rho = np.outer(a, a.conj()) if a.ndim == 1 else a
    fig = plt.figure(figsize=(8, 4))
    d = rho.shape[0]
    xs, ys = np.meshgrid(np.arange(d), np.arange(d))
    for k, (part, name) in enumerate(((rho.real, "Re"), (rho.imag, "Im"))):
        axk = fig.add_subplot(1, 2, k + 1, projection="3d")
        axk.bar3d(xs.ravel(), ys.ravel(), np.zeros(d * d), 0.6, 0.6, part.ravel(),
                  color="#5d8fc9" if k == 0 else "#c9775d")
        axk.set_title(f"{name}(rho)")
        axk.set_xticks(range(d), labels if d <= 8 else [""] * d)
        axk.set_yticks(range(d), labels if d <= 8 else [""] * d)
    return fig
