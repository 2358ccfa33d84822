"""The language server's state: open documents, settings, and when they are analysed and published.

The server owns documents, timing and the protocol; the Keras knowledge lives in the core.
Analyses run on a worker thread, one document version at a time; a result for a version
that has been edited since is dropped, never published over newer text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..analysis import Analysis, analyze
from ..analysis.settings import Settings, SettingsError
from ..filesystem import FileSystemHost, find_pyproject, load_settings
from ..rules import SYNTAX_ERROR
from ..text.source import split_lines
from . import convert as L
from . import findings as F
from .boot import Handover
from .documents import Analysed, FileDocument, NotebookDocument, OpenDocument
from .project import ProjectView
from .protocol import Protocol
from .settings import ServerSettings
from .worker import Worker

log = logging.getLogger("kerasls")


class KerasLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "kerasls",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[
                    types.NotebookDocumentFilterWithCells(
                        cells=[types.NotebookCellLanguage(language="python")],
                        notebook="*",
                    )
                ],
                save=True,
            ),
            protocol_cls=Protocol,
        )
        self.documents: dict[str, OpenDocument] = {}  # by the file's or the notebook's URI
        self.init_settings = ServerSettings()
        self.settings = ServerSettings()
        self.worker = Worker()
        self.pull_mode = False
        self.configured = asyncio.Event()  # set once the editor's settings are known
        self.reported_failures: set[str] = set()
        self.sent: dict[str, tuple[int | None, list[dict]]] = {}  # the last diagnostics published, by URI
        self.handover: Handover | None = None  # what the start-up reader did before this server ran
        self._project: dict[tuple, Settings] = {}
        self.project = ProjectView()

    # -- documents ----------------------------------------------------------------------
    def open_file(self, uri: str) -> OpenDocument:
        self.documents[uri] = document = FileDocument(uri)
        return document

    def open_notebook(self, uri: str) -> OpenDocument:
        self.documents[uri] = document = NotebookDocument(uri)
        return document

    def adopt(self, document: OpenDocument, uri: str, version: int | None, text: str) -> bool:
        """Take the start-up reader's analysis of this file as this server's own, if it is of this very text."""
        boot = self.handover
        opened = boot.opened if boot is not None else None
        if opened is None or (opened.uri, opened.version, opened.text) != (uri, version, text):
            return False
        boot.opened = None
        if self.settings is not boot.settings:
            return False  # settings changed meanwhile: analyse again
        snapshot = document.snapshot(self.workspace)
        self.remember(document, Analysed(snapshot, snapshot.document.layout(), opened.analysis))
        if not self.pull_mode:
            self.publish_document(document)  # the same findings: not sent again
        return True

    def close(self, uri: str) -> OpenDocument | None:
        document = self.documents.pop(uri, None)
        if document is not None and document.timer is not None:
            document.timer.cancel()
        for target in self.project.forget(uri):
            self.republish(target)
        self.recheck_dependents(uri)  # they read this file from the disk again
        return document

    def recheck_dependents(self, uri: str) -> None:
        """Analyse again the open documents that import this file (debounced like typing)."""
        if not uri.startswith("file:"):
            return
        path = str(Path(to_fs_path(uri)).resolve())
        for owner in self.project.dependents(path):
            if owner in self.documents and owner != uri:
                self.documents[owner].outside += 1
                self.documents[owner].pull_again = True
                self.schedule(self.documents[owner], self.settings.debounce)

    def overlay(self) -> dict[str, str]:
        """Open files' editor buffers, by path: imports read them instead of the disk."""
        buffers = {}
        # Called on the worker thread while the event loop may open or close documents: a snapshot
        # (list() of a dict is one step under the GIL), never the live dict.
        for uri, document in list(self.documents.items()):
            if isinstance(document, FileDocument) and uri.startswith("file:"):
                buffers[str(Path(to_fs_path(uri)).resolve())] = self.workspace.get_text_document(uri).source
        return buffers

    def owner(self, uri: str) -> OpenDocument | None:
        """The open document a URI belongs to: the file itself, or the notebook of a cell."""
        if uri in self.documents:
            return self.documents[uri]
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        return self.documents.get(notebook.uri) if notebook is not None else None

    def require(self, uri: str) -> OpenDocument:
        document = self.owner(uri)
        if document is None:
            raise JsonRpcInvalidParams(f"document not open: {uri}")
        return document

    def converter(self, text: str) -> L.Converter:
        return L.Converter(split_lines(text), self.workspace.position_codec)

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

    def forget_project_settings(self) -> None:
        self._project.clear()

    def tell(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        log.log(logging.ERROR if kind == types.MessageType.Error else logging.INFO, message)
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    async def settled(self) -> None:
        """Wait (briefly) for the editor's settings, so the first findings already follow them."""
        try:
            await asyncio.wait_for(self.configured.wait(), timeout=5)
        except asyncio.TimeoutError:
            self.configured.set()

    # -- analysis -----------------------------------------------------------------------
    def analyze_text(self, uri: str, text: str, previous: Analysis | None = None, barriers=None) -> Analysis:
        """Analyse a document's text with its project's settings and its folder (worker thread)."""
        path = Path(to_fs_path(uri)) if uri.startswith("file:") else None
        lint = self.settings.lint_settings(self.project_settings(path))
        pyproject = find_pyproject(path) if path is not None and lint.per_file_ignores else None
        if pyproject is not None and path.resolve().is_relative_to(pyproject.parent.resolve()):
            lint = lint.for_file(path.resolve().relative_to(pyproject.parent.resolve()).as_posix())
        host = FileSystemHost(path, self.workspace.root_path, lint.extra_paths, overlay=self.overlay())
        return analyze(text, host=host, settings=lint, previous=previous, barriers=barriers)

    def schedule(self, document: OpenDocument, delay_ms: int) -> None:
        document.generation += 1
        generation = document.generation
        if document.timer is not None:
            document.timer.cancel()
        loop = asyncio.get_running_loop()
        document.timer = loop.call_later(delay_ms / 1000, lambda: loop.create_task(self.refresh(document, generation)))

    async def refresh(self, document: OpenDocument, generation: int) -> None:
        if self.documents.get(document.uri) is not document or document.generation != generation:
            return
        await self.settled()
        if document.generation != generation:
            return
        if await self.analyze_now(document, lambda: document.generation == generation) is None:
            return  # an edit arrived meanwhile: a newer analysis is on its way
        if not self.pull_mode:
            self.publish_document(document)
        elif self.settings.run == "onSave" or document.pull_again:
            document.pull_again = False
            self.request_refresh()  # a pulling client asks again after its own edits, not after saves or others' edits

    async def analyze_now(self, document: OpenDocument, still_wanted: Callable[[], bool] = lambda: True):
        """Analyse the document as it is now; None when the result is no longer wanted."""
        snapshot = document.snapshot(self.workspace)
        layout = snapshot.document.layout()
        previous = document.analysed.analysis if document.analysed is not None else None

        def job() -> Analysis | None:
            if not still_wanted():
                return None
            return self.analyze_text(document.uri, layout.text, previous, layout.barriers)

        analysis = await asyncio.wrap_future(self.worker.submit(job))
        if analysis is None or not still_wanted() or self.documents.get(document.uri) is not document:
            return None
        self.report_failures(analysis)
        analysed = Analysed(snapshot, layout, analysis)
        before = document.items
        self.remember(document, analysed)  # the newest finished analysis: results arrive in the order asked
        if self.pull_mode and document.several_parts and before and document.items != before:
            self.request_refresh()  # other cells' findings changed too: ask the client to pull them again
        return analysed

    async def current(self, document: OpenDocument) -> Analysed:
        """The analysis of the document as it is now (cached when nothing changed)."""
        if document.is_current(self.workspace):
            return document.analysed
        analysed = await self.analyze_now(document)
        return analysed if analysed is not None else document.analysed

    def report_failures(self, analysis: Analysis) -> None:
        for failure in analysis.failures:
            if failure.code in self.reported_failures:
                continue
            self.reported_failures.add(failure.code)
            message = f"kerasls: rule {failure.code} failed ({failure.error!r}); its findings are skipped"
            log.error(message, exc_info=failure.error, extra={"to_client": False})
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))

    def remember(self, document: OpenDocument, analysed: Analysed) -> None:
        """Keep an analysis and work out what to show for it: per part, and in the other files it involves."""
        if document.analysed is not None and document.analysed.analysis is not analysed.analysis:
            document.analysed.analysis.release()
        document.analysed = analysed
        snapshot, analysis = analysed.snapshot, analysed.analysis
        document.items_key, document.items_version = snapshot.key, snapshot.version
        code_parts = [uri for uri, part in zip(snapshot.uris, snapshot.document.parts) if part.kind == "code"]
        document.items = {uri: [] for uri in code_parts}
        modules = analysis.facts.modules if analysis.facts is not None else {}
        self.project.depends(document.uri, set(modules))
        elsewhere: dict[str, list[dict]] = {}
        if self.settings.enable:
            places = F.Places(
                analysed.layout,
                list(snapshot.uris),
                [part.source for part in snapshot.document.parts],
                {path: file.text for path, file in modules.items()},
                self.workspace.position_codec.client_num_units,
            )
            if analysis.syntax is None:
                show = self.settings.show_syntax_errors
                elsewhere = F.place(analysis, places, snapshot.version, document.items, show)
                document.carried = list(document.items.get(document.uri, []))
            else:
                # Mid-edit (a file that does not parse): keep what the last good analysis found above the broken line.
                broken = analysis.syntax.span.start.line
                items = [d for d in document.carried if F.starts_before(d, broken)]
                syntax = [d for d in analysis.diagnostics if d.code == SYNTAX_ERROR.code]
                converted = F.diagnostic_json(syntax[0], places, snapshot.version) if syntax else None
                if self.settings.show_syntax_errors and converted is not None:
                    items.append(converted[1])
                document.items[document.uri] = items
        for uri in self.project.contribute(document.uri, elsewhere):
            self.republish(uri)

    # -- publishing ---------------------------------------------------------------------
    def publish(self, uri: str, version: int | None, items: list[dict]) -> None:
        if self.sent.get(uri) == (version, items):
            return  # the client has these already (the same analysis again, or the start-up reader's)
        self.sent[uri] = (version, items)
        params = {"uri": uri, "diagnostics": items}
        if version is not None:
            params["version"] = version
        # Private pygls API: sent as plain JSON, because going through lsprotocol objects and
        # cattrs costs ~1 ms per diagnostic, more than the analysis of a large file.
        self.protocol._send_data(
            {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params}
        )

    def publish_document(self, document: OpenDocument) -> None:
        snapshot = document.analysed.snapshot
        for uri in document.published - set(document.items):
            self.publish(uri, None, [])  # a cell that was removed
        versions = dict(zip(snapshot.uris, snapshot.versions))
        for uri, items in document.items.items():
            items = items + self.project.placed_in(uri)
            if items or uri in document.published or not document.several_parts:
                self.publish(uri, versions.get(uri), items)
        document.published = {uri for uri, items in document.items.items() if items} | (
            document.published & set(document.items)
        )

    def items_for(self, document: OpenDocument, uri: str) -> list[dict]:
        """What the client should show for one part: its own findings and those other analyses place there."""
        return document.items.get(uri, []) + self.project.placed_in(uri)

    def republish(self, uri: str) -> None:
        """Findings placed in this file by another document changed: show them, if it is open."""
        document = self.owner(uri)
        if document is None or document.analysed is None:
            return
        if self.pull_mode:
            self.request_refresh()
        else:
            self.publish_document(document)

    def unpublish(self, document: OpenDocument, also: set[str] = frozenset()) -> None:
        for uri in document.published | set(also) | ({document.uri} if not document.several_parts else set()):
            self.publish(uri, None, [])
        document.published = set()

    def request_refresh(self) -> None:
        caps = self.client_capabilities.workspace
        if caps and caps.diagnostics and caps.diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    def recheck_all(self) -> None:
        for document in list(self.documents.values()):
            self.schedule(document, 0)
        if self.pull_mode:
            self.request_refresh()

    def start_pulling(self) -> None:
        """The client pulls diagnostics: stop pushing, and clear what was pushed."""
        if self.pull_mode:
            return
        self.pull_mode = True
        for document in self.documents.values():
            self.unpublish(document)
