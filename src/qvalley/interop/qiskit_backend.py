"""``QValleyBackend``: qvalley's simulators as a Qiskit ``BackendV2``.

Its ``Target`` lists every gate Qiskit's standard library shares with qvalley's table
(same names, same matrices), measure, reset, and ``if_else``, on ``num_qubits`` qubits with
no coupling constraints, so ``transpile(qc, backend)`` only translates what qvalley does
not know. ``run`` converts each circuit (:func:`~.qiskit_convert.from_qiskit`) and calls
:func:`qvalley.run` with the options ``shots``, ``seed_simulator``, ``memory`` and
``noise`` (a NoiseModel or a target name) and ``method`` (qvalley's ``backend``); the
``Result`` has counts in Qiskit's hexadecimal form and, with ``memory=True``, the per-shot
bitstrings that ``BackendSamplerV2`` reads.

>>> from qiskit import QuantumCircuit
>>> from qvalley.interop.qiskit import QValleyBackend
>>> qc = QuantumCircuit(2, 2)
>>> _ = qc.h(0); _ = qc.cx(0, 1); _ = qc.measure([0, 1], [0, 1])
>>> sorted(QValleyBackend().run(qc, shots=100, seed_simulator=1).result().get_counts())
['00', '11']
"""
from __future__ import annotations

import time
import uuid

from qiskit.providers import BackendV2, JobStatus, JobV1, Options
from qiskit.result import Result
from qiskit.transpiler import Target

from ..circuit.gates import GATES
from .qiskit_convert import _QISKIT_NAMES, from_qiskit

DEFAULT_QUBITS = 30


class QValleyJob(JobV1):
    """A finished job: qvalley runs synchronously, so the result exists on creation."""

    def __init__(self, backend, job_id: str, result: Result):
        super().__init__(backend, job_id)
        self._result = result

    def submit(self):  # the work is done when the job is made
        return None

    def result(self) -> Result:
        return self._result

    def status(self) -> JobStatus:
        return JobStatus.DONE


class QValleyBackend(BackendV2):
    """qvalley as a Qiskit backend (see the module docstring)."""

    def __init__(self, num_qubits: int = DEFAULT_QUBITS, name: str = "qvalley_simulator"):
        super().__init__(name=name, description="qvalley: state vector, density matrix, "
                         "trajectories and stabilizer simulators", backend_version="0.1.0")
        self._target = _target(num_qubits)

    @property
    def target(self) -> Target:
        return self._target

    @property
    def max_circuits(self):
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=1024, seed_simulator=None, memory=False, noise=None,
                       method="auto")

    def run(self, run_input, **options) -> QValleyJob:
        import qvalley
        circuits = run_input if isinstance(run_input, (list, tuple)) else [run_input]
        opts = {**self.options.__dict__, **options}
        unknown = set(options) - set(self.options.__dict__)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} for {self.name}; it takes "
                             f"{sorted(self.options.__dict__)}")
        shots = int(opts["shots"])
        seed = opts["seed_simulator"]
        start = time.perf_counter()
        results = []
        for k, qc in enumerate(circuits):
            circuit = from_qiskit(qc)
            run_seed = None if seed is None else int(seed) + k
            res = qvalley.run(circuit, shots=shots, seed=run_seed, noise=opts["noise"],
                              backend=opts["method"])
            data = {"counts": {hex(int(key, 2)): v for key, v in res.counts.items()}}
            if opts["memory"]:
                data["memory"] = [hex(int(key, 2)) for key in res.memory]
            results.append({
                "shots": shots, "success": True, "data": data, "seed_simulator": res.seed,
                "header": {"name": qc.name, "memory_slots": qc.num_clbits,
                           "creg_sizes": [[r.name, r.size] for r in qc.cregs],
                           "clbit_labels": [[r.name, i] for r in qc.cregs
                                            for i in range(r.size)],
                           "n_qubits": qc.num_qubits, "metadata": qc.metadata},
                "metadata": {"method": res.backend, "time_taken": res.time_taken},
            })
        result = Result.from_dict({
            "backend_name": self.name, "backend_version": self.backend_version,
            "job_id": str(uuid.uuid4()), "qobj_id": "", "success": True,
            "results": results, "time_taken": time.perf_counter() - start,
        })
        return QValleyJob(self, result.job_id, result)


def _target(num_qubits: int) -> Target:
    from qiskit.circuit import IfElseOp, Measure, Reset
    from qiskit.circuit.library import get_standard_gate_name_mapping
    target = Target(num_qubits=num_qubits, description="qvalley simulator")
    ours = set(GATES) | set(_QISKIT_NAMES)
    for name, gate in get_standard_gate_name_mapping().items():
        if name in ours and name not in ("measure", "reset", "delay", "global_phase"):
            target.add_instruction(gate, name=name)
    target.add_instruction(Measure(), name="measure")
    target.add_instruction(Reset(), name="reset")
    target.add_instruction(IfElseOp, name="if_else")
    return target
