"""Random edits, truncations and insertions through the real server: it stays alive, answers every
request, and only ever publishes ranges inside the document."""

from __future__ import annotations

import itertools

import pytest
import pytest_lsp
from helpers import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_client import initialize, open_document, published, server_config
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

SOURCES = [p.read_text() for p in sorted((REPO / "tests" / "fixtures").glob("*.py"))] + [
    (REPO / "examples" / "leaf_species_cnn.py").read_text()
]
PIECES = st.sampled_from(
    [
        "(",
        ")",
        "[",
        "]",
        ":",
        "\n",
        "    ",
        '"',
        "'",
        '"""',
        "#",
        "🌿",
        "é",
        "Dense(1)",
        "x = ",
        "model.fit(",
        "\\",
        ",",
        "lambda",
        "def f(",
        "\t",
        "\r\n",
        "0",
    ]
)
EDIT = st.tuples(
    st.sampled_from(["insert", "delete", "replace", "truncate"]),
    st.floats(0, 1),
    st.floats(0, 1),
    st.lists(PIECES, max_size=6).map("".join),
)
COUNTER = itertools.count()


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client, {"debounce": 0})
    yield
    await lsp_client.shutdown_session()


def utf16_position(text: str, offset: int) -> types.Position:
    before = text[:offset]
    line = before.count("\n")
    column_text = before[before.rfind("\n") + 1 :]
    return types.Position(line=line, character=len(column_text.encode("utf-16-le")) // 2)


def inside(text: str, rng: types.Range) -> bool:
    lines = text.split("\n")
    for pos in (rng.start, rng.end):
        if pos.line > len(lines) or (pos.line == len(lines) and pos.character != 0):
            return False
        if pos.line < len(lines) and pos.character > len(lines[pos.line].rstrip("\r").encode("utf-16-le")) // 2:
            return False
    return (rng.start.line, rng.start.character) <= (rng.end.line, rng.end.character)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=st.sampled_from(SOURCES), edits=st.lists(EDIT, min_size=1, max_size=8))
async def test_random_edits_keep_the_server_sound(client: LanguageClient, source: str, edits):
    text = source.replace("\r\n", "\n")
    uri = open_document(client, REPO / "examples" / f"fuzz_{next(COUNTER)}.py", text=text)
    version = 1
    for kind, a, b, piece in edits:
        start, end = sorted((int(a * len(text)), int(b * len(text))))
        if kind == "insert":
            end = start
        elif kind == "delete":
            piece = ""
        elif kind == "truncate":
            start, end, piece = start, len(text), ""
        piece = piece.replace("\r\n", "\n")
        rng = types.Range(start=utf16_position(text, start), end=utf16_position(text, end))
        text = text[:start] + piece + text[end:]
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=rng, text=piece)],
            )
        )
    items = await published(client, uri, version, timeout=60)
    for diagnostic in items:
        assert inside(text, diagnostic.range), (diagnostic.code, diagnostic.range)
        for info in diagnostic.related_information or []:
            assert inside(text, info.location.range)
    position = utf16_position(text, len(text) // 2)
    await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=position, end=position),
            context=types.CodeActionContext(diagnostics=items),
        )
    )
    for action in actions or []:
        for change in action.edit.document_changes or []:
            for edit in change.edits:
                assert inside(text, edit.range)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
