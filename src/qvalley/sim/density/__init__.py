"""Density-matrix simulation with noise (see :mod:`.engine`)."""
