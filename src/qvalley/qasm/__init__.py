"""OpenQASM for qvalley: read OpenQASM 2.0 and 3 (:func:`load_qasm`; version 3 through
:mod:`.reader3`) and write OpenQASM 2.0 or 3 (:func:`dump_qasm`).

>>> import qvalley as qv
>>> c = qv.load_qasm('OPENQASM 2.0; include "qelib1.inc"; qreg q[2]; h q[0]; cx q[0],q[1];')
>>> c.count_ops()
{'cx': 1, 'h': 1}
>>> print(qv.dump_qasm(c))
OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
h q[0];
cx q[0], q[1];
<BLANKLINE>
"""
from .reader import load_qasm
from .writer import dump_qasm

__all__ = ["load_qasm", "dump_qasm"]
