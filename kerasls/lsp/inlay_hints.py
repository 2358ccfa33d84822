"""Inlay hints: the output shape after each layer (off unless the `inlayHints` setting is on)."""

from __future__ import annotations

from lsprotocol import types

from ..engine.shapes import format_shape
from .session import KerasLanguageServer

OPTIONS = types.InlayHintOptions(resolve_provider=False)


async def inlay_hints(ls: KerasLanguageServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    if not ls.settings.inlay_hints:
        return []
    uri = params.text_document.uri
    document = ls.require(uri)
    analysed = await ls.current(document)
    if analysed is None or analysed.analysis.syntax is not None:
        return []
    part = analysed.snapshot.part_of(uri)
    if part is None:
        return []
    convert = ls.converter(analysed.snapshot.document.parts[part].source)
    first, last = params.range.start.line, params.range.end.line
    hints = []
    for summary in analysed.analysis.summaries:
        for row in summary.rows:
            if row.site is None or row.kind == "InputLayer" or row.output is None:
                continue
            located = analysed.layout.locate_span(row.site.span)
            if located is None or located[0] != part or not first <= located[1].end.line <= last:
                continue
            hints.append(
                types.InlayHint(
                    position=convert.position(located[1].end),
                    label=f"→ {format_shape(row.output)}",
                    kind=types.InlayHintKind.Type,
                    padding_left=True,
                )
            )
    return hints
