"""Code actions: each finding's quick fixes (carried in its data), an ignore comment, and fix-all."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from ..analysis.fix_all import fix_all
from ..rules import SYNTAX_ERROR
from ..text.diagnostics import Position
from ..text.source import split_lines
from . import convert as L
from . import findings as F
from .documents import FIX_ALL_KIND, NOTEBOOK_FIX_ALL_KIND, OpenDocument
from .session import KerasLanguageServer

OPTIONS = types.CodeActionOptions(
    code_action_kinds=[
        types.CodeActionKind.QuickFix,
        types.CodeActionKind.SourceFixAll,
        FIX_ALL_KIND,
        NOTEBOOK_FIX_ALL_KIND,
    ],
    resolve_provider=False,
)


async def code_action(ls: KerasLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.require(uri)
    only = params.context.only
    actions: list[types.CodeAction] = []
    if wants(only, types.CodeActionKind.QuickFix):
        for diagnostic in _diagnostics_for(ls, document, params):
            actions.extend(_quick_fixes(ls, document, uri, diagnostic))
    if only and any(covers(kind, document.fix_all_kind) or covers(kind, FIX_ALL_KIND) for kind in only):
        action = await _fix_all(ls, document)
        if action is not None:
            actions.append(action)
    return actions


def wants(only, kind) -> bool:
    return not only or any(covers(k, kind) for k in only)


def covers(requested, kind) -> bool:
    requested, kind = str(getattr(requested, "value", requested)), str(getattr(kind, "value", kind))
    return kind == requested or kind.startswith(requested + ".")


def _diagnostics_for(ls: KerasLanguageServer, document: OpenDocument, params: types.CodeActionParams):
    """The client's kerasls diagnostics in range, or ours for this version when it sent none."""
    given = [d for d in params.context.diagnostics if d.source == F.SOURCE and isinstance(d.data, dict)]
    if given:
        return given
    if document.items_key != document.key(ls.workspace):
        return []
    items = document.items.get(params.text_document.uri, [])
    return [L.as_object(d) for d in items if L.overlaps(d, params.range)]


def _quick_fixes(ls: KerasLanguageServer, document: OpenDocument, uri: str, diagnostic: types.Diagnostic):
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    actions = []
    if data.get("version") == document.version(ls.workspace):
        for fix in data.get("fixes", []):
            actions.append(
                types.CodeAction(
                    title=fix["title"],
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=bool(fix.get("preferred")),
                    edit=workspace_edit(ls, L.edits_from_data(fix, uri)),
                )
            )
    if diagnostic.code and diagnostic.code != SYNTAX_ERROR.code:
        text = ls.workspace.get_text_document(uri).source
        ignore = ignore_edit(ls.converter(text), diagnostic.range.start.line, str(diagnostic.code))
        if ignore is not None:
            actions.append(
                types.CodeAction(
                    title=f"Ignore {diagnostic.code} on this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=workspace_edit(ls, {uri: [ignore]}),
                )
            )
    return actions


def ignore_edit(convert: L.Converter, line: int, code: str) -> types.TextEdit | None:
    """Add the code to the line's suppression comment, or append one."""
    if line >= len(convert.lines):
        return None
    content = convert.lines[line].rstrip("\r\n")
    marker = content.find("# kerasls: ignore[")
    close = content.find("]", marker) if marker >= 0 else -1
    if marker >= 0 and close >= 0:
        point = convert.position(Position(line, close))
        return types.TextEdit(range=types.Range(start=point, end=point), new_text=f", {code}")
    end = convert.position(Position(line, len(content)))
    return types.TextEdit(range=types.Range(start=end, end=end), new_text=f"  # kerasls: ignore[{code}]")


async def _fix_all(ls: KerasLanguageServer, document: OpenDocument) -> types.CodeAction | None:
    """Every preferred safe fix, re-checked until stable (the core's fix-all), as edits on each part."""
    snapshot = document.snapshot(ls.workspace)
    previous = document.analysed.analysis if document.analysed is not None else None

    def job():
        return fix_all(
            snapshot.document, lambda text, barriers: ls.analyze_text(document.uri, text, previous, barriers)
        )

    outcome = await asyncio.wrap_future(ls.worker.submit(job))
    changed = outcome.changed(snapshot.document)
    if not outcome.fixed or not changed:
        return None
    edits = {
        snapshot.uris[part]: L.line_edits(split_lines(snapshot.document.parts[part].source), split_lines(new))
        for part, new in changed.items()
    }
    return types.CodeAction(
        title=f"Fix all kerasls findings ({outcome.fixed})",
        kind=document.fix_all_kind,
        edit=workspace_edit(ls, edits, dict(zip(snapshot.uris, snapshot.versions))),
    )


def workspace_edit(
    ls: KerasLanguageServer, edits: dict[str, list[types.TextEdit]], versions: dict[str, int | None] | None = None
) -> types.WorkspaceEdit:
    """Edits on one or more documents (a file, or a notebook's cells), versioned when the client can."""
    caps = ls.client_capabilities.workspace
    if caps and caps.workspace_edit and caps.workspace_edit.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri,
                        version=(versions or {}).get(uri, ls.workspace.get_text_document(uri).version),
                    ),
                    edits=items,
                )
                for uri, items in edits.items()
            ]
        )
    return types.WorkspaceEdit(changes=edits)
