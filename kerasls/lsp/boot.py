"""The server's first moments over stdio: answer `initialize` and publish the first file's findings
before pygls and lsprotocol are imported.

Why: those two take ~300 ms to import, more than importing the analysis and analysing a
200-line file together. So a small reader speaks the opening of the conversation itself —
`initialize`, `initialized`, the editor's settings, the first `didOpen` — publishes that
file's findings, then hands over to the full server. The full server reads everything the
client sent, as if it came first-hand: its own `initialize` runs (its answer is dropped: the
client has one), and it takes the boot's analysis of the opened file as its own.

Anything the boot does not expect — another request first, a notebook, unreadable settings,
a malformed message, an error of its own — hands over at once. It never guesses.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pygls.uris import to_fs_path  # a small module: pygls's package root imports nothing heavy

from .. import __version__
from .stdio import Input

log = logging.getLogger("kerasls")

CONFIGURATION_ID = "kerasls/boot/configuration"
IDLE_SECONDS = 0.25
# What the full server adds to these for the client's capabilities is mirrored in `capabilities`;
# tests/test_boot.py proves the answers equal pygls's for real editors' capabilities.
_ENCODINGS = ("utf-8", "utf-16", "utf-32")
_CAPABILITIES = {
    "textDocumentSync": {"openClose": True, "change": 2, "save": True},
    "hoverProvider": True,
    "codeActionProvider": {
        "codeActionKinds": ["quickfix", "source.fixAll", "source.fixAll.kerasls", "notebook.source.fixAll.kerasls"],
        "resolveProvider": False,
    },
    "executeCommandProvider": {"commands": []},
    "inlayHintProvider": {"resolveProvider": False},
    "diagnosticProvider": {"interFileDependencies": False, "workspaceDiagnostics": False, "identifier": "kerasls"},
    "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
}
_NOTEBOOK_SYNC = {"notebookSelector": [{"cells": [{"language": "python"}], "notebook": "*"}], "save": True}


def encoding(client: dict) -> str:
    """The position encoding: the client's first preference the server knows, else UTF-16."""
    for preferred in (client.get("general") or {}).get("positionEncodings") or ():
        if preferred in _ENCODINGS:
            return preferred
    return "utf-16"


def capabilities(client: dict) -> dict:
    """The server's capabilities for these client capabilities, as the full server states them."""
    caps = {"positionEncoding": encoding(client), **copy.deepcopy(_CAPABILITIES)}
    sync = (client.get("textDocument") or {}).get("synchronization") or {}
    for key in ("willSave", "willSaveWaitUntil"):  # the server registers neither; stated when the client has them
        if sync.get(key) is not None:
            caps["textDocumentSync"][key] = False
    if client.get("notebookDocument") is not None:
        caps = {**caps, "notebookDocumentSync": _NOTEBOOK_SYNC}
    return caps


class HandOver(Exception):
    """The boot stops here; the full server takes the conversation from this point."""


@dataclass
class Handover:
    """What the boot did that the full server must know: what it answered, published and analysed."""

    answered: set = field(default_factory=set)  # request ids the client already has its answer for
    published: dict = field(default_factory=dict)  # URI -> (version, diagnostics) the client already has
    settings: object = None  # the `ServerSettings` the client gave (options and configuration), once read
    opened: Opened | None = None  # the file the boot analysed: the full server takes the analysis as its own


@dataclass(frozen=True)
class Opened:
    uri: str
    version: int | None
    text: str
    analysis: object  # an `Analysis`, made with the settings the full server starts with


class Boot:
    def __init__(self, stdin: Input, stdout: BinaryIO):
        self.stdin = stdin
        self.stdout = stdout
        self.handover = Handover()
        self.kept: list[bytes] = []  # the raw bytes of each message read, for the full server
        self.opened: dict | None = None  # a didOpen that came before the settings
        self.pulls = False  # whether the client answers workspace/configuration

    def run(self) -> Handover:
        try:
            self.open()
        except HandOver:
            pass
        except Exception:  # the full server handles the same messages properly
            log.exception("start-up reader failed; handing over to the full server")
        self.stdin.unread(b"".join(self.kept))  # the full server reads it all again, first-hand
        return self.handover

    # -- the conversation ---------------------------------------------------------------
    def open(self) -> None:
        first = self.receive(patient=True)
        if first.get("method") != "initialize" or "id" not in first:
            raise HandOver
        params = first.get("params") or {}
        client = params.get("capabilities") or {}
        info = {"name": "kerasls", "version": __version__}
        self.reply(first["id"], {"capabilities": capabilities(client), "serverInfo": info})
        settings = self.settings(params.get("initializationOptions"), None)
        if params.get("rootUri"):
            root_path = to_fs_path(params["rootUri"])
        else:
            root_path = params.get("rootPath")
        self.pulls = bool((client.get("workspace") or {}).get("configuration"))
        self.until("initialized")
        if self.pulls:
            settings = self.configuration(settings)
        self.handover.settings = settings
        opened = self.opened or self.until("textDocument/didOpen")
        self.publish(opened["params"]["textDocument"], settings, root_path, encoding(client))

    def settings(self, section, base):
        # Imported only once `initialize` is answered: with them come the rules and libcst.
        from .settings import parse

        try:
            return parse(section, base)
        except ValueError:
            raise HandOver from None  # the full server tells the user what is wrong

    def configuration(self, settings):
        """Ask for the `kerasls` section, as the full server will: the first findings follow it."""
        self.send({"jsonrpc": "2.0", "id": CONFIGURATION_ID, "method": "workspace/configuration",
                   "params": {"items": [{"section": "kerasls"}]}})  # fmt: skip
        while True:
            message = self.receive()
            if message.get("id") == CONFIGURATION_ID and "method" not in message:
                self.kept.pop()  # the full server never asked this
                if "error" in message:
                    return settings  # as the full server does: it keeps what it was given at start
                result = message.get("result")
                section = result[0] if isinstance(result, list) and result else None
                return self.settings(section, settings) if section else settings
            if message.get("method") == "textDocument/didOpen" and self.opened is None:
                self.opened = message  # editors open the file while the settings are on their way
                continue
            self.keep_going(message)

    def publish(self, opened: dict, settings, root_path: str | None, position_encoding: str) -> None:
        from ..analysis import analyze
        from ..analysis.documents import file_layout
        from ..analysis.settings import SettingsError
        from ..filesystem import FileSystemHost, find_pyproject, load_settings
        from ..rules import SYNTAX_ERROR
        from . import findings as F

        uri, text = opened.get("uri"), opened.get("text")
        if not isinstance(uri, str) or not isinstance(text, str):
            raise HandOver
        path = Path(to_fs_path(uri)) if uri.startswith("file:") else None
        items: dict[str, list[dict]] = {uri: []}
        if settings.enable:
            pyproject = find_pyproject(path) if path is not None else None
            try:
                project = load_settings(pyproject)
            except SettingsError:
                raise HandOver from None  # the full server tells the user
            if project.per_file_ignores:
                raise HandOver  # rare: the full server applies them
            overlay = {str(path.resolve()): text} if path is not None else {}
            lint = settings.lint_settings(project)
            host = FileSystemHost(path, root_path, lint.extra_paths, overlay=overlay)
            analysis = analyze(text, host=host, settings=lint)
            if analysis.failures:
                raise HandOver  # the full server reports a failing rule to the user
            self.handover.opened = Opened(uri, opened.get("version"), text, analysis)
            modules = analysis.facts.modules if analysis.facts is not None else {}
            others = {p: module.text for p, module in modules.items()}
            places = F.Places(file_layout(text), [uri], [text], others, F.units_of(position_encoding))
            version = opened.get("version")
            if analysis.syntax is None:
                F.place(analysis, places, version, items, settings.show_syntax_errors)
            elif settings.show_syntax_errors:  # no earlier findings to keep above the broken line: the error alone
                syntax = [d for d in analysis.diagnostics if d.code == SYNTAX_ERROR.code]
                converted = F.diagnostic_json(syntax[0], places, version) if syntax else None
                items[uri] = [converted[1]] if converted else []
        params = {"uri": uri, "diagnostics": items[uri]}
        if opened.get("version") is not None:
            params["version"] = opened["version"]
        self.handover.published[uri] = (opened.get("version"), items[uri])
        self.send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params})

    def until(self, method: str) -> dict:
        """Read on to the next notification `method`, keeping the notifications before it for the full server."""
        while True:
            message = self.receive()
            if message.get("method") == method and "id" not in message:
                return message
            self.keep_going(message)

    def keep_going(self, message: dict) -> None:
        """Go on past a message the boot does not act on, or hand over when it needs acting on."""
        method = message.get("method") or ""
        if "id" in message or method == "exit" or method.startswith(("textDocument/", "notebookDocument/")):
            raise HandOver  # a request to answer, or a document the boot would not follow
        pushed = "kerasls" in ((message.get("params") or {}).get("settings") or {})
        if method == "workspace/didChangeConfiguration" and pushed and not self.pulls:
            # Settings only pushed (JupyterLab, before opening the notebook): the full server applies
            # them. A client that answers workspace/configuration (VS Code, Eglot) pushes the same
            # section the boot asks for, so the boot goes on.
            raise HandOver
        # Traces, cancellations, empty settings: the full server reads them, in order, after `initialize`.

    # -- JSON-RPC framing ---------------------------------------------------------------
    def receive(self, patient: bool = False) -> dict:
        """The next message. Once `initialize` is answered, a client silent for a moment hands over:
        the full server gets ready (and registers its file watchers) rather than wait for a file."""
        if not patient and not self.stdin.wait(IDLE_SECONDS):
            raise HandOver
        raw = b""
        length = None
        while True:
            line = self.stdin.readline()
            raw += line
            if not line.endswith(b"\n"):  # end of input, mid-header
                self.kept.append(raw)
                raise HandOver
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip()) if value.strip().isdigit() else None
        if length is None:
            self.kept.append(raw)
            raise HandOver
        body = self.stdin.read(length)
        self.kept.append(raw + body)
        if len(body) < length:
            raise HandOver
        try:
            message = json.loads(body)
        except ValueError:
            raise HandOver from None
        if not isinstance(message, dict) or not isinstance(message.get("method", ""), str):
            raise HandOver
        return message

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.stdout.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.stdout.flush()

    def reply(self, request_id, result: dict) -> None:
        self.send({"jsonrpc": "2.0", "id": request_id, "result": result})
        self.handover.answered.add(request_id)
