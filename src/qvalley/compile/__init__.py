"""The compiler: exact decomposition (:mod:`.decompose`), synthesis (:mod:`.synthesis`),
routing (:mod:`.routing`), passes (:mod:`.passes`), native lowering (:mod:`.native`) and
``qv.compile`` (:mod:`.compiler`); :mod:`.verify` checks a result by simulation."""
import sys as _sys
import types as _types

from .decompose import (QASM2_GATES, decompose_instruction, decompose_instruction_with_phase,
                        synthesize_unitary, unroll_to, unroll_to_with_phase, zyz_angles)

__all__ = ["QASM2_GATES", "decompose_instruction", "decompose_instruction_with_phase",
           "synthesize_unitary", "unroll_to", "unroll_to_with_phase", "zyz_angles"]


class _Callable(_types.ModuleType):
    """``qv.compile(circuit, target)`` works although ``qvalley.compile`` is also this
    package (importing it rebinds the name on ``qvalley``): the package is callable."""

    def __call__(self, circuit, target="ibm-heron-r2", *, optimization_level: int = 2,
                 seed=None):
        from .compiler import compile as _compile
        return _compile(circuit, target, optimization_level=optimization_level, seed=seed)


_sys.modules[__name__].__class__ = _Callable
