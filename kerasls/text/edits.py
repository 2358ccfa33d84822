"""Applying text edits (code-point positions) to a text."""

from __future__ import annotations

from .diagnostics import Position, TextEdit
from .source import split_lines


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits to a text."""
    lines = split_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(pos: Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        return offsets[pos.line] + min(pos.column, len(lines[pos.line]))

    out = text
    for edit in sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True):
        out = out[: offset(edit.span.start)] + edit.new_text + out[offset(edit.span.end) :]
    return out
