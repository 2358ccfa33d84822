"""Between the core's positions (code points) and the client's (UTF-16 by default), and LSP types.

Diagnostics are built as plain JSON objects, not lsprotocol classes: unstructuring a few
hundred lsprotocol Diagnostics with cattrs costs more than the whole analysis of a 10,000
line file, and they are only ever sent, never inspected as objects.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..analysis.documents import Layout
from ..rules.api import rule_url
from ..text.diagnostics import Diagnostic, Fix, Position, Severity, Span, TextEdit
from ..text.source import split_lines

SOURCE = "kerasls"
_BREAK = re.compile(r"\r\n|\r|\n")


class Converter:
    """Converts positions for one text under the negotiated position encoding."""

    def __init__(self, lines: list[str], codec: PositionCodec):
        self.lines = lines
        self.codec = codec

    def position(self, pos: Position) -> types.Position:
        line = min(pos.line, len(self.lines))
        if line >= len(self.lines):
            return types.Position(line=len(self.lines), character=0)
        text = self.lines[line]
        if text.isascii():  # one unit per character in every encoding
            return types.Position(line=line, character=min(pos.column, len(text.rstrip("\r\n"))))
        return types.Position(line=line, character=self.codec.client_num_units(text.rstrip("\r\n")[: pos.column]))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start), end=self.position(span.end))

    def from_client(self, pos: types.Position) -> Position:
        """A client position to code points; positions past the end are clamped."""
        if pos.line >= len(self.lines):
            last = len(self.lines) - 1
            return Position(max(last, 0), len(self.lines[last].rstrip("\r\n")) if self.lines else 0)
        text = self.lines[pos.line].rstrip("\r\n")
        units = 0
        for index, char in enumerate(text):
            if units >= pos.character:
                return Position(pos.line, index)
            units += self.codec.client_num_units(char)
        return Position(pos.line, len(text))

    def edit(self, edit: TextEdit) -> types.TextEdit:
        return types.TextEdit(range=self.range(edit.span), new_text=edit.new_text)


_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def range_json(rng: types.Range) -> dict:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


class Places:
    """Where a core position is for the client: which document (a file, a notebook's cell, or another
    file of the project) and which range in that document's encoding."""

    def __init__(self, layout: Layout, uris: list[str], texts: list[str], others: dict[str, str], codec: PositionCodec):
        self.layout = layout
        self.uris = uris
        self.codec = codec
        self.converters = [Converter(split_lines(text), codec) for text in texts]
        self.others = others  # path -> text of the imported modules
        self._other_converters: dict[str, Converter] = {}

    def locate(self, path: str | None, span: Span) -> tuple[str, dict] | None:
        if path is None:
            located = self.layout.locate_span(span)
            if located is None:
                return None
            part, local = located
            return self.uris[part], range_json(self.converters[part].range(local))
        if path not in self.others:
            return None
        convert = self._other_converters.get(path)
        if convert is None:
            convert = self._other_converters[path] = Converter(split_lines(self.others[path]), self.codec)
        return Path(path).as_uri(), range_json(convert.range(span))


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
        "severity": _SEVERITY[d.severity].value,
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


def moved_to(item: dict, uri: str, rng: dict, primary_uri: str) -> dict:
    """The same finding shown at another place (the fit that ties a model in another file to its labels),
    its real place first among the related ones."""
    primary = {"location": {"uri": primary_uri, "range": item["range"]}, "message": "the finding is here"}
    return {**item, "range": rng, "relatedInformation": [primary, *item.get("relatedInformation", [])]}


_CONVERTER = None


def as_object(item: dict) -> types.Diagnostic:
    """A JSON diagnostic as an lsprotocol object (for the rare responses that embed one)."""
    global _CONVERTER
    if _CONVERTER is None:
        from pygls.protocol import default_converter  # made on first use: building it costs start-up time

        _CONVERTER = default_converter()
    return _CONVERTER.structure(item, types.Diagnostic)


def starts_before(item: dict, line: int) -> bool:
    return item["range"]["end"]["line"] < line


def overlaps(item: dict, rng: types.Range) -> bool:
    start, end = item["range"]["start"], item["range"]["end"]
    return (start["line"], start["character"]) <= (rng.end.line, rng.end.character) and (
        rng.start.line,
        rng.start.character,
    ) <= (end["line"], end["character"])


def edits_from_data(fix: dict, default_uri: str) -> dict[str, list[types.TextEdit]]:
    """A fix's edits from a diagnostic's data, by the document (file or cell) each applies to."""
    out: dict[str, list[types.TextEdit]] = {}
    for edit in fix.get("edits", []):
        r = edit["range"]
        out.setdefault(edit.get("uri", default_uri), []).append(
            types.TextEdit(
                range=types.Range(
                    start=types.Position(line=r["start"]["line"], character=r["start"]["character"]),
                    end=types.Position(line=r["end"]["line"], character=r["end"]["character"]),
                ),
                new_text=edit["newText"],
            )
        )
    return out


def line_edits(before_lines: list[str], after_lines: list[str]) -> list[types.TextEdit]:
    """Minimal whole-line edits turning one text into another (for fix-all)."""
    matcher = difflib.SequenceMatcher(a=before_lines, b=after_lines, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(start=types.Position(line=i1, character=0), end=types.Position(line=i2, character=0)),
                new_text="".join(after_lines[j1:j2]),
            )
        )
    return edits


def difference(before: str, after: str) -> types.TextDocumentContentChangePartial:
    """A whole-text change as the one range of lines it replaces (common first and last lines kept)."""
    old, new = split_lines(before), split_lines(after)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=head, character=0), end=types.Position(line=len(old) - tail, character=0)
        ),
        text="".join(new[head : len(new) - tail]),
    )


def shift_range(rng: dict, change: types.TextDocumentContentChangePartial, codec: PositionCodec) -> dict | None:
    """Where a JSON range moves when a change is applied before it; None when the change touches it."""
    start, end = change.range.start, change.range.end
    r_start, r_end = rng["start"], rng["end"]
    if (r_end["line"], r_end["character"]) <= (start.line, start.character):
        return rng
    if (end.line, end.character) > (r_start["line"], r_start["character"]):
        return None
    pieces = _BREAK.split(change.text)
    breaks = len(pieces) - 1
    tail_units = codec.client_num_units(pieces[-1])

    def move(p: dict) -> dict:
        if p["line"] == end.line:
            base = tail_units if breaks else start.character + tail_units
            return {"line": start.line + breaks, "character": base + p["character"] - end.character}
        return {"line": p["line"] + breaks - (end.line - start.line), "character": p["character"]}

    return {"start": move(r_start), "end": move(r_end)}


def shift_diagnostic(d: dict, change, codec: PositionCodec) -> dict | None:
    moved = shift_range(d["range"], change, codec)
    if moved is None:
        return None
    shifted = {**d, "range": moved, "data": {**d.get("data", {}), "fixes": []}}  # fixes were for an older text
    related = []
    for info in d.get(
        "relatedInformation", []
    ):  # related places may lie after the change even when the finding does not
        where = shift_range(info["location"]["range"], change, codec)
        if where is not None:
            related.append({"location": {"uri": info["location"]["uri"], "range": where}, "message": info["message"]})
    if related:
        shifted["relatedInformation"] = related
    else:
        shifted.pop("relatedInformation", None)
    return shifted
