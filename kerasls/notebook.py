"""Notebooks: code cells in order analysed as one module, findings mapped back to cells.

IPython syntax (`%magic`, `!shell`, `obj?`) is masked with placeholders of the same length,
so every column stays where it was; each cell keeps its own lines, so a finding maps back to
(cell, line, column). A cell run by a non-Python cell magic (`%%bash`, `%%writefile`) is left
out (its lines become blank).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Fix, Position, Related, Span, TextEdit
from .source import split_lines

# Cell magics whose body is still Python run in the kernel.
PYTHON_CELL_MAGICS = {"python", "python3", "time", "timeit", "capture", "prun", "debug"}
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w\.\[\]\s,]+=\s*)([!%].*)$")
_LINE_MAGIC = re.compile(r"^(\s*)([!%])")
_HELP_PREFIX = re.compile(r"^(\s*)(\?\??)")
_HELP_SUFFIX = re.compile(r"(\?\??)(\s*)$")


@dataclass
class Cell:
    source: str
    kind: str = "code"  # code or markdown (raw cells count as markdown: not analysed)
    id: str | None = None


@dataclass
class VirtualModule:
    """The text analysed for a notebook and how its lines map back to cells."""

    text: str
    cell_starts: dict[int, int] = field(default_factory=dict)  # cell index -> first line in text
    cell_lines: dict[int, int] = field(default_factory=dict)  # cell index -> number of lines

    def locate(self, pos: Position) -> tuple[int, Position] | None:
        for index, start in self.cell_starts.items():
            if start <= pos.line < start + max(self.cell_lines[index], 1):
                return index, Position(pos.line - start, pos.column)
        return None

    def locate_span(self, span: Span) -> tuple[int, Span] | None:
        start = self.locate(span.start)
        if start is None:
            return None
        index, local_start = start
        line = span.end.line - self.cell_starts[index]
        line = min(line, max(self.cell_lines[index] - 1, 0))
        column = span.end.column if span.end.line - self.cell_starts[index] == line else local_start.column
        return index, Span(local_start, Position(line, column))

    @property
    def barriers(self) -> list[int]:
        return sorted(self.cell_starts.values())


def mask_line(line: str) -> str:
    """IPython-only syntax on one line, replaced by Python of the same length."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    assigned = _ASSIGNED_MAGIC.match(body)
    if assigned and not body.lstrip().startswith(("%", "!")):
        prefix, rest = assigned.groups()
        return prefix + "_" + " " * (len(rest) - 1) + ending  # x = !ls  ->  x = _
    magic = _LINE_MAGIC.match(body)
    if magic and not body.lstrip().startswith("!="):
        indent = magic.group(1)
        return indent + "#" + body[len(indent) + 1:] + ending
    helped = _HELP_PREFIX.match(body)
    if helped:
        indent = helped.group(1)
        return indent + "#" + body[len(indent) + 1:] + ending
    suffix = _HELP_SUFFIX.search(body)
    if suffix and not body.lstrip().startswith("#") and _is_help_query(body):
        return body[: suffix.start()] + " " * len(suffix.group(1)) + suffix.group(2) + ending
    return line


def _is_help_query(body: str) -> bool:
    """`model.fit?` asks for help; `x = y if a else b` never ends in '?', but strings might."""
    stripped = body.rstrip().rstrip("?")
    return bool(re.fullmatch(r"\s*[A-Za-z_][\w\.]*(\(\))?", stripped))


def mask_cell(source: str) -> str | None:
    """A code cell as Python with the same line and column layout; None to leave it out."""
    lines = split_lines(source)
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0].strip() if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = "#" + lines[0][1:]  # %%time  ->  #%time (same length)
        return "".join(lines[:1]) + "".join(mask_line(line) for line in lines[1:])
    return "".join(mask_line(line) for line in lines)


def virtual_module(cells: list[Cell]) -> VirtualModule:
    parts: list[str] = []
    module = VirtualModule("")
    line = 0
    for index, cell in enumerate(cells):
        if cell.kind != "code":
            continue
        masked = mask_cell(cell.source)
        lines = split_lines(cell.source)
        count = len(lines) if cell.source else 1
        if masked is None:
            masked = "\n" * count
        if not masked.endswith(("\n", "\r")):
            masked += "\n"
        module.cell_starts[index] = line
        module.cell_lines[index] = count
        parts.append(masked)
        line += count
    module.text = "".join(parts)
    return module


@dataclass
class CellFinding:
    """A diagnostic located in a cell; related places and fix edits carry their own cells."""

    cell: int
    diagnostic: Diagnostic  # with spans relative to its cell
    related_cells: list[int] = field(default_factory=list)
    fix_cells: list[list[int]] = field(default_factory=list)  # per fix, the cell of each edit


def map_diagnostics(module: VirtualModule, diagnostics: list[Diagnostic]) -> list[CellFinding]:
    found = []
    for d in diagnostics:
        located = module.locate_span(d.span)
        if located is None:
            continue
        cell, span = located
        related, related_cells = [], []
        for r in d.related:
            where = module.locate_span(r.span)
            if where is not None:
                related_cells.append(where[0])
                related.append(Related(where[1], r.message))
        fixes, fix_cells = [], []
        for fix in d.fixes:
            edits, cells = [], []
            for edit in fix.edits:
                where = module.locate_span(edit.span)
                if where is None:
                    break
                cells.append(where[0])
                edits.append(TextEdit(where[1], edit.new_text))
            else:
                fixes.append(Fix(fix.title, tuple(edits), fix.preferred, fix.applicability))
                fix_cells.append(cells)
        local = Diagnostic(d.code, d.name, d.severity, d.message, span, related, fixes)
        found.append(CellFinding(cell, local, related_cells, fix_cells))
    return found
