"""Circuits, the gate table, instructions and symbolic parameters (depends on nothing else
of qvalley but its errors)."""
from .circuit import Circuit, checked_unitary
from .gates import ALIASES, GATES, GateDef, lookup
from .instruction import Condition, Instruction, Register
from .parameter import Parameter, ParameterExpression

__all__ = ["Circuit", "Parameter", "ParameterExpression", "Instruction", "Register",
           "Condition", "GATES", "ALIASES", "GateDef", "lookup", "checked_unitary"]
