"""The Qiskit bridge (extra ``qvalley[qiskit]``), one import for all of it.

* :func:`to_qiskit` / :func:`from_qiskit`: circuits both ways
  (:mod:`.qiskit_convert`);
* :class:`QValleyBackend`: a ``BackendV2`` with a ``Target``, so ``transpile``,
  ``BackendSamplerV2`` and ``BackendEstimatorV2`` run on qvalley (:mod:`.qiskit_backend`);
* :class:`SamplerV2` / :class:`EstimatorV2`: native V2 primitives that bind parameter
  arrays inside qvalley's sweep engine (:mod:`.qiskit_primitives`).

Existing Qiskit code changes one line::

    from qvalley.interop.qiskit import EstimatorV2   # was: from qiskit_aer.primitives
"""
from .qiskit_convert import from_qiskit, to_qiskit

__all__ = ["from_qiskit", "to_qiskit", "QValleyBackend", "SamplerV2", "EstimatorV2"]


def __getattr__(name):  # the backend and primitives import qiskit's provider stack lazily
    if name == "QValleyBackend":
        from .qiskit_backend import QValleyBackend
        return QValleyBackend
    if name in ("SamplerV2", "EstimatorV2"):
        from . import qiskit_primitives
        return getattr(qiskit_primitives, name)
    raise AttributeError(name)
