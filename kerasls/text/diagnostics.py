"""What the analysis reports: diagnostics, the places they involve, and fixes as text edits.

Positions are 0-based lines and code-point columns (what libcst counts); the language
server converts columns to the client's encoding, the CLI prints them 1-based.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered like LSP's DiagnosticSeverity (1 = most severe)."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        key = text.strip().lower()
        aliases = {"info": "information", "warn": "warning"}
        key = aliases.get(key, key)
        for member in cls:
            if member.label == key:
                return member
        raise ValueError(f"unknown severity {text!r} (use error, warning, information or hint)")


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Span:
    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, column: int, end_line: int, end_column: int) -> Span:
        return cls(Position(line, column), Position(end_line, end_column))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def shifted(self, lines: int) -> Span:
        return Span(
            Position(self.start.line + lines, self.start.column),
            Position(self.end.line + lines, self.end.column),
        )


@dataclass(frozen=True)
class TextEdit:
    span: Span
    new_text: str
    path: str | None = None  # another file than the document analysed (an imported module)


class Applicability(enum.Enum):
    """Like ruff's fix safety: safe fixes keep the program's intent, unsafe ones choose one."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    preferred: bool = False
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Related:
    span: Span
    message: str
    path: str | None = None


@dataclass
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    related: list[Related] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    path: str | None = None  # where the primary place is, when not in the document analysed
    # What the finding is about (a training), so that findings with one root cause can say it once.
    topic: object = field(default=None, compare=False, repr=False)

    @property
    def preferred_fix(self) -> Fix | None:
        for fix in self.fixes:
            if fix.preferred:
                return fix
        return self.fixes[0] if self.fixes else None

    def sort_key(self) -> tuple:
        return (self.path or "", self.span.start, self.code)
