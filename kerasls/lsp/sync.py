"""Opening, editing, saving and closing files and notebooks."""

from __future__ import annotations

from lsprotocol import types

from . import convert as L
from .documents import FileDocument
from .session import KerasLanguageServer


def did_open(ls: KerasLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    document = ls.open_file(item.uri)
    document.text = item.text
    if not ls.adopt(document, item.uri, item.version, item.text):
        ls.schedule(document, 0)


def did_change(ls: KerasLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if not isinstance(document, FileDocument):
        return
    codec = ls.workspace.position_codec
    text = ls.workspace.get_text_document(document.uri).source
    changes = list(params.content_changes)
    if all(isinstance(change, types.TextDocumentContentChangeWholeDocument) for change in changes):
        changes = [L.difference(document.text, text)]  # a client that sends the whole text: what changed in it
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            document.carried = [d for d in (L.shift_diagnostic(d, change, codec) for d in document.carried) if d]
        else:
            document.carried = []
    document.text = text
    if ls.settings.run == "onType":
        ls.schedule(document, ls.settings.debounce)
        ls.recheck_dependents(document.uri)


def did_save(ls: KerasLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if isinstance(document, FileDocument):
        ls.schedule(document, 0)
        ls.recheck_dependents(document.uri)


def did_close(ls: KerasLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    document = ls.close(params.text_document.uri)
    ls.publish(params.text_document.uri, None, [])
    if document is not None:
        document.published = set()


def did_open_notebook(ls: KerasLanguageServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.schedule(ls.open_notebook(params.notebook_document.uri), 0)


def did_change_notebook(ls: KerasLanguageServer, params: types.DidChangeNotebookDocumentParams) -> None:
    document = ls.documents.get(params.notebook_document.uri)
    if document is None:
        return
    document.changes += 1
    if ls.settings.run == "onType":
        ls.schedule(document, ls.settings.debounce)


def did_save_notebook(ls: KerasLanguageServer, params: types.DidSaveNotebookDocumentParams) -> None:
    document = ls.documents.get(params.notebook_document.uri)
    if document is not None:
        ls.schedule(document, 0)


def did_close_notebook(ls: KerasLanguageServer, params: types.DidCloseNotebookDocumentParams) -> None:
    document = ls.close(params.notebook_document.uri)
    if document is not None:
        ls.unpublish(document, {cell.uri for cell in params.cell_text_documents})
