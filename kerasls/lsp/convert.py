"""Between the core's positions (code points) and the client's (UTF-16 by default) as lsprotocol
objects, for requests; and how published findings move with the edits that follow them.

Published diagnostics themselves are plain JSON, built in `findings`.
"""

from __future__ import annotations

import difflib
import re

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..text.diagnostics import Position, Span, TextEdit
from ..text.source import split_lines
from .findings import Lines

_BREAK = re.compile(r"\r\n|\r|\n")


class Converter:
    """Converts positions for one text under the negotiated position encoding, as lsprotocol objects."""

    def __init__(self, lines: list[str], codec: PositionCodec):
        self.lines = lines
        self.codec = codec
        self._json = Lines(lines, codec.client_num_units)

    def position(self, pos: Position) -> types.Position:
        return types.Position(**self._json.position(pos))

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


_CONVERTER = None


def as_object(item: dict) -> types.Diagnostic:
    """A JSON diagnostic as an lsprotocol object (for the rare responses that embed one)."""
    global _CONVERTER
    if _CONVERTER is None:
        from pygls.protocol import default_converter  # made on first use: building it costs start-up time

        _CONVERTER = default_converter()
    return _CONVERTER.structure(item, types.Diagnostic)


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
