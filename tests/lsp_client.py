"""A pytest-lsp client that keeps every publishDiagnostics (with its version), for server tests."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from helpers import REPO
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SEED = REPO / "examples" / "leaf_species_cnn.py"


def poisoned_site() -> Path:
    """A folder put first on the server's PYTHONPATH where importing TensorFlow or Keras fails loudly."""
    root = REPO / ".pytest-poisoned-site"
    for package in ("tensorflow", "keras", "tf_keras"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text(f"raise ImportError('the server imported {package}')\n")
    return root


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    def publish(c: LanguageClient, params: types.PublishDiagnosticsParams):
        c.diagnostics[params.uri] = params.diagnostics
        c.published.append(params)

    def register(c: LanguageClient, params: types.RegistrationParams):
        c.registrations.extend(params.registrations)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


def server_config(env: dict | None = None, command: list[str] | None = None) -> ClientServerConfig:
    """The real server over stdio (or `command`, a test's own way of starting it)."""
    environment = {**os.environ, "PYTHONPATH": str(poisoned_site()), **(env or {})}
    return ClientServerConfig(
        server_command=command or [sys.executable, "-m", "kerasls", "serve"],
        client_factory=make_client,
        server_env=environment,
    )


def capabilities(profile: str = "visual-studio-code", encodings: list[str] | None = None, dynamic_watch: bool = False):
    caps = client_capabilities(profile)
    if caps.workspace and caps.workspace.did_change_watched_files:
        caps.workspace.did_change_watched_files.dynamic_registration = dynamic_watch
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    return caps


async def initialize(client: LanguageClient, options: dict | None = None, **caps) -> types.InitializeResult:
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(**caps),
            initialization_options=options,
            root_uri=REPO.as_uri(),
        )
    )


def open_document(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=version,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return uri


def change(
    client: LanguageClient, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(*start), end=types.Position(*end)),
                    text=text,
                )
            ],
        )
    )


async def published(
    client: LanguageClient, uri: str, version: int | None = None, timeout: float = 30.0, after: int = 0
) -> list[types.Diagnostic]:
    """Wait until the server publishes diagnostics for this document (version); return them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for params in reversed(client.published[after:]):
            if params.uri == uri and (version is None or params.version == version):
                return list(params.diagnostics)
        if loop.time() > deadline:
            seen = [(p.uri.rsplit("/", 1)[-1], p.version, len(p.diagnostics)) for p in client.published]
            raise TimeoutError(f"no publishDiagnostics for {uri} version {version}; saw {seen}")
        await asyncio.sleep(0.02)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) the way an editor does."""
    lines = text.splitlines(keepends=True)

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        line = lines[pos.line]
        units = 0
        for index, char in enumerate(line):
            if units >= pos.character:
                return sum(len(x) for x in lines[: pos.line]) + index
            units += 2 if ord(char) > 0xFFFF else 1
        return sum(len(x) for x in lines[: pos.line]) + len(line.rstrip("\r\n"))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    edit = action.edit
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return list(edit.changes.get(uri, []))
