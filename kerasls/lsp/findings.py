"""The core's findings as the JSON the client receives: places in the client's encoding, LSP diagnostics.

Plain JSON objects, not lsprotocol classes: unstructuring a few hundred lsprotocol Diagnostics
with cattrs costs more than the whole analysis of a 10,000 line file, and they are only ever
sent. This module imports neither pygls nor lsprotocol, so the first findings can go out
before those are loaded (see `boot`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..analysis import Analysis
from ..analysis.documents import Layout
from ..rules import SYNTAX_ERROR
from ..rules.api import rule_url
from ..text.diagnostics import Diagnostic, Fix, Position, Severity, Span
from ..text.source import split_lines

SOURCE = "kerasls"
_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFORMATION: 3, Severity.HINT: 4}

Units = Callable[[str], int]  # how many of the client's position units a piece of text takes


def units_of(encoding: str) -> Units:
    """Position units for a negotiated LSP position encoding ("utf-16" unless agreed otherwise)."""
    if encoding == "utf-8":
        return lambda text: len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len
    return lambda text: len(text.encode("utf-16-le")) // 2


class Lines:
    """Positions in one text, from the core's code points to the client's units, as JSON."""

    def __init__(self, lines: list[str], units: Units):
        self.lines = lines
        self.units = units

    def position(self, pos: Position) -> dict:
        if pos.line >= len(self.lines):
            return {"line": len(self.lines), "character": 0}
        text = self.lines[pos.line].rstrip("\r\n")
        if text.isascii():  # one unit per character in every encoding
            return {"line": pos.line, "character": min(pos.column, len(text))}
        return {"line": pos.line, "character": self.units(text[: pos.column])}

    def range(self, span: Span) -> dict:
        return {"start": self.position(span.start), "end": self.position(span.end)}


class Places:
    """Where a core position is for the client: which document (a file, a notebook's cell, or another
    file of the project) and which range in that document's encoding."""

    def __init__(self, layout: Layout, uris: list[str], texts: list[str], others: dict[str, str], units: Units):
        self.layout = layout
        self.uris = uris
        self.units = units
        self.parts = [Lines(split_lines(text), units) for text in texts]
        self.others = others  # path -> text of the imported modules
        self._other_lines: dict[str, Lines] = {}

    def locate(self, path: str | None, span: Span) -> tuple[str, dict] | None:
        if path is None:
            located = self.layout.locate_span(span)
            if located is None:
                return None
            part, local = located
            return self.uris[part], self.parts[part].range(local)
        if path not in self.others:
            return None
        lines = self._other_lines.get(path)
        if lines is None:
            lines = self._other_lines[path] = Lines(split_lines(self.others[path]), self.units)
        return Path(path).as_uri(), lines.range(span)


def diagnostic_json(d: Diagnostic, places: Places, version: int | None) -> tuple[str, dict] | None:
    """An LSP Diagnostic as JSON and the document it belongs to; related places and fix edits name their own.

    The fixes travel in `data` (so a code action is a lookup), with the document version they were made for.
    """
    located = places.locate(d.path, d.span)
    if located is None:
        return None
    uri, rng = located
    fixes = [data for data in (_fix_data(fix, places) for fix in d.fixes) if data is not None]
    item = {
        "range": rng,
        "message": d.message,
        "severity": _SEVERITY[d.severity],
        "code": d.code,
        "codeDescription": {"href": rule_url(d.code)},
        "source": SOURCE,
        "data": {"version": version, "fixes": fixes},
    }
    related = []
    for r in d.related:
        where = places.locate(r.path, r.span)
        if where is not None:
            related.append({"location": {"uri": where[0], "range": where[1]}, "message": r.message})
    if related:
        item["relatedInformation"] = related
    return uri, item


def _fix_data(fix: Fix, places: Places) -> dict | None:
    edits = []
    for edit in fix.edits:
        where = places.locate(edit.path, edit.span)
        if where is None:
            return None
        edits.append({"uri": where[0], "range": where[1], "newText": edit.new_text})
    return {"title": fix.title, "preferred": fix.preferred, "edits": edits}


def place(
    analysis: Analysis, places: Places, version: int | None, items: dict[str, list[dict]], show_syntax_errors: bool
) -> dict[str, list[dict]]:
    """Put each finding of a document that parses into `items` (by the URI of its file or cell).

    Returns those whose place is in another file (the Dense(1) in models.py): shown there when
    that file is open, and also here at the last place of this document they involve (the fit
    that ties them).
    """
    elsewhere: dict[str, list[dict]] = {}
    for diagnostic in analysis.diagnostics:
        if diagnostic.code == SYNTAX_ERROR.code and not show_syntax_errors:
            continue
        converted = diagnostic_json(diagnostic, places, version)
        if converted is None:
            continue
        uri, item = converted
        if uri in items:
            items[uri].append(item)
            continue
        elsewhere.setdefault(uri, []).append(item)
        here = [info["location"] for info in item.get("relatedInformation", []) if info["location"]["uri"] in items]
        if here:
            last = max(here, key=lambda where: (where["range"]["start"]["line"], where["range"]["start"]["character"]))
            items[last["uri"]].append(moved_to(item, last["uri"], last["range"], uri))
    return elsewhere


def moved_to(item: dict, uri: str, rng: dict, primary_uri: str) -> dict:
    """The same finding shown at another place (the fit that ties a model in another file to its labels),
    its real place first among the related ones."""
    primary = {"location": {"uri": primary_uri, "range": item["range"]}, "message": "the finding is here"}
    return {**item, "range": rng, "relatedInformation": [primary, *item.get("relatedInformation", [])]}


def starts_before(item: dict, line: int) -> bool:
    return item["range"]["end"]["line"] < line
