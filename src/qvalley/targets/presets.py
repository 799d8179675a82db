"""The machines the cluster works with, as published by their makers.

Figures are medians of public calibration data (each :class:`Calibration` names its
source); live devices drift daily, so a user with fresher numbers builds a target from
them (:meth:`Target.from_json`).

* ``ionq-aria-1``: 25 qubits, all-to-all; GPI, GPI2, MS (partial angles allowed). Figures
  from the Azure Quantum IonQ provider page (learn.microsoft.com/azure/quantum/provider-ionq):
  1q fidelity 99.95 %, 2q 99.6 %, SPAM 99.61 %, T1 10 s (lower end of 10-100 s), T2 1 s,
  1q 135 µs, 2q 600 µs.
* ``ionq-forte-1``: 36 qubits, all-to-all; GPI, GPI2, ZZ. Errors: 1q 2.0e-4 and 2q
  4.64e-3 (IonQ, arXiv:2308.05071, 30-qubit configuration); IonQ does not publish Forte's
  T1, T2, readout or gate times outside its live characterization endpoint, so they are
  None here (IonQ's own simulator noise model has no readout term either).
* ``ibm-eagle-r3``: 127 qubits, heavy-hex, ECR in IBM's listed directions; rz, sx, x.
  Medians of ibm_sherbrooke's properties snapshot of 2025-02-26 (qiskit-ibm-runtime fake
  backend ``props_sherbrooke.json``).
* ``ibm-heron-r2``: 156 qubits, heavy-hex, CZ (symmetric); rz, sx, x, and the fractional
  rzz (0 < θ <= π/2) and rx. Medians of ibm_kingston's snapshot of 2026-04-15
  (``props_kingston.json``).
"""
from __future__ import annotations

import json
from importlib import resources

from .heavy_hex import heron_r2_edges
from .target import Calibration, Target

US, NS = 1e-6, 1e-9


def _eagle_ecr_edges() -> list[tuple[int, int]]:
    data = json.loads(resources.files("qvalley.targets").joinpath(
        "data/ibm_eagle_r3_ecr.json").read_text())
    return [(a, b) for a, b in data["edges"]]


def _build() -> dict[str, Target]:
    aria = Target(
        "ionq-aria-1", 25, ("gpi", "gpi2", "ms"), None, False,
        Calibration(5e-4, 4e-3, 3.9e-3, t1=10.0, t2=1.0, time_1q=135 * US, time_2q=600 * US,
                    source="Azure Quantum IonQ provider page (provider-ionq.md), 2026-08"),
        virtual=("rz",), description="IonQ Aria 1, trapped ions, all-to-all")
    forte = Target(
        "ionq-forte-1", 36, ("gpi", "gpi2", "zz"), None, False,
        Calibration(2.0e-4, 4.64e-3, None,
                    source="IonQ, arXiv:2308.05071 (DRB, 30-qubit configuration); T1, T2, "
                           "readout and gate times not published"),
        virtual=("rz",), description="IonQ Forte 1, trapped ions, all-to-all")
    eagle = Target(
        "ibm-eagle-r3", 127, ("ecr", "rz", "sx", "x"), tuple(_eagle_ecr_edges()), True,
        Calibration(2.36e-4, 7.50e-3, 1.98e-2, t1=278 * US, t2=170 * US, time_1q=56.9 * NS,
                    time_2q=533 * NS, time_readout=1216 * NS, readout_p01=1.37e-2,
                    readout_p10=2.05e-2,
                    source="ibm_sherbrooke properties 2025-02-26 (qiskit-ibm-runtime "
                           "props_sherbrooke.json), medians"),
        description="IBM Eagle r3 (ibm_sherbrooke family), heavy-hex, directed ECR")
    heron = Target(
        "ibm-heron-r2", 156, ("cz", "rz", "sx", "x", "rzz", "rx"), tuple(heron_r2_edges()),
        False,
        Calibration(2.30e-4, 1.80e-3, 9.5e-3, t1=283 * US, t2=144 * US, time_1q=32 * NS,
                    time_2q=68 * NS, time_readout=2280 * NS,
                    source="ibm_kingston properties 2026-04-15 (qiskit-ibm-runtime "
                           "props_kingston.json), medians"),
        description="IBM Heron r2 (ibm_fez / ibm_kingston family), heavy-hex, CZ, "
                    "fractional RZZ and RX")
    return {t.name: t for t in (aria, forte, eagle, heron)}


PRESETS: dict[str, Target] = _build()
