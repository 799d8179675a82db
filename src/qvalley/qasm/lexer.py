"""Tokens of OpenQASM 2.0 source, with their offsets, and the source they come from.

The reader keeps only character offsets while it works and turns an offset into a line
and a column when (and only when) it has to report an error: counting lines for every
token of a million-gate file would cost more than parsing it.
"""
from __future__ import annotations

import re
from typing import NamedTuple, NoReturn

from ..errors import QasmError


class Source:
    """One OpenQASM text (the main program or an included file) and its name for errors."""

    __slots__ = ("text", "file", "directory")

    def __init__(self, text: str, file: str = "<input>", directory: str | None = None) -> None:
        self.text = text
        self.file = file
        self.directory = directory  # where relative includes are looked up

    def location(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def error(self, message: str, offset: int) -> NoReturn:
        """Raise a :class:`QasmError` pointing at ``offset``."""
        line, column = self.location(offset)
        raise QasmError(message, file=self.file, line=line, column=column)


class Token(NamedTuple):
    """A token: ``kind`` is one of id, int, real, str, sym, eof; ``text`` is its spelling."""

    kind: str
    text: str
    start: int
    end: int

    def describe(self) -> str:
        """How the token reads in an error message."""
        if self.kind == "eof":
            return "end of file"
        return repr(self.text) if self.kind != "str" else self.text


# One match per token: blank space and comments first, then the token (or what is wrong).
_TOKEN = re.compile(r"""
    (?:\s+|//[^\n]*|/\*.*?\*/)*
    (?:
        (?P<real>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
      | (?P<int>\d+)
      | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<str>"[^"\n]*")
      | (?P<open_comment>/\*)
      | (?P<sym>->|==|[{}()\[\];,+\-*/^])
      | (?P<open_str>")
      | (?P<eof>\Z)
      | (?P<bad>.)
    )
""", re.VERBOSE | re.DOTALL)


_TROUBLE = {
    "eof": "",
    "open_comment": "unterminated comment: '/*' without a closing '*/'",
    "open_str": "unterminated string: missing closing '\"' on this line",
    "bad": "unexpected character {!r}",
}


class Lexer:
    """Tokenizer over a :class:`Source`, starting at any offset, one token of lookahead.

    ``peek()`` shows the next token without consuming it; ``next()`` consumes it.
    ``last_end`` is the offset just past the last consumed token, where a statement that
    has just been parsed ends.
    """

    __slots__ = ("source", "text", "pos", "_peeked", "last_end")

    def __init__(self, source: Source, pos: int = 0) -> None:
        self.source = source
        self.text = source.text
        self.pos = pos
        self._peeked: Token | None = None
        self.last_end = pos

    def reset(self, pos: int) -> None:
        """Continue tokenizing from ``pos`` (dropping any lookahead)."""
        self.pos = pos
        self._peeked = None
        self.last_end = pos

    def _scan(self) -> Token:
        m = _TOKEN.match(self.text, self.pos)   # always matches: bad and eof included
        kind = m.lastgroup
        start = m.start(kind)
        self.pos = end = m.end()
        text = m.group(kind)
        if kind in _TROUBLE:
            if kind == "eof":
                return Token("eof", "", start, start)
            message = _TROUBLE[kind].format(text)
            if text == "'":
                message += ": strings (file names) are written in double quotes"
            self.source.error(message, start)
        return Token(kind, text, start, end)

    def peek(self) -> Token:
        if self._peeked is None:
            self._peeked = self._scan()
        return self._peeked

    def next(self) -> Token:
        tok = self.peek()
        self._peeked = None
        if tok.kind != "eof":
            self.last_end = tok.end
        return tok

    def error(self, message: str, offset: int) -> NoReturn:
        self.source.error(message, offset)

    def expect_sym(self, sym: str, context: str) -> Token:
        """Consume the symbol ``sym`` or report what was found instead.

        A missing ';' is reported just after the previous token (where it belongs), the
        way compilers report it; other symbols at the token found.
        """
        tok = self.peek()
        if tok.kind == "sym" and tok.text == sym:
            return self.next()
        if sym == ";":
            self.error(f"expected ';' {context}, found {tok.describe()}", self.last_end)
        self.error(f"expected '{sym}' {context}, found {tok.describe()}", tok.start)

    def accept_sym(self, sym: str) -> bool:
        """Consume ``sym`` if it comes next; say whether it did."""
        tok = self.peek()
        if tok.kind == "sym" and tok.text == sym:
            self.next()
            return True
        return False

    def expect_id(self, what: str) -> Token:
        tok = self.peek()
        if tok.kind != "id":
            self.error(f"expected {what}, found {tok.describe()}", tok.start)
        return self.next()

    def expect_int(self, what: str) -> Token:
        tok = self.peek()
        if tok.kind != "int":
            self.error(f"expected {what} (a non-negative integer), found {tok.describe()}",
                       tok.start)
        return self.next()
