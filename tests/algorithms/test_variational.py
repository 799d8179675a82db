"""VQE for H2 against textbook energies and exact diagonalisation; QAOA against brute
force and random cuts; quantum volume heavy outputs against their definition."""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley.algorithms import h2_hamiltonian, qaoa_maxcut, quantum_volume, vqe_h2
from qvalley.algorithms.qaoa import cut_size

BOHR = 0.529177210903


def test_h2_hamiltonian_reproduces_szabo_and_ostlund():
    """R = 1.4 bohr: Hartree-Fock -1.1167 and full CI -1.1373 hartree (Szabo & Ostlund,
    Modern Quantum Chemistry, sections 3.5 and 4.3)."""
    H = h2_hamiltonian(1.4 * BOHR)
    assert len(H.observable) == 15 and H.observable.is_hermitian()
    assert H.hartree_fock == pytest.approx(-1.1167, abs=1e-4)
    r = vqe_h2(1.4 * BOHR)
    assert r.exact_energy == pytest.approx(-1.1373, abs=1e-4)


def test_h2_coefficients_match_the_tabulated_literature_values():
    from qvalley.algorithms.chemistry import LITERATURE_H2_0_7414
    got = {k: c.real for k, c in h2_hamiltonian(0.7414).observable.to_list()}
    assert set(got) == set(LITERATURE_H2_0_7414)
    for label, want in LITERATURE_H2_0_7414.items():
        assert got[label] == pytest.approx(want, abs=2e-6), label


@pytest.mark.parametrize("bond", [0.5, 0.7414, 1.0, 1.5, 2.0, 2.5])
def test_vqe_reaches_chemical_accuracy(bond):
    r = vqe_h2(bond)
    assert abs(r.energy - r.exact_energy) < 1.6e-3
    assert r.energy < r.hartree_fock + 1e-12     # correlation energy found
    psi = qv.statevector(r.circuit)
    assert abs(np.vdot(psi, r.hamiltonian.matrix() @ psi).real - r.energy) < 1e-9


def test_dissociation_curve_has_its_minimum_near_0_74_angstrom():
    bonds = [0.6, 0.7, 0.74, 0.8, 0.9]
    energies = [vqe_h2(b).energy for b in bonds]
    assert bonds[int(np.argmin(energies))] in (0.7, 0.74)


@pytest.mark.parametrize("edges", [
    [(0, 1), (1, 2), (2, 0)],
    [(0, 1), (1, 2), (2, 3), (3, 0)],
    [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)],
    [(0, 1), (0, 2), (0, 3), (1, 4), (2, 4), (3, 4)],
])
def test_qaoa_beats_random_cuts_and_finds_the_maximum(edges):
    r = qaoa_maxcut(edges, layers=2, seed=1)
    assert r.expected_cut > r.random_cut + 0.5 * (r.max_cut - r.random_cut)   # beats random
    assert r.best_cut == r.max_cut
    assert cut_size("0101", [(0, 1), (1, 2), (2, 3), (3, 0)]) == 4


def test_quantum_volume_heavy_outputs():
    for seed in range(3):
        r = quantum_volume(4, shots=2000, seed=seed)
        assert len(r.heavy_outputs) == 8            # half of the 16 outputs
        assert r.ideal_heavy_probability > 0.6
        p = r.ideal_heavy_probability
        assert abs(r.measured_heavy_fraction - p) < 5 * math.sqrt(p * (1 - p) / 2000)
    noisy = quantum_volume(3, shots=500, seed=1, noise="ionq-forte-1")
    assert 0.5 < noisy.measured_heavy_fraction <= 1
