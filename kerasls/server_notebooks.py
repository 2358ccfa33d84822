"""LSP notebook documents: cells analysed as one program, findings published per cell.

The notebook handlers live here; `server.py` routes requests on cell URIs (hover, code
actions, pulled diagnostics, inlay hints) to the functions below.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from lsprotocol import types

from . import lsp_convert as L
from .analysis import Analysis
from .diagnostics import Position
from .fixing import choose_edits
from .hover import hover_at
from .notebook import Cell, VirtualModule, map_diagnostics, virtual_module
from .rules import SYNTAX_ERROR
from .server import FIX_ALL_KIND, KerasLanguageServer, _covers, _wants, server
from .shapes import format_shape, summarize_all

NOTEBOOK_FIX_ALL_KIND = f"notebook.{FIX_ALL_KIND}"


@dataclass
class NotebookState:
    uri: str
    generation: int = 0
    timer: asyncio.TimerHandle | None = None
    changes: int = 0  # bumped on every change; a cell's text can change while the notebook version does not
    analysed: int = -1  # the `changes` count the current analysis saw
    version: int | None = None  # the notebook version analysed
    analysis: Analysis | None = None
    module: VirtualModule | None = None
    uris: list[str] = field(default_factory=list)  # cell URIs by cell index, at analysis time
    items: dict[str, list[dict]] = field(default_factory=dict)  # JSON diagnostics per cell URI
    published: set[str] = field(default_factory=set)


STATES: dict[str, NotebookState] = {}


def owner(ls: KerasLanguageServer, cell_uri: str) -> NotebookState | None:
    notebook = ls.workspace.get_notebook_document(cell_uri=cell_uri)
    return STATES.get(notebook.uri) if notebook is not None else None


def snapshot(ls: KerasLanguageServer, uri: str) -> tuple[list[Cell], list[str], int | None]:
    notebook = ls.workspace.get_notebook_document(notebook_uri=uri)
    cells, uris = [], []
    for cell in notebook.cells:
        document = ls.workspace.get_text_document(cell.document)
        code = cell.kind == types.NotebookCellKind.Code and (document.language_id or "python") == "python"
        cells.append(Cell(document.source, "code" if code else "markdown"))
        uris.append(cell.document)
    return cells, uris, notebook.version


def schedule(ls: KerasLanguageServer, uri: str, delay_ms: int) -> None:
    state = STATES[uri]
    state.generation += 1
    generation = state.generation
    if state.timer is not None:
        state.timer.cancel()
    loop = asyncio.get_running_loop()
    state.timer = loop.call_later(delay_ms / 1000, lambda: loop.create_task(refresh(ls, uri, generation)))


async def analyze_now(ls: KerasLanguageServer, state: NotebookState, still_wanted=lambda: True) -> bool:
    changes = state.changes
    cells, uris, version = snapshot(ls, state.uri)
    module = virtual_module(cells)
    previous = state.analysis

    def job():
        if not still_wanted():
            return None
        return ls.analyze_text(state.uri, module.text, previous, module.barriers)

    analysis = await asyncio.wrap_future(ls.worker.submit(job))
    if analysis is None or not still_wanted() or STATES.get(state.uri) is not state:
        return False
    ls.report_failures(analysis)
    if state.analysis is not None and state.analysis is not analysis:
        state.analysis.release()
    state.analysis, state.module, state.uris, state.version = analysis, module, uris, version
    state.analysed = changes
    before = state.items
    state.items = _cell_items(ls, state, cells)
    if ls.pull_mode and before and state.items != before:
        ls.request_refresh()  # other cells' findings changed too: ask the client to pull them again
    return True


async def refresh(ls: KerasLanguageServer, uri: str, generation: int) -> None:
    state = STATES.get(uri)
    if state is None or state.generation != generation:
        return
    await ls.settled()
    if await analyze_now(ls, state, lambda: state.generation == generation) and not ls.pull_mode:
        publish(ls, state)


def _cell_items(ls: KerasLanguageServer, state: NotebookState, cells: list[Cell]) -> dict[str, list[dict]]:
    items: dict[str, list[dict]] = {uri: [] for uri, cell in zip(state.uris, cells) if cell.kind == "code"}
    if not ls.settings.enable:
        return items
    converters = {i: ls.converter(cell.source) for i, cell in enumerate(cells)}
    for finding in map_diagnostics(state.module, state.analysis.diagnostics):
        if finding.diagnostic.code == SYNTAX_ERROR.code and not ls.settings.show_syntax_errors:
            continue
        uri = state.uris[finding.cell]
        items.setdefault(uri, []).append(_to_lsp(finding, converters, state))
    return items


def _to_lsp(finding, converters, state: NotebookState) -> dict:
    d = finding.diagnostic
    related = [
        {"location": {"uri": state.uris[cell], "range": L.range_json(converters[cell].range(r.span))}, "message": r.message}
        for r, cell in zip(d.related, finding.related_cells)
    ]
    diagnostic = L.diagnostic(d, converters[finding.cell], state.uris[finding.cell], state.version, related)
    fixes = []
    for fix, cells in zip(d.fixes, finding.fix_cells):
        data = L.fix_data(fix, converters[finding.cell])
        for edit, cell, raw in zip(data["edits"], cells, fix.edits):
            edit["uri"] = state.uris[cell]
            rng = converters[cell].range(raw.span)
            edit["range"] = {"start": {"line": rng.start.line, "character": rng.start.character},
                             "end": {"line": rng.end.line, "character": rng.end.character}}
        fixes.append(data)
    diagnostic["data"] = {"version": state.version, "notebook": state.uri, "fixes": fixes}
    return diagnostic


def publish(ls: KerasLanguageServer, state: NotebookState) -> None:
    for uri in state.published - set(state.items):
        ls.publish(uri, None, [])  # a cell that was removed
    for uri, items in state.items.items():
        if items or uri in state.published:
            ls.publish(uri, ls.workspace.get_text_document(uri).version, items)
    state.published = {uri for uri, items in state.items.items() if items} | (state.published & set(state.items))


# -- notebook sync ----------------------------------------------------------------------------
@server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
def did_open_notebook(ls: KerasLanguageServer, params: types.DidOpenNotebookDocumentParams) -> None:
    STATES[params.notebook_document.uri] = NotebookState(params.notebook_document.uri)
    schedule(ls, params.notebook_document.uri, 0)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
def did_change_notebook(ls: KerasLanguageServer, params: types.DidChangeNotebookDocumentParams) -> None:
    state = STATES.get(params.notebook_document.uri)
    if state is None:
        return
    state.changes += 1
    if ls.settings.run == "onType":
        schedule(ls, params.notebook_document.uri, ls.settings.debounce)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
def did_save_notebook(ls: KerasLanguageServer, params: types.DidSaveNotebookDocumentParams) -> None:
    if params.notebook_document.uri in STATES:
        schedule(ls, params.notebook_document.uri, 0)


@server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
def did_close_notebook(ls: KerasLanguageServer, params: types.DidCloseNotebookDocumentParams) -> None:
    state = STATES.pop(params.notebook_document.uri, None)
    if state is None:
        return
    if state.timer is not None:
        state.timer.cancel()
    for uri in state.published | {cell.uri for cell in params.cell_text_documents}:
        ls.publish(uri, None, [])


def recheck_all(ls: KerasLanguageServer) -> None:
    for uri in list(STATES):
        schedule(ls, uri, 0)


# -- requests on cells ------------------------------------------------------------------------
async def current(ls: KerasLanguageServer, state: NotebookState) -> None:
    if state.analysis is None or state.analysed != state.changes:
        await analyze_now(ls, state)


async def pull(ls: KerasLanguageServer, state: NotebookState, cell_uri: str):
    await current(ls, state)
    return {"kind": "full", "items": state.items.get(cell_uri, [])}


async def hover(ls: KerasLanguageServer, state: NotebookState, params: types.HoverParams) -> types.Hover | None:
    await current(ls, state)
    if state.analysis is None or not state.analysis.uses_keras or params.text_document.uri not in state.uris:
        return None
    index = state.uris.index(params.text_document.uri)
    if index not in state.module.cell_starts:
        return None
    cell_text = ls.workspace.get_text_document(params.text_document.uri).source
    convert = ls.converter(cell_text)
    if params.position.line >= len(convert.lines):
        return None
    local = convert.from_client(params.position)
    found = hover_at(state.analysis, Position(local.line + state.module.cell_starts[index], local.column))
    if found is None:
        return None
    markdown, span = found
    located = state.module.locate_span(span)
    rng = convert.range(located[1]) if located is not None and located[0] == index else None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown), range=rng)


async def code_actions(ls: KerasLanguageServer, state: NotebookState, params: types.CodeActionParams) -> list:
    await current(ls, state)
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        given = [d for d in params.context.diagnostics if d.source == L.SOURCE and isinstance(d.data, dict)]
        if not given:
            given = [L.as_object(d) for d in state.items.get(params.text_document.uri, []) if L.overlaps(d, params.range)]
        for diagnostic in given:
            if diagnostic.data.get("version") != state.version:
                continue
            for fix in diagnostic.data.get("fixes", []):
                actions.append(types.CodeAction(
                    title=fix["title"], kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                    is_preferred=bool(fix.get("preferred")), edit=_edit(ls, fix["edits"]),
                ))
            ignore = _ignore_action(ls, params.text_document.uri, diagnostic)
            if ignore is not None:
                actions.append(ignore)
    if only and any(_covers(kind, NOTEBOOK_FIX_ALL_KIND) or _covers(kind, FIX_ALL_KIND) for kind in only):
        action = _fix_all(ls, state)
        if action is not None:
            actions.append(action)
    return actions


def _ignore_action(ls: KerasLanguageServer, cell_uri: str, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    if not diagnostic.code or diagnostic.code == SYNTAX_ERROR.code:
        return None
    from .server import _ignore_edit

    edit = _ignore_edit(ls.converter(ls.workspace.get_text_document(cell_uri).source), diagnostic.range.start.line, str(diagnostic.code))
    if edit is None:
        return None
    data = [{"uri": cell_uri, "newText": edit.new_text, "range": L.range_json(edit.range)}]
    return types.CodeAction(title=f"Ignore {diagnostic.code} on this line", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic], edit=_edit(ls, data))


def _edit(ls: KerasLanguageServer, edits: list[dict]) -> types.WorkspaceEdit:
    by_uri: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        by_uri.setdefault(edit["uri"], []).extend(L.edits_from_data({"edits": [edit]}))
    return types.WorkspaceEdit(document_changes=[
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=ls.workspace.get_text_document(uri).version),
            edits=items,
        )
        for uri, items in by_uri.items()
    ])


def _fix_all(ls: KerasLanguageServer, state: NotebookState) -> types.CodeAction | None:
    """One pass of every preferred safe fix, as edits on the cells."""
    edits, count = choose_edits(state.analysis.diagnostics)
    if not edits:
        return None
    data = []
    for edit in edits:
        located = state.module.locate_span(edit.span)
        if located is None:
            return None
        cell, span = located
        convert = ls.converter(ls.workspace.get_text_document(state.uris[cell]).source)
        rng = convert.range(span)
        data.append({"uri": state.uris[cell], "newText": edit.new_text, "range": {
            "start": {"line": rng.start.line, "character": rng.start.character},
            "end": {"line": rng.end.line, "character": rng.end.character}}})
    return types.CodeAction(title=f"Fix all kerasls findings ({count})", kind=NOTEBOOK_FIX_ALL_KIND, edit=_edit(ls, data))


async def inlay_hints(ls: KerasLanguageServer, state: NotebookState, params: types.InlayHintParams) -> list:
    await current(ls, state)
    if state.analysis is None or params.text_document.uri not in state.uris:
        return []
    index = state.uris.index(params.text_document.uri)
    convert = ls.converter(ls.workspace.get_text_document(params.text_document.uri).source)
    hints = []
    for summary in summarize_all(state.analysis):
        for row in summary.rows:
            if row.site is None or row.kind == "InputLayer" or row.output is None:
                continue
            located = state.module.locate_span(row.site.span)
            if located is None or located[0] != index:
                continue
            hints.append(types.InlayHint(position=convert.position(located[1].end), label=f"→ {format_shape(row.output)}",
                                         kind=types.InlayHintKind.Type, padding_left=True))
    return hints
