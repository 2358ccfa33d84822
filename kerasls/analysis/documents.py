"""What is analysed as one program: a file, or a notebook's code cells in order.

A document is a list of parts (one for a file, one per cell for a notebook). Its `Layout`
is the text the analysis reads and the map between that text and the parts: a finding at
(line, column) of the text is at (part, line, column) of the document. For a notebook,
IPython syntax is masked as IPython transforms it (`ipython.py`), each cell keeps its own
lines, columns move only where IPython dedents a cell (the shift is recorded per line), and
a cell that is not Python (a `%%bash` cell) becomes blank lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..text.diagnostics import Diagnostic, Fix, Position, Related, Span, TextEdit
from ..text.source import split_lines
from .ipython import mask_cell


@dataclass(frozen=True)
class Cell:
    source: str
    kind: str = "code"  # code or markdown (raw cells count as markdown: not analysed)
    id: str | None = None


@dataclass(frozen=True)
class Document:
    parts: tuple[Cell, ...]
    notebook: bool = False

    @staticmethod
    def file(text: str) -> Document:
        return Document((Cell(text),))

    @staticmethod
    def cells(cells: list[Cell]) -> Document:
        return Document(tuple(cells), notebook=True)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(part.source for part in self.parts)

    def with_sources(self, sources: dict[int, str]) -> Document:
        parts = tuple(
            Cell(sources[i], part.kind, part.id) if i in sources else part for i, part in enumerate(self.parts)
        )
        return Document(parts, self.notebook)

    def layout(self) -> Layout:
        return notebook_layout(list(self.parts)) if self.notebook else file_layout(self.parts[0].source)


@dataclass
class Layout:
    """The text analysed for a document and how its lines map back to the parts."""

    text: str
    starts: dict[int, int] = field(default_factory=dict)  # part index -> first line in text
    lines: dict[int, int] = field(default_factory=dict)  # part index -> number of lines
    notebook: bool = True
    # part index -> per line, the columns IPython removed at its start (absent: none)
    shifts: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def _shift(self, part: int, line: int) -> int:
        shifts = self.shifts.get(part)
        return shifts[line] if shifts is not None and 0 <= line < len(shifts) else 0

    @property
    def barriers(self) -> list[int] | None:
        """First lines of the cells: each compiles on its own (None for a file: one module)."""
        return sorted(self.starts.values()) if self.notebook else None

    def locate(self, pos: Position) -> tuple[int, Position] | None:
        if not self.notebook:
            return 0, pos
        for index, start in self.starts.items():
            if start <= pos.line < start + max(self.lines[index], 1):
                line = pos.line - start
                return index, Position(line, pos.column + self._shift(index, line))
        return None

    def locate_span(self, span: Span) -> tuple[int, Span] | None:
        if not self.notebook:
            return 0, span
        start = self.locate(span.start)
        if start is None:
            return None
        index, local_start = start
        line = span.end.line - self.starts[index]
        line = min(line, max(self.lines[index] - 1, 0))
        if span.end.line - self.starts[index] == line:
            column = span.end.column + self._shift(index, line)
        else:
            column = local_start.column
        return index, Span(local_start, Position(line, column))

    def position_in_text(self, part: int, pos: Position) -> Position | None:
        """A position in a part as a position in the analysed text (None: the part is not analysed)."""
        if part not in self.starts:
            return None
        return Position(pos.line + self.starts[part], max(pos.column - self._shift(part, pos.line), 0))


def file_layout(text: str) -> Layout:
    return Layout(text, {0: 0}, {0: len(split_lines(text))}, notebook=False)


def notebook_layout(cells: list[Cell]) -> Layout:
    parts: list[str] = []
    layout = Layout("")
    line = 0
    for index, cell in enumerate(cells):
        if cell.kind != "code":
            continue
        cell_mask = mask_cell(cell.source)
        lines = split_lines(cell.source)
        count = len(lines) if cell.source else 1
        if cell_mask is None:
            masked = "\n" * count
        else:
            masked = cell_mask.text
            if any(cell_mask.shifts):
                layout.shifts[index] = cell_mask.shifts
        if not masked.endswith(("\n", "\r")):
            masked += "\n"
        layout.starts[index] = line
        layout.lines[index] = count
        parts.append(masked)
        line += count
    layout.text = "".join(parts)
    return layout


@dataclass
class PartFinding:
    """A diagnostic located in a part; related places and fix edits carry their own parts."""

    part: int
    diagnostic: Diagnostic  # with spans relative to its part
    related_parts: list[int] = field(default_factory=list)
    fix_parts: list[list[int]] = field(default_factory=list)  # per fix, the part of each edit


def map_diagnostics(layout: Layout, diagnostics: list[Diagnostic]) -> list[PartFinding]:
    found = []
    for d in diagnostics:
        located = layout.locate_span(d.span)
        if located is None:
            continue
        part, span = located
        related, related_parts = [], []
        for r in d.related:
            where = layout.locate_span(r.span)
            if where is not None:
                related_parts.append(where[0])
                related.append(Related(where[1], r.message))
        fixes, fix_parts = [], []
        for fix in d.fixes:
            edits, parts = [], []
            for edit in fix.edits:
                where = layout.locate_span(edit.span)
                if where is None:
                    break
                parts.append(where[0])
                edits.append(TextEdit(where[1], edit.new_text))
            else:
                fixes.append(Fix(fix.title, tuple(edits), fix.preferred, fix.applicability))
                fix_parts.append(parts)
        local = Diagnostic(d.code, d.name, d.severity, d.message, span, related, fixes)
        found.append(PartFinding(part, local, related_parts, fix_parts))
    return found
