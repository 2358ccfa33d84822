"""The kerasls language server: one function per LSP method, around the analysis core.

The server owns documents, timing and the protocol; the Keras knowledge lives in the
core. Analyses run on a worker thread, one document version at a time; a result for a
version that has been edited since is dropped, never published over newer text.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import os
import queue
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from . import __version__
from . import lsp_convert as L
from .analysis import Analysis, analyze
from .diagnostics import Position
from .fixing import fix_text
from .hover import hover_at
from .rules import SYNTAX_ERROR
from .server_settings import ServerSettings, parse
from .settings import Settings, SettingsError
from .shapes import format_shape, summarize_all
from .source import split_lines
from .workspace import FileSystemHost, find_pyproject, load_settings

log = logging.getLogger("kerasls")
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.kerasls"


class Worker:
    """One daemon thread running analyses in order; it never keeps the process alive at exit.

    Memory: the parse trees of open documents are many long-lived objects, and a full pass of
    Python's cyclic collector over them costs hundreds of milliseconds on a large file, at a
    random keystroke. So the worker moves everything alive after each analysis out of the
    collector's view (gc.freeze; analyses break their own cycles when replaced, so they are
    still freed) and runs a real full collection only once it has been idle for a while.
    """

    IDLE_COLLECT_SECONDS = 2.0

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        previous = threading.stack_size(64 * 1024 * 1024)  # deep but valid code recurses deeply in libcst
        try:
            threading.Thread(target=self._run, name="kerasls-analysis", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def submit(self, job: Callable) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((job, future))
        return future

    def _run(self) -> None:
        dirty = False
        while True:
            try:
                job, future = self._jobs.get(timeout=self.IDLE_COLLECT_SECONDS if dirty else None)
            except queue.Empty:
                gc.unfreeze()
                gc.collect()
                gc.freeze()
                dirty = False
                continue
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to the awaiting handler
                future.set_exception(error)
            gc.freeze()
            dirty = True


@dataclass
class DocumentState:
    uri: str
    generation: int = 0
    timer: asyncio.TimerHandle | None = None
    analysis: Analysis | None = None
    analysis_version: int | None = None
    # LSP diagnostics (JSON) of the last analysis that parsed, moved along with every edit since.
    carried: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # what the client should show now
    items_version: int | None = None


class KerasLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "kerasls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[types.NotebookDocumentFilterWithCells(
                    cells=[types.NotebookCellLanguage(language="python")], notebook="*",
                )],
                save=True,
            ),
        )
        self.states: dict[str, DocumentState] = {}
        self.init_settings = ServerSettings()
        self.settings = ServerSettings()
        self.worker = Worker()
        self.pull_mode = False
        self.configured = asyncio.Event()  # set once the editor's settings are known
        self.reported_failures: set[str] = set()
        self._project: dict[tuple, Settings] = {}

    # -- settings -----------------------------------------------------------------------
    def project_settings(self, path: Path | None) -> Settings:
        pyproject = find_pyproject(path) if path is not None else None
        try:
            stamp = (pyproject, pyproject.stat().st_mtime_ns if pyproject else None)
        except OSError:
            stamp = (None, None)
        if stamp not in self._project:
            try:
                self._project[stamp] = load_settings(pyproject)
            except SettingsError as error:
                self.tell(f"kerasls: {error}", types.MessageType.Error)
                self._project[stamp] = Settings()
        return self._project[stamp]

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        log.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # -- analysis -----------------------------------------------------------------------
    def document(self, uri: str):
        if uri not in self.states:
            raise JsonRpcInvalidParams(f"document not open: {uri}")
        return self.workspace.get_text_document(uri)

    def converter(self, text: str) -> L.Converter:
        return L.Converter(split_lines(text), self.workspace.position_codec)

    def run_analysis(self, uri: str, text: str, still_wanted: Callable[[], bool]) -> Analysis | None:
        """Runs on the worker thread."""
        if not still_wanted():
            return None
        state = self.states.get(uri)
        return self.analyze_text(uri, text, state.analysis if state is not None else None)

    def analyze_text(self, uri: str, text: str, previous: Analysis | None = None, barriers=None) -> Analysis:
        """Analyse a document's text with its project's settings and its folder (worker thread)."""
        path = Path(to_fs_path(uri)) if uri.startswith("file:") else None
        lint = self.settings.lint_settings(self.project_settings(path))
        root = self.workspace.root_path
        host = FileSystemHost(path, root) if path else FileSystemHost(None, root)
        return analyze(text, host=host, settings=lint, previous=previous, barriers=barriers)

    def schedule(self, uri: str, delay_ms: int) -> None:
        state = self.states[uri]
        state.generation += 1
        generation = state.generation
        if state.timer is not None:
            state.timer.cancel()
        loop = asyncio.get_running_loop()
        state.timer = loop.call_later(delay_ms / 1000, lambda: loop.create_task(self.refresh(uri, generation)))

    async def refresh(self, uri: str, generation: int) -> None:
        state = self.states.get(uri)
        if state is None or state.generation != generation:
            return
        await self.settled()
        if state.generation != generation:
            return
        doc = self.workspace.get_text_document(uri)
        text, version = doc.source, doc.version
        analysis = await self.analyze_async(uri, text, lambda: state.generation == generation)
        if analysis is None or self.states.get(uri) is not state or state.generation != generation:
            return  # an edit arrived meanwhile: a newer analysis is on its way
        self.remember(state, analysis, text, version)
        if not self.pull_mode:
            self.publish(uri, version, state.items)
        elif self.settings.run == "onSave":
            self.request_refresh()  # a pulling client only asks again after edits, not after saves

    def request_refresh(self) -> None:
        caps = self.client_capabilities.workspace
        if caps and caps.diagnostics and caps.diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    async def analyze_async(self, uri: str, text: str, still_wanted: Callable[[], bool]) -> Analysis | None:
        future = self.worker.submit(lambda: self.run_analysis(uri, text, still_wanted))
        analysis = await asyncio.wrap_future(future)
        if analysis is not None:
            self.report_failures(analysis)
        return analysis

    def report_failures(self, analysis: Analysis) -> None:
        for failure in analysis.failures:
            if failure.code in self.reported_failures:
                continue
            self.reported_failures.add(failure.code)
            message = f"kerasls: rule {failure.code} failed ({failure.error!r}); its findings are skipped"
            log.error(message, exc_info=failure.error, extra={"to_client": False})
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))

    def remember(self, state: DocumentState, analysis: Analysis, text: str, version: int | None) -> None:
        """Keep an analysis and work out what to show for it."""
        if state.analysis is not None and state.analysis is not analysis:
            state.analysis.release()
        state.analysis, state.analysis_version = analysis, version
        if not self.settings.enable:
            state.items, state.items_version = [], version
            return
        convert = self.converter(text)
        found = [L.diagnostic(d, convert, state.uri, version) for d in analysis.diagnostics if d.code != SYNTAX_ERROR.code]
        if analysis.syntax is None:
            state.carried = found
            state.items = list(found)
        else:
            # Mid-edit: keep what the last good analysis found above the broken line.
            broken = analysis.syntax.span.start.line
            state.items = [d for d in state.carried if L.starts_before(d, broken)]
            syntax = [d for d in analysis.diagnostics if d.code == SYNTAX_ERROR.code]
            if self.settings.show_syntax_errors and syntax:
                state.items.append(L.diagnostic(syntax[0], convert, state.uri, version))
        state.items_version = version

    def publish(self, uri: str, version: int | None, items: list[dict]) -> None:
        params = {"uri": uri, "diagnostics": items}
        if version is not None:
            params["version"] = version
        # Sent as plain JSON: going through lsprotocol objects and cattrs costs ~1 ms per diagnostic.
        self.protocol._send_data({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params})

    async def settled(self) -> None:
        """Wait (briefly) for the editor's settings, so the first findings already follow them."""
        try:
            await asyncio.wait_for(self.configured.wait(), timeout=5)
        except asyncio.TimeoutError:
            self.configured.set()

    async def current_analysis(self, uri: str) -> tuple[Analysis, str, int | None]:
        """The analysis of the document as it is now (cached when nothing changed)."""
        doc = self.document(uri)
        state = self.states[uri]
        if state.analysis is not None and state.analysis_version == doc.version:
            return state.analysis, doc.source, doc.version
        text, version = doc.source, doc.version
        analysis = await self.analyze_async(uri, text, lambda: True)
        if doc.version == version and self.states.get(uri) is state:
            self.remember(state, analysis, text, version)
        return analysis, text, version

    def recheck_all(self) -> None:
        for uri in list(self.states):
            self.schedule(uri, 0)
        notebooks.recheck_all(self)
        if self.pull_mode:
            self.request_refresh()


server = KerasLanguageServer()


# -- lifecycle --------------------------------------------------------------------------------
@server.feature(types.INITIALIZE)
def initialize(ls: KerasLanguageServer, params: types.InitializeParams) -> None:
    try:
        ls.init_settings = ls.settings = parse(params.initialization_options)
    except ValueError as error:
        ls.init_settings = ls.settings = ServerSettings()
        log.error("initializationOptions: %s", error)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"kerasls settings: {error}"))


@server.feature(types.INITIALIZED)
async def initialized(ls: KerasLanguageServer, params: types.InitializedParams) -> None:
    caps = ls.client_capabilities
    watch = caps.workspace and caps.workspace.did_change_watched_files
    if watch and watch.dynamic_registration:
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
                id="kerasls-pyproject",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
                ),
            )]))
        except Exception as error:  # the client claimed support but refused: pyproject edits apply on the next check
            log.warning("could not watch pyproject.toml files: %s", error)
    try:
        await pull_configuration(ls)
    finally:
        ls.configured.set()


async def pull_configuration(ls: KerasLanguageServer) -> None:
    caps = ls.client_capabilities
    if not (caps.workspace and caps.workspace.configuration):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="kerasls")])
        )
    except Exception as error:  # a client that cannot answer keeps the settings it gave at start
        log.warning("workspace/configuration failed: %s", error)
        return
    section = result[0] if result else None
    if not section:
        return
    try:
        settings = parse(section, ls.init_settings)
    except ValueError as error:
        ls.tell(f"kerasls settings: {error}", types.MessageType.Error)
        return
    if settings != ls.settings:
        ls.settings = settings
        ls.recheck_all()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: KerasLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    section = params.settings.get("kerasls") if isinstance(params.settings, dict) else None
    if section:
        try:
            ls.settings = parse(section, ls.init_settings)
        except ValueError as error:
            ls.tell(f"kerasls settings: {error}", types.MessageType.Error)
            return
        ls.recheck_all()
    else:
        await pull_configuration(ls)
        ls.recheck_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: KerasLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(change.uri.endswith("pyproject.toml") for change in params.changes):
        ls._project.clear()
        ls.recheck_all()


@server.feature(types.EXIT)
def exit_now(ls: KerasLanguageServer, params) -> None:
    """End at once: pygls's stdin reader thread can otherwise abort the interpreter at shutdown."""
    if _PROFILE is not None:
        _PROFILE.disable()
        _PROFILE.dump_stats(os.environ["KERASLS_PROFILE"])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if ls.protocol._shutdown else 1)


# -- text documents ---------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: KerasLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.states[params.text_document.uri] = DocumentState(params.text_document.uri)
    ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: KerasLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    state = ls.states.get(params.text_document.uri)
    if state is None:
        return
    codec = ls.workspace.position_codec
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            state.carried = [d for d in (L.shift_diagnostic(d, change, codec) for d in state.carried) if d]
        else:
            state.carried = []
    if ls.settings.run == "onType":
        ls.schedule(state.uri, ls.settings.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: KerasLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri in ls.states:
        ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: KerasLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    state = ls.states.pop(params.text_document.uri, None)
    if state is not None and state.timer is not None:
        state.timer.cancel()
    ls.publish(params.text_document.uri, None, [])


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier="kerasls", inter_file_dependencies=False, workspace_diagnostics=False),
)
async def pull_diagnostics(ls: KerasLanguageServer, params: types.DocumentDiagnosticParams):
    uri = params.text_document.uri
    if not ls.pull_mode:
        ls.pull_mode = True  # this client pulls: stop pushing, and clear what was pushed
        for open_uri in ls.states:
            ls.publish(open_uri, None, [])
        for state in notebooks.STATES.values():
            for cell_uri in state.published:
                ls.publish(cell_uri, None, [])
    if uri not in ls.states and (notebook := notebooks.owner(ls, uri)) is not None:
        return await notebooks.pull(ls, notebook, uri)
    doc = ls.document(uri)
    state = ls.states[uri]
    if ls.settings.run == "onSave" and state.items_version is not None:
        return full_report(state.items, state.items_version)
    await ls.current_analysis(uri)
    if state.items_version != doc.version:
        return full_report(state.carried, None)
    return full_report(state.items, doc.version)


def full_report(items: list[dict], version) -> dict:
    report = {"kind": "full", "items": items}
    if version is not None:
        report["resultId"] = str(version)
    return report


# -- code actions -----------------------------------------------------------------------------
@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND,
                           f"notebook.{FIX_ALL_KIND}"],
        resolve_provider=False,
    ),
)
async def code_action(ls: KerasLanguageServer, params: types.CodeActionParams):
    uri = params.text_document.uri
    if uri not in ls.states and (notebook := notebooks.owner(ls, uri)) is not None:
        return await notebooks.code_actions(ls, notebook, params)
    doc = ls.document(uri)
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wants(only, types.CodeActionKind.QuickFix):
        for diag in _diagnostics_for(ls, params, doc.version):
            actions.extend(_quick_fixes(ls, uri, doc, diag))
    if only and any(_covers(kind, FIX_ALL_KIND) for kind in only):
        action = await _fix_all(ls, uri)
        if action is not None:
            actions.append(action)
    return actions


def _wants(only, kind) -> bool:
    return not only or any(_covers(k, kind) for k in only)


def _covers(requested, kind) -> bool:
    requested, kind = str(getattr(requested, "value", requested)), str(getattr(kind, "value", kind))
    return kind == requested or kind.startswith(requested + ".")


def _diagnostics_for(ls: KerasLanguageServer, params: types.CodeActionParams, version) -> list[types.Diagnostic]:
    """The client's kerasls diagnostics in range, or ours for this version when it sent none."""
    given = [d for d in params.context.diagnostics if d.source == L.SOURCE and isinstance(d.data, dict)]
    if given:
        return given
    state = ls.states[params.text_document.uri]
    if state.items_version != version:
        return []
    return [L.as_object(d) for d in state.items if L.overlaps(d, params.range)]


def _quick_fixes(ls: KerasLanguageServer, uri: str, doc, diag: types.Diagnostic) -> list[types.CodeAction]:
    data = diag.data if isinstance(diag.data, dict) else {}
    actions = []
    if data.get("version") == doc.version:
        for fix in data.get("fixes", []):
            actions.append(types.CodeAction(
                title=fix["title"],
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=bool(fix.get("preferred")),
                edit=_workspace_edit(ls, uri, doc.version, L.edits_from_data(fix)),
            ))
    if diag.code and diag.code != SYNTAX_ERROR.code:
        ignore = _ignore_edit(ls.converter(doc.source), diag.range.start.line, str(diag.code))
        if ignore is not None:
            actions.append(types.CodeAction(
                title=f"Ignore {diag.code} on this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=_workspace_edit(ls, uri, doc.version, [ignore]),
            ))
    return actions


def _ignore_edit(convert: L.Converter, line: int, code: str) -> types.TextEdit | None:
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


async def _fix_all(ls: KerasLanguageServer, uri: str) -> types.CodeAction | None:
    doc = ls.document(uri)
    text, version = doc.source, doc.version

    def job():
        return fix_text(text, lambda t: ls.run_analysis(uri, t, lambda: True))

    new_text, fixed, _ = await asyncio.wrap_future(ls.worker.submit(job))
    if not fixed or new_text == text:
        return None
    edits = L.line_edits(split_lines(text), split_lines(new_text))
    return types.CodeAction(
        title=f"Fix all kerasls findings ({fixed})",
        kind=FIX_ALL_KIND,
        edit=_workspace_edit(ls, uri, version, edits),
    )


def _workspace_edit(ls: KerasLanguageServer, uri: str, version, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    caps = ls.client_capabilities.workspace
    if caps and caps.workspace_edit and caps.workspace_edit.document_changes:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=edits,
        )])
    return types.WorkspaceEdit(changes={uri: edits})


# -- hover ------------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: KerasLanguageServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    if uri not in ls.states and (notebook := notebooks.owner(ls, uri)) is not None:
        return await notebooks.hover(ls, notebook, params)
    analysis, text, _ = await ls.current_analysis(uri)
    if analysis.syntax is not None or not analysis.uses_keras:
        return None
    convert = ls.converter(text)
    if params.position.line >= len(convert.lines):
        return None  # past the end of the document: nothing is there
    found = hover_at(analysis, convert.from_client(params.position))
    if found is None:
        return None
    markdown, span = found
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
        range=convert.range(span),
    )


def _inject_fault(code: str) -> None:
    """Test hook (KERASLS_FAULT_INJECT=CODE): make one rule raise, to prove a faulty rule is contained."""
    from .rules import RULES

    def broken(training, ctx):
        raise RuntimeError(f"fault injected into {code}")

    for rule in RULES:
        if rule.code == code:
            rule.check = broken


# -- inlay hints ------------------------------------------------------------------------------
@server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
async def inlay_hints(ls: KerasLanguageServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    """The output shape after each layer (off unless the `inlayHints` setting is on)."""
    if not ls.settings.inlay_hints:
        return []
    uri = params.text_document.uri
    if uri not in ls.states and (notebook := notebooks.owner(ls, uri)) is not None:
        return await notebooks.inlay_hints(ls, notebook, params)
    analysis, text, _ = await ls.current_analysis(uri)
    if analysis.syntax is not None:
        return []
    convert = ls.converter(text)
    first, last = params.range.start.line, params.range.end.line
    hints = []
    for summary in summarize_all(analysis):
        for row in summary.rows:
            if row.site is None or row.kind == "InputLayer" or row.output is None:
                continue
            end = row.site.span.end
            if first <= end.line <= last:
                hints.append(types.InlayHint(
                    position=convert.position(end), label=f"→ {format_shape(row.output)}",
                    kind=types.InlayHintKind.Type, padding_left=True,
                ))
    return hints


class ClientLogHandler(logging.Handler):
    """Warnings and errors also go to the editor's log (window/logMessage); stdout stays protocol only."""

    LEVELS = {logging.ERROR: types.MessageType.Error, logging.WARNING: types.MessageType.Warning}

    def __init__(self, ls: KerasLanguageServer):
        super().__init__(logging.WARNING)
        self.ls = ls
        self.sending = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.sending or self.ls.protocol.writer is None or getattr(record, "to_client", True) is False:
            return
        self.sending = True  # a failure while sending must not log itself again
        try:
            kind = self.LEVELS.get(record.levelno, types.MessageType.Warning)
            self.ls.window_log_message(types.LogMessageParams(type=kind, message=f"kerasls: {record.getMessage()}"))
        except Exception:
            pass
        finally:
            self.sending = False


_PROFILE = None


def serve(args) -> None:
    global _PROFILE
    if os.environ.get("KERASLS_PROFILE"):  # a profiler's view of a whole session, for bench/
        import cProfile

        _PROFILE = cProfile.Profile()
        _PROFILE.enable()
    if os.environ.get("KERASLS_FAULT_INJECT"):
        _inject_fault(os.environ["KERASLS_FAULT_INJECT"])
    logging.basicConfig(
        stream=sys.stderr, level=getattr(logging, args.log_level.upper(), logging.INFO),
        format="kerasls %(levelname)s %(message)s",
    )
    logging.getLogger("pygls").setLevel(logging.ERROR)  # its warnings (late cancel notifications) are noise to users
    log.addHandler(ClientLogHandler(server))
    if args.tcp:
        server.start_tcp(args.host, args.port)
    elif args.ws:
        server.start_ws(args.host, args.port)
    else:
        server.start_io()


from . import server_notebooks as notebooks  # noqa: E402  (registers the notebook features on `server`)
