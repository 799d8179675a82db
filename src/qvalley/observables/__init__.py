"""Observables: weighted sums of Pauli strings (:class:`Observable`)."""
from .observable import Observable

__all__ = ["Observable"]
