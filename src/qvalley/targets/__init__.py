"""Device descriptions: native gates, coupling maps and calibration figures.

>>> import qvalley as qv
>>> [t.name for t in qv.targets()]
['ibm-eagle-r3', 'ibm-heron-r2', 'ionq-aria-1', 'ionq-forte-1']
>>> qv.get_target("ibm-heron-r2").num_qubits
156
"""
from __future__ import annotations

import sys
import types
from pathlib import Path

from ..errors import TargetError
from .target import Calibration, Target


def targets() -> list[Target]:
    """Every preset target, sorted by name."""
    from .presets import PRESETS
    return [PRESETS[k] for k in sorted(PRESETS)]


def get_target(target: "str | Path | Target") -> Target:
    """A preset by name, a target JSON file, or a :class:`Target` as it is."""
    if isinstance(target, Target):
        return target
    from .presets import PRESETS
    key = str(target)
    if key in PRESETS:
        return PRESETS[key]
    if key.endswith(".json") or Path(key).is_file():
        return Target.from_json(key)
    raise TargetError(f"unknown target {key!r}; presets: {', '.join(sorted(PRESETS))}, or "
                      "give a path to a target JSON file")


class _Listing(types.ModuleType):
    """``qv.targets()`` lists the presets although ``qvalley.targets`` is also this
    package (importing it rebinds the name on ``qvalley``): the package is callable."""

    def __call__(self) -> list[Target]:
        return targets()


sys.modules[__name__].__class__ = _Listing

__all__ = ["Calibration", "Target", "TargetError", "get_target", "targets"]
