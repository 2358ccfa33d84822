"""Hover: what kerasls inferred under the cursor, in a file or a notebook cell."""

from __future__ import annotations

from lsprotocol import types

from ..analysis.hover import hover_at
from .session import KerasLanguageServer


def _takes_markdown(ls: KerasLanguageServer) -> bool:
    """Markdown unless the client asks for plain text first (`hover.contentFormat`, its preference order)."""
    caps = ls.client_capabilities.text_document
    formats = caps.hover.content_format if caps and caps.hover else None
    return not formats or formats[0] != types.MarkupKind.PlainText


async def hover(ls: KerasLanguageServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    document = ls.require(uri)
    analysed = await ls.current(document)
    if analysed is None or analysed.analysis.syntax is not None or not analysed.analysis.uses_keras:
        return None
    part = analysed.snapshot.part_of(uri)
    if part is None:
        return None
    convert = ls.converter(analysed.snapshot.document.parts[part].source)
    if params.position.line >= len(convert.lines):
        return None  # past the end of the document: nothing is there
    where = analysed.layout.position_in_text(part, convert.from_client(params.position))
    markdown = _takes_markdown(ls)
    found = hover_at(analysed.analysis, where, markdown) if where is not None else None
    if found is None:
        return None
    text, span = found
    located = analysed.layout.locate_span(span)
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(
        contents=types.MarkupContent(kind=kind, value=text),
        range=convert.range(located[1]) if located is not None and located[0] == part else None,
    )
