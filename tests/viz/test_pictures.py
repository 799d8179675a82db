"""Pictures: circuit layouts golden-tested as shape lists (the renderer only paints
them), Bloch vectors against their formulas, every plot rendered to a file, and the CLI's
--out / --plot options."""
from __future__ import annotations

import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import qvalley as qv  # noqa: E402
from qvalley import cli  # noqa: E402
from qvalley.viz import mpl  # noqa: E402
from qvalley.viz.scene import scene  # noqa: E402

GOLDEN_BELL = [
    ("wire", 0, "q_0", False), ("wire", 1, "q_1", False), ("wire", 2, "meas: 2", True),
    ("box", 0, 0, 0, "H"),
    ("line", 1, 0, 1, False), ("dot", 1, 0, True), ("target", 1, 1),
    ("barrier", 2, 0, 1),
    ("line", 3, 0, 2, True), ("measure", 3, 0), ("text", 3, 2, "0"),
    ("line", 4, 1, 2, True), ("measure", 4, 1), ("text", 4, 2, "1"),
]


def test_bell_layout_is_the_golden_one():
    assert scene(qv.Circuit(2).h(0).cx(0, 1).measure_all()) == GOLDEN_BELL


def test_layout_of_controls_conditions_and_parallel_gates():
    c = qv.Circuit(3, 1)
    c.h(0).x(2)                                   # disjoint: one column
    c.mc("x", [0, 1], [2], ctrl_state=1)          # control 0 on 1, control 1 on 0
    c.crz(math.pi / 2, 2, 0).swap(0, 1)
    c.measure(0, 0)
    c.z(1).c_if(0, 1)
    got = scene(c)
    assert got[4:6] == [("box", 0, 0, 0, "H"), ("box", 0, 2, 2, "X")]
    assert ("dot", 1, 0, True) in got and ("dot", 1, 1, False) in got and \
        ("target", 1, 2) in got
    assert ("box", 2, 0, 0, "RZ(π/2)") in got and ("dot", 2, 2, True) in got
    assert ("swap", 3, 0) in got and ("swap", 3, 1) in got
    assert ("text", 5, 3, "==1") in got and ("box", 5, 1, 1, "Z") in got


def test_bloch_vectors():
    assert np.allclose(mpl.bloch_vector(qv.Circuit(1)), [0, 0, 1])
    assert np.allclose(mpl.bloch_vector(qv.Circuit(1).x(0)), [0, 0, -1])
    assert np.allclose(mpl.bloch_vector(qv.Circuit(1).h(0)), [1, 0, 0])
    assert np.allclose(mpl.bloch_vector(qv.Circuit(1).h(0).s(0)), [0, 1, 0])
    t, p = 0.7, 1.9
    v = mpl.bloch_vector(qv.Circuit(1).u(t, p, 0, 0))
    assert np.allclose(v, [math.sin(t) * math.cos(p), math.sin(t) * math.sin(p), math.cos(t)])
    assert np.allclose(mpl.bloch_vector(qv.Circuit(2).h(0).cx(0, 1), qubit=1), 0)  # mixed
    two = qv.Circuit(2).ry(t, 1).x(0)
    assert np.allclose(mpl.bloch_vector(two, qubit=1), [math.sin(t), 0, math.cos(t)])
    rho = qv.density_matrix(qv.Circuit(1).h(0), noise="ibm-heron-r2")
    assert 0.9 < np.linalg.norm(mpl.bloch_vector(rho)) < 1


def test_every_plot_renders(tmp_path):
    c = qv.Circuit(3).h(0).cx(0, 1).rx(0.3, 2).measure_all()
    ideal = qv.run(c, shots=400, seed=1)
    noisy = qv.run(c, shots=400, seed=1, noise="ionq-forte-1")
    figures = {
        "circuit": mpl.draw_circuit(c),
        "histogram": mpl.plot_histogram([ideal, noisy], labels=["ideal", "forte"]),
        "bloch": mpl.plot_bloch(qv.Circuit(1).ry(0.8, 0)),
        "amplitudes": mpl.plot_state(qv.Circuit(2).h(0).cx(0, 1)),
        "city": mpl.plot_state(qv.Circuit(2).h(0).cx(0, 1), kind="city"),
    }
    for name, fig in figures.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.stat().st_size > 2000, name
    with pytest.raises(ValueError, match="name the qubit"):
        mpl.plot_bloch(qv.Circuit(2).h(0))


def test_cli_writes_pictures(tmp_path, capsys):
    out = tmp_path / "c.png"
    assert cli.main(["draw", "examples/teleport.qasm", "--out", str(out)]) == 0
    assert out.stat().st_size > 2000
    plot = tmp_path / "counts.svg"
    assert cli.main(["run", "examples/ghz.qasm", "--shots", "100", "--seed", "1",
                     "--plot", str(plot)]) == 0
    assert plot.read_text().lstrip().startswith("<?xml")
    capsys.readouterr()
    assert cli.main(["draw", "examples/ghz.qasm", "--out", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "pictures are saved as" in err and "Traceback" not in err
