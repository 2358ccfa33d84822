""".ipynb files: read the cells, write back only the sources that changed, byte for byte otherwise.

The JSON is parsed with positions, so a fix replaces exactly the text of the `source`
values it changes; outputs, metadata, ids, key order, indentation and the final newline
are left as they were.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field

from ..analysis.documents import Cell, Document
from ..text.diagnostics import Position, Span
from ..text.source import split_lines


class NotebookError(ValueError):
    """A notebook kerasls cannot read; the message says why in plain words."""


class NotPythonNotebook(NotebookError):
    """A notebook whose kernel is another language (R, Julia, ...): not ours to check."""


@dataclass
class Notebook:
    raw: str
    cells: list[Cell]
    source_spans: list[tuple[int, int] | None]  # where each cell's "source" value is in raw
    source_is_list: list[bool]
    # where each piece of each cell's source (a list's strings, or the one string) is in raw
    source_pieces: list[list[tuple[int, int]]] = field(default_factory=list)
    _offsets: dict[int, list[int] | None] = field(default_factory=dict, repr=False)
    _raw_lines: list[int] | None = field(default=None, repr=False)

    @property
    def document(self) -> Document:
        return Document.cells(self.cells)

    # -- positions in the .ipynb file itself ----------------------------------------------
    def raw_position(self, cell: int, pos: Position) -> Position | None:
        """Where a position of a cell's source is in the notebook's JSON text (0-based line and
        code-point column of the character inside its JSON string), or None if unknown."""
        offset = self._offset(cell, pos)
        if offset is None:
            return None
        if self._raw_lines is None:
            self._raw_lines = [0] + [i + 1 for i, char in enumerate(self.raw) if char == "\n"]
        raw_line = bisect.bisect_right(self._raw_lines, offset) - 1
        return Position(raw_line, offset - self._raw_lines[raw_line])

    def _offset(self, cell: int, pos: Position) -> int | None:
        offsets = self._cell_offsets(cell)
        if offsets is None:
            return None
        lines = split_lines(self.cells[cell].source)
        line = min(pos.line, len(lines) - 1)
        index = sum(len(text) for text in lines[:line]) + min(pos.column, len(lines[line]))
        return offsets[min(index, len(offsets) - 1)]

    def raw_span(self, cell: int, span: Span) -> Span | None:
        start, end = self.raw_position(cell, span.start), self.raw_position(cell, span.end)
        return Span(start, end) if start is not None and end is not None else None

    def replaceable(self, cell: int, span: Span) -> bool:
        """Whether a span of a cell lies inside one JSON string of its source (so the text there can
        be replaced in the .ipynb text itself, as a SARIF fix does)."""
        first, last = self._offset(cell, span.start), self._offset(cell, span.end)
        if first is None or last is None:
            return False
        return any(begin < first and last < end for begin, end in self.source_pieces[cell])

    def _cell_offsets(self, cell: int) -> list[int] | None:
        """Raw offset of each character of the cell's source, and of its end."""
        if cell not in self._offsets:
            offsets: list[int] | None = []
            pieces = self.source_pieces[cell] if cell < len(self.source_pieces) else []
            for start, end in pieces:
                offsets.extend(_string_offsets(self.raw, start, end))
            if pieces:
                offsets.append(pieces[-1][1] - 1)  # the end: the closing quote of the last piece
            if not offsets or len(offsets) != len(self.cells[cell].source) + 1:
                offsets = None
            self._offsets[cell] = offsets
        return self._offsets[cell]


def _string_offsets(raw: str, start: int, end: int) -> list[int]:
    """The raw offset of each character a JSON string literal raw[start:end] decodes to."""
    out = []
    i = start + 1
    last = end - 1
    while i < last:
        if raw[i] != "\\":
            out.append(i)
            i += 1
        elif raw[i + 1] != "u":
            out.append(i)
            i += 2
        else:
            code = int(raw[i + 2 : i + 6], 16)
            out.append(i)
            if 0xD800 <= code < 0xDC00 and raw.startswith("\\u", i + 6):
                low = int(raw[i + 8 : i + 12], 16)
                if 0xDC00 <= low < 0xE000:
                    i += 12
                    continue
            i += 6
    return out


# -- JSON with positions ----------------------------------------------------------------------
class _Parser:
    """A small JSON parser that remembers where each value starts and ends."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0

    def parse(self):
        value = self.value()
        self.space()
        if self.i != len(self.text):
            raise NotebookError(f"unexpected text after the JSON document at offset {self.i}")
        return value

    def space(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t\r\n":
            self.i += 1

    def value(self):
        """Returns (python value, start, end, children) with children for objects/arrays."""
        self.space()
        if self.i >= len(self.text):
            raise NotebookError("the JSON ends too early")
        start = self.i
        char = self.text[self.i]
        if char == "{":
            return self.object(start)
        if char == "[":
            return self.array(start)
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.i)
        except json.JSONDecodeError as error:
            raise NotebookError(f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
        self.i = end
        return value, start, end, None

    def object(self, start: int):
        self.i += 1
        members = {}
        values = {}
        self.space()
        if self.text.startswith("}", self.i):
            self.i += 1
            return {}, start, self.i, {}
        while True:
            key, _, _, _ = self.value()
            if not isinstance(key, str):
                raise NotebookError("invalid JSON: object keys must be strings")
            self.space()
            self.expect(":")
            member = self.value()
            members[key] = member
            values[key] = member[0]
            self.space()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            self.expect("}")
            return values, start, self.i, members

    def array(self, start: int):
        self.i += 1
        items, values = [], []
        self.space()
        if self.text.startswith("]", self.i):
            self.i += 1
            return [], start, self.i, []
        while True:
            item = self.value()
            items.append(item)
            values.append(item[0])
            self.space()
            if self.text.startswith(",", self.i):
                self.i += 1
                continue
            self.expect("]")
            return values, start, self.i, items

    def expect(self, char: str) -> None:
        if not self.text.startswith(char, self.i):
            raise NotebookError(f"invalid JSON: expected {char!r} at offset {self.i}")
        self.i += 1


def read_notebook(raw: str) -> Notebook:
    try:
        document = _Parser(raw).parse()
    except RecursionError:
        raise NotebookError("the JSON is nested too deeply") from None
    values, _, _, members = document
    if not isinstance(values, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    major = values.get("nbformat")
    if not isinstance(major, int) or major < 4:
        raise NotebookError(f"nbformat {major} is not supported (kerasls reads nbformat 4 and later)")
    language = _language(values.get("metadata"))
    if language is not None and language.lower() not in ("python", "python3", "ipython", "ipython3"):
        raise NotPythonNotebook(f"the notebook's kernel is {language}, not Python")
    cells_member = members.get("cells")
    if cells_member is None or not isinstance(cells_member[0], list):
        raise NotebookError("not a notebook: no list of cells")
    cells, spans, is_list, pieces = [], [], [], []
    for item in cells_member[3]:
        cell_values, _, _, cell_members = item
        if not isinstance(cell_values, dict):
            raise NotebookError("not a notebook: a cell is not an object")
        source_member = cell_members.get("source")
        source = cell_values.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            text, listed = "".join(source), True
        elif isinstance(source, str):
            text, listed = source, False
        else:
            raise NotebookError("not a notebook: a cell's source is not text")
        kind = cell_values.get("cell_type", "code")
        cells.append(Cell(text, "code" if kind == "code" else "markdown", cell_values.get("id")))
        spans.append((source_member[1], source_member[2]) if source_member else None)
        is_list.append(listed)
        if source_member is None:
            pieces.append([])
        elif listed:
            pieces.append([(item[1], item[2]) for item in source_member[3]])
        else:
            pieces.append([(source_member[1], source_member[2])])
    return Notebook(raw, cells, spans, is_list, pieces)


def _language(metadata) -> str | None:
    if not isinstance(metadata, dict):
        return None
    spec = metadata.get("kernelspec")
    if isinstance(spec, dict) and isinstance(spec.get("language"), str):
        return spec["language"]
    info = metadata.get("language_info")
    if isinstance(info, dict) and isinstance(info.get("name"), str):
        return info["name"]
    return None


# -- writing back -----------------------------------------------------------------------------
def write_sources(notebook: Notebook, sources: dict[int, str]) -> str:
    """The raw notebook text with the given cells' sources replaced, nothing else touched."""
    raw = notebook.raw
    ascii_only = "\\u" in raw and all(ord(c) < 128 for c in raw)
    pieces = []
    last = 0
    for index in sorted(sources):
        span = notebook.source_spans[index]
        if span is None:
            raise NotebookError(f"cell {index} has no source to write")
        start, end = span
        pieces.append(raw[last:start])
        pieces.append(_encode(raw[start:end], sources[index], notebook.source_is_list[index], ascii_only))
        last = end
    pieces.append(raw[last:])
    return "".join(pieces)


def _encode(original: str, text: str, listed: bool, ascii_only: bool) -> str:
    if not listed:
        return json.dumps(text, ensure_ascii=ascii_only)
    lines = text.splitlines(keepends=True)
    inner = original[1:-1]
    opening = inner[: len(inner) - len(inner.lstrip())] if inner.strip() else "\n"
    closing = inner[len(inner.rstrip()) :] if inner.strip() else ""
    items = f",{opening}".join(json.dumps(line, ensure_ascii=ascii_only) for line in lines)
    return f"[{opening}{items}{closing}]" if lines else "[]"
