"""The server's one document model: an open file or notebook, analysed as one program.

A file is a document of one part; a notebook is a document whose parts are its cells, each
an LSP text document of its own. Everything the features need is the same for both kinds:
a snapshot of the parts' texts, the layout mapping the analysed text to the parts, and the
findings per part URI. Only how a snapshot is taken, and how its freshness is told, differ.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.workspace import Workspace

from ..analysis import Analysis
from ..analysis.documents import Cell, Document, Layout

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.kerasls"
NOTEBOOK_FIX_ALL_KIND = f"notebook.{FIX_ALL_KIND}"


@dataclass(frozen=True)
class Snapshot:
    """A document's parts as they were when an analysis started."""

    document: Document
    uris: tuple[str, ...]  # the LSP document of each part (the file itself, or each cell)
    versions: tuple[int | None, ...]  # each part's version
    version: int | None  # the document's version: the file's, or the notebook's
    key: object  # changes whenever any part's text changes

    def part_of(self, uri: str) -> int | None:
        return self.uris.index(uri) if uri in self.uris else None


@dataclass
class Analysed:
    snapshot: Snapshot
    layout: Layout
    analysis: Analysis


@dataclass(eq=False)
class OpenDocument:
    uri: str
    generation: int = 0  # bumped by every scheduled analysis; older results are dropped
    timer: asyncio.TimerHandle | None = None
    analysed: Analysed | None = None
    items: dict[str, list[dict]] = field(default_factory=dict)  # LSP diagnostics (JSON) per part URI
    items_key: object = None  # the snapshot key `items` belong to
    items_version: int | None = None
    # Findings of the last analysis that parsed, moved along with every edit since (files only).
    carried: list[dict] = field(default_factory=list)
    published: set[str] = field(default_factory=set)  # part URIs with diagnostics on the client
    outside: int = 0  # bumped when a file it imports changes: its analysis is stale though its text is not
    pull_again: bool = False  # a pulling client should ask again: its findings changed without an edit of its own

    fix_all_kind = FIX_ALL_KIND
    several_parts = False  # the client pulls each part on its own

    def snapshot(self, workspace: Workspace) -> Snapshot:
        raise NotImplementedError

    def key(self, workspace: Workspace) -> object:
        """What `Snapshot.key` would be now."""
        raise NotImplementedError

    def version(self, workspace: Workspace) -> int | None:
        """What `Snapshot.version` would be now."""
        raise NotImplementedError

    def is_current(self, workspace: Workspace) -> bool:
        return self.analysed is not None and self.analysed.snapshot.key == self.key(workspace)


class FileDocument(OpenDocument):
    text: str = ""  # the text `carried` is positioned in: the latest the client sent

    def snapshot(self, workspace: Workspace) -> Snapshot:
        doc = workspace.get_text_document(self.uri)
        return Snapshot(
            Document.file(doc.source), (self.uri,), (doc.version,), doc.version, (doc.version, self.outside)
        )

    def key(self, workspace: Workspace) -> object:
        return (workspace.get_text_document(self.uri).version, self.outside)

    def version(self, workspace: Workspace) -> int | None:
        return workspace.get_text_document(self.uri).version


class NotebookDocument(OpenDocument):
    fix_all_kind = NOTEBOOK_FIX_ALL_KIND
    several_parts = True

    def __init__(self, uri: str):
        super().__init__(uri)
        # Bumped on every change: a cell's text can change while the notebook version does not.
        self.changes = 0

    def snapshot(self, workspace: Workspace) -> Snapshot:
        notebook = workspace.get_notebook_document(notebook_uri=self.uri)
        cells, uris, versions = [], [], []
        for cell in notebook.cells:
            document = workspace.get_text_document(cell.document)
            code = cell.kind == types.NotebookCellKind.Code and (document.language_id or "python") == "python"
            cells.append(Cell(document.source, "code" if code else "markdown"))
            uris.append(cell.document)
            versions.append(document.version)
        return Snapshot(
            Document.cells(cells), tuple(uris), tuple(versions), notebook.version, (self.changes, self.outside)
        )

    def key(self, workspace: Workspace) -> object:
        return (self.changes, self.outside)

    def version(self, workspace: Workspace) -> int | None:
        return workspace.get_notebook_document(notebook_uri=self.uri).version
