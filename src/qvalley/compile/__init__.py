"""Compiler passes. For now: exact decomposition of instructions into OpenQASM 2's
qelib1.inc gates and the unroll step built on it (:mod:`qvalley.compile.decompose`)."""
from .decompose import (QASM2_GATES, decompose_instruction, decompose_instruction_with_phase,
                        synthesize_unitary, unroll_to, unroll_to_with_phase, zyz_angles)

__all__ = ["QASM2_GATES", "decompose_instruction", "decompose_instruction_with_phase",
           "synthesize_unitary", "unroll_to", "unroll_to_with_phase", "zyz_angles"]
