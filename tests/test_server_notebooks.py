"""Notebook documents over LSP 3.17 notebook sync, with a client that declares notebook support."""

from __future__ import annotations

import json

import pytest
import pytest_lsp
from helpers import REPO
from lsp_client import SEED, apply, capabilities, edits_of, open_document, published, server_config
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")
NOTEBOOK = REPO / "tests" / "notebooks" / "seed_split.ipynb"
CELLS = json.loads(NOTEBOOK.read_text())["cells"]


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient):
    caps = capabilities()
    caps.notebook_document = types.NotebookDocumentClientCapabilities(
        synchronization=types.NotebookDocumentSyncClientCapabilities(
            dynamic_registration=False, execution_summary_support=False
        )
    )
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            initialization_options={"debounce": 0},
            root_uri=REPO.as_uri(),
        )
    )
    assert result.capabilities.notebook_document_sync is not None
    yield
    await lsp_client.shutdown_session()


def open_notebook(client: LanguageClient, name: str) -> tuple[str, list[str], list[str]]:
    uri = (REPO / "tests" / "notebooks" / name).as_uri()
    cell_uris = [f"vscode-notebook-cell:{uri[len('file:') :]}#{i:04d}" for i in range(len(CELLS))]
    texts = ["".join(cell["source"]) for cell in CELLS]
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=uri,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(
                        kind=types.NotebookCellKind.Code
                        if cell["cell_type"] == "code"
                        else types.NotebookCellKind.Markup,
                        document=cell_uri,
                    )
                    for cell, cell_uri in zip(CELLS, cell_uris)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(
                    uri=cell_uri,
                    language_id="python" if cell["cell_type"] == "code" else "markdown",
                    version=1,
                    text=text,
                )
                for cell, cell_uri, text in zip(CELLS, cell_uris, texts)
            ],
        )
    )
    return uri, cell_uris, texts


async def test_cell_diagnostics_quick_fix_and_clearing(client: LanguageClient):
    uri, cells, texts = open_notebook(client, "seed_split.ipynb")
    model_cell = await published(client, cells[4], 1)
    compile_cell = await published(client, cells[5], 1)
    assert {d.code for d in model_cell} == {"KLS101"}
    assert {d.code for d in compile_cell} == {"KLS201", "KLS401"}
    dense = next(d for d in model_cell if d.code == "KLS101")
    assert texts[4].splitlines()[dense.range.start.line].strip().startswith("Dense(1)")
    related_cells = {info.location.uri for info in dense.related_information}
    assert {cells[2], cells[5], cells[7]} <= related_cells

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=cells[4]),
            range=dense.range,
            context=types.CodeActionContext(diagnostics=[dense], only=[types.CodeActionKind.QuickFix]),
        )
    )
    preferred = next(a for a in actions if a.is_preferred)
    assert [change.text_document.uri for change in preferred.edit.document_changes] == [cells[4]]
    new_text = apply(texts[4], edits_of(preferred, cells[4]))
    assert "Dense(train_gen.num_classes)" in new_text

    before = len(client.published)
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=cells[4], version=2),
                            changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
                        )
                    ]
                )
            ),
        )
    )
    # 42 outputs straight after Flatten: the width is right now, and the size is worth a note
    # KLS207: the loss is still binary crossentropy from logits, now over as many outputs as classes
    assert {d.code for d in await published(client, cells[4], 2, after=before)} == {"KLS207", "KLS505"}
    assert await published(client, cells[5], None, after=before) == []  # the compile cell became clean


async def test_hover_in_a_cell(client: LanguageClient):
    _, cells, texts = open_notebook(client, "hover_nb.ipynb")
    await published(client, cells[4], 1)
    line = next(i for i, text in enumerate(texts[5].splitlines()) if "metrics" in text)
    column = texts[5].splitlines()[line].index('"accuracy"') + 2
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=cells[5]),
            position=types.Position(line, column),
        )
    )
    assert "binary_accuracy" in result.contents.value and "41/42" in result.contents.value
    assert result.range.start.line == line


async def test_notebook_fix_all(client: LanguageClient):
    _, cells, texts = open_notebook(client, "fixall_nb.ipynb")
    await published(client, cells[4], 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=cells[4]),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=["notebook.source.fixAll.kerasls"]),
        )
    )
    assert [a.kind for a in actions] == ["notebook.source.fixAll.kerasls"]
    touched = {change.text_document.uri for change in actions[0].edit.document_changes}
    assert touched == {cells[4], cells[5]}


async def test_close_clears_cells_and_plain_files_still_work(client: LanguageClient):
    uri, cells, _ = open_notebook(client, "closing_nb.ipynb")
    await published(client, cells[4], 1)
    before = len(client.published)
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=uri),
            cell_text_documents=[types.TextDocumentIdentifier(uri=cell) for cell in cells],
        )
    )
    assert await published(client, cells[4], None, after=before) == []
    plain = open_document(client, REPO / "examples" / "plain_after_notebook.py", text=SEED.read_text())
    assert "KLS101" in {d.code for d in await published(client, plain, 1)}
