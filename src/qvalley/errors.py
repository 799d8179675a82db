"""The one error hierarchy of qvalley.

Every problem caused by a user's input surfaces as a subclass of :class:`QValleyError`,
so callers (and the CLI) can catch one type and print one clear line.
"""
from __future__ import annotations


class QValleyError(Exception):
    """Root of every error qvalley raises on purpose."""


class CircuitError(QValleyError, ValueError):
    """A circuit was built or used wrongly: bad qubit index, NaN angle, non-unitary matrix."""


class QasmError(QValleyError, ValueError):
    """An OpenQASM source could not be read.

    Carries ``file``, ``line`` and ``column`` (1-based) and ``message`` (what was found and
    what was expected); ``str(err)`` reads ``file:line:column: message`` like a compiler.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.message = message
        self.file = file if file is not None else "<input>"
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class CompileError(QValleyError):
    """A circuit could not be compiled for the requested target."""


class TargetError(QValleyError, ValueError):
    """A target description that cannot be used (unknown gate, bad edge, bad figure)."""


class ResourceError(QValleyError):
    """A computation needs more than this machine has (memory, qubits).

    The message says what was needed, what is available and what to do instead.
    """


class BackendError(QValleyError):
    """A simulator or backend could not run the request (unknown backend, bad options)."""


class NoiseError(QValleyError, ValueError):
    """A noise channel or model that cannot be used: a probability outside [0, 1], a
    Kraus set that is not trace preserving, T2 > 2 T1."""


__all__ = ["QValleyError", "CircuitError", "QasmError", "CompileError", "TargetError",
           "NoiseError",
           "ResourceError", "BackendError"]
