"""Between the core's positions (code points) and the client's (UTF-16 by default), and LSP types."""
from __future__ import annotations

import difflib
import re

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from .diagnostics import Diagnostic, Fix, Position, Severity, Span, TextEdit
from .report import rule_url

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


def diagnostic(d: Diagnostic, convert: Converter, uri: str, version: int | None) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=convert.range(r.span)), message=r.message
        )
        for r in d.related
    ]
    data = {
        "version": version,
        "fixes": [fix_data(fix, convert) for fix in d.fixes],
    }
    return types.Diagnostic(
        range=convert.range(d.span),
        message=d.message,
        severity=_SEVERITY[d.severity],
        code=d.code,
        code_description=types.CodeDescription(href=rule_url(d.code)),
        source=SOURCE,
        related_information=related or None,
        data=data,
    )


def fix_data(fix: Fix, convert: Converter) -> dict:
    return {
        "title": fix.title,
        "preferred": fix.preferred,
        "edits": [
            {
                "range": {
                    "start": {"line": r.start.line, "character": r.start.character},
                    "end": {"line": r.end.line, "character": r.end.character},
                },
                "newText": e.new_text,
            }
            for e in fix.edits
            for r in [convert.range(e.span)]
        ],
    }


def edits_from_data(fix: dict) -> list[types.TextEdit]:
    out = []
    for edit in fix.get("edits", []):
        r = edit["range"]
        out.append(types.TextEdit(
            range=types.Range(
                start=types.Position(line=r["start"]["line"], character=r["start"]["character"]),
                end=types.Position(line=r["end"]["line"], character=r["end"]["character"]),
            ),
            new_text=edit["newText"],
        ))
    return out


def line_edits(before_lines: list[str], after_lines: list[str]) -> list[types.TextEdit]:
    """Minimal whole-line edits turning one text into another (for fix-all)."""
    matcher = difflib.SequenceMatcher(a=before_lines, b=after_lines, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(types.TextEdit(
            range=types.Range(start=types.Position(line=i1, character=0), end=types.Position(line=i2, character=0)),
            new_text="".join(after_lines[j1:j2]),
        ))
    return edits


def shift_range(rng: types.Range, change: types.TextDocumentContentChangePartial, codec: PositionCodec) -> types.Range | None:
    """Where a range moves when a change is applied before it; None when the change touches it."""
    start, end = change.range.start, change.range.end
    if _le(rng.end, start):
        return rng
    if not _le(end, rng.start):
        return None
    pieces = _BREAK.split(change.text)
    breaks = len(pieces) - 1
    tail_units = codec.client_num_units(pieces[-1])

    def move(p: types.Position) -> types.Position:
        if p.line == end.line:
            base = tail_units if breaks else start.character + tail_units
            return types.Position(line=start.line + breaks, character=base + p.character - end.character)
        return types.Position(line=p.line + breaks - (end.line - start.line), character=p.character)

    return types.Range(start=move(rng.start), end=move(rng.end))


def _le(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) <= (b.line, b.character)


def shift_diagnostic(d: types.Diagnostic, change, codec: PositionCodec) -> types.Diagnostic | None:
    moved = shift_range(d.range, change, codec)
    if moved is None:
        return None
    related = []
    for info in d.related_information or []:
        where = shift_range(info.location.range, change, codec)
        if where is not None:
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=info.location.uri, range=where), message=info.message
            ))
    return types.Diagnostic(
        range=moved,
        message=d.message,
        severity=d.severity,
        code=d.code,
        code_description=d.code_description,
        source=d.source,
        related_information=related or None,
        data={**(d.data or {}), "fixes": []},  # the fixes were computed for an older text
    )
