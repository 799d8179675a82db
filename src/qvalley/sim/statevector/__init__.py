"""Exact state-vector simulation (numpy kernels and the branching executor)."""
