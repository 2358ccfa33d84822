"""The server's first moments: the start-up reader answers `initialize` and publishes the first
file's findings before pygls loads, then hands the conversation to the full server.

Driven over real stdio with a raw JSON-RPC client, so every message the client receives is seen:
one answer per request, the same findings not published twice, the full server in charge after.
"""

from __future__ import annotations

import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import REPO
from lsp_client import poisoned_site
from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities

from kerasls.lsp import boot
from kerasls.lsp.server import create_server
from kerasls.lsp.stdio import Answered, Input

SEED = REPO / "examples" / "leaf_species_cnn.py"
SEED_CODES = {"KLS101", "KLS201", "KLS401", "KLS505", "KLS603"}
# Capabilities as real editors send them (recorded by pytest-lsp): VS Code, Neovim 0.6-0.11, Emacs.
RECORDED = Path(client_capabilities.__code__.co_filename).parent / "clients"
CLIENTS = sorted(path.name for path in RECORDED.glob("*.json"))


# -- the answer to `initialize` ---------------------------------------------------------------


def full_server_capabilities(client: dict) -> dict:
    """What pygls answers for the server's registered features, for these client capabilities."""
    converter = default_converter()
    server = create_server()
    fm = server.protocol.fm
    caps = converter.structure(client, types.ClientCapabilities)
    built = ServerCapabilitiesBuilder(
        caps,
        set({**fm.features, **fm.builtin_features}),
        fm.feature_options,
        list(fm.commands),
        server._text_document_sync_kind,
        server._notebook_document_sync,
        ServerCapabilitiesBuilder.choose_position_encoding(caps),
    ).build()
    return converter.unstructure(built)


SYNTHETIC = {
    "nothing": {},
    "utf-8 first": {"general": {"positionEncodings": ["utf-8", "utf-16"]}},
    "utf-32 only": {"general": {"positionEncodings": ["utf-32"]}},
    "unknown encodings": {"general": {"positionEncodings": ["ebcdic"]}},
    "will save": {"textDocument": {"synchronization": {"willSave": True, "willSaveWaitUntil": False}}},
    "notebooks": {"notebookDocument": {"synchronization": {"dynamicRegistration": False}}},
}


@pytest.mark.parametrize("name", CLIENTS)
def test_initialize_answer_is_the_full_servers_for_real_editors(name):
    client = json.loads((RECORDED / name).read_text())["capabilities"]
    assert boot.capabilities(client) == full_server_capabilities(client)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_initialize_answer_is_the_full_servers_for_each_capability_it_depends_on(name):
    assert boot.capabilities(SYNTHETIC[name]) == full_server_capabilities(SYNTHETIC[name])


# -- a raw client over the real server's stdio -------------------------------------------------


class RawClient:
    """Speaks JSON-RPC to `kerasls serve` over pipes and keeps every message it receives."""

    def __init__(self, env: dict | None = None):
        environment = {**os.environ, "PYTHONPATH": str(poisoned_site()), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kerasls", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,
        )
        self.received: list[dict] = []
        self._arrivals: queue.SimpleQueue = queue.SimpleQueue()
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self) -> None:
        out = self.process.stdout
        while True:
            length = None
            while (line := out.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line or length is None:
                self._arrivals.put(None)
                return
            self._arrivals.put(json.loads(out.read(length)))

    def _read_stderr(self) -> None:
        self.stderr = self.process.stderr.read()

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, id, method: str, params: dict) -> None:
        self.send({"id": id, "method": method, "params": params})

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def respond(self, id, result) -> None:
        self.send({"id": id, "result": result})

    def wait_for(self, condition, timeout: float = 60.0) -> dict:
        """The first message received (now or later) that satisfies the condition."""
        for message in self.received:
            if condition(message):
                return message
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self._arrivals.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"timed out; received {self.received}; stderr {self.stderr[-2000:]!r}") from None
            if message is None:
                raise AssertionError(f"the server closed its output; received {self.received}")
            self.received.append(message)
            if condition(message):
                return message

    def answer_of(self, id) -> dict:
        return self.wait_for(lambda m: m.get("id") == id and "method" not in m)

    def server_request(self, method: str, nth: int = 1) -> dict:
        """The server's `nth` request of `method`."""
        asked = lambda: [m for m in self.received if m.get("method") == method and "id" in m]  # noqa: E731
        self.wait_for(lambda m: len(asked()) >= nth)
        return asked()[nth - 1]

    def publications(self, uri: str) -> list[dict]:
        return [m["params"] for m in self.received if m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri]  # fmt: skip

    def stop(self) -> int:
        if self.process.poll() is None:
            try:
                self.request("bye", "shutdown", None)
                self.answer_of("bye")
                self.notify("exit", None)
                return self.process.wait(timeout=30)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        return self.process.returncode


def initialize(client: RawClient, options: dict | None = None, configuration: bool = True) -> dict:
    caps = {"workspace": {"configuration": configuration}, "textDocument": {"hover": {}}}
    client.request(1, "initialize", {"processId": None, "rootUri": REPO.as_uri(), "capabilities": caps,
                                     "initializationOptions": options})  # fmt: skip
    return client.answer_of(1)


def did_open(client: RawClient, uri: str, text: str, version: int = 1) -> None:
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}},
    )


def codes(publication: dict) -> set[str]:
    return {d["code"] for d in publication["diagnostics"]}


@pytest.fixture
def raw():
    clients: list[RawClient] = []

    def start(**kwargs) -> RawClient:
        clients.append(RawClient(**kwargs))
        return clients[-1]

    yield start
    for client in clients:
        client.stop()


def test_the_opening_then_the_full_server(raw):
    """Settings from both sources, the file opened before the settings arrive, then the full server."""
    client = raw()
    answer = initialize(client, {"debounce": 0})
    assert answer["result"]["serverInfo"]["name"] == "kerasls"
    client.notify("initialized", {})
    asked = client.server_request("workspace/configuration")
    uri = (REPO / "examples" / "boot_opening.py").as_uri()
    did_open(client, uri, SEED.read_text())  # before the settings: editors do not wait for them
    client.respond(asked["id"], [{"ignore": ["KLS201"]}])
    first = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert first["params"]["version"] == 1 and codes(first["params"]) == SEED_CODES - {"KLS201"}

    # The full server takes over: it asks for the settings again (same answer: nothing rechecked) ...
    again = client.server_request("workspace/configuration", nth=2)
    assert again["id"] != asked["id"]
    client.respond(again["id"], [{"ignore": ["KLS201"]}])
    # ... answers requests on the boot's analysis ...
    line = SEED.read_text().splitlines().index(next(x for x in SEED.read_text().splitlines() if "Dense(1" in x))
    client.request(2, "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": 20}})
    assert "error" not in client.answer_of(2)
    # ... and follows edits.
    text = SEED.read_text().replace("Dense(1", "Dense(42", 1)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": text}]})  # fmt: skip
    second = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"].get("version") == 2)  # fmt: skip
    assert "KLS101" not in codes(second["params"])
    assert client.stop() == 0
    # One answer to `initialize`, and version 1's findings sent once.
    assert [m for m in client.received if m.get("id") == 1 and "method" not in m] == [answer]
    assert [p["version"] for p in client.publications(uri)] == [1, 2]


def test_a_different_configuration_for_the_full_server_rechecks(raw):
    client = raw()
    initialize(client, {"debounce": 0})
    client.notify("initialized", {})
    asked = client.server_request("workspace/configuration")
    client.respond(asked["id"], [{"ignore": ["KLS201"]}])
    uri = (REPO / "examples" / "boot_recheck.py").as_uri()
    did_open(client, uri, SEED.read_text())
    client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    again = client.server_request("workspace/configuration", nth=2)
    client.respond(again["id"], [{"ignore": ["KLS401"]}])  # the user changed it meanwhile
    client.wait_for(lambda m: len(client.publications(uri)) == 2)
    assert codes(client.publications(uri)[1]) == SEED_CODES - {"KLS401"}


@pytest.mark.parametrize("per_file", [False, True])
def test_the_first_file_follows_the_projects_extra_paths_and_per_file_ignores(raw, tmp_path, per_file):
    model = "import keras\nmodel = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "nets.py").write_text(model)
    config = "[tool.kerasls]\nextra-paths = ['lib']\n"
    (tmp_path / "pyproject.toml").write_text(
        config + ("[tool.kerasls.per-file-ignores]\n'app/*' = ['KLS101']\n" * per_file)
    )
    train = "import numpy as np\nfrom nets import model\ny = np.random.randint(0, 5, 64)\n"
    train += "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(np.zeros((64, 4)), y)\n"
    client = raw()
    initialize(client, {"debounce": 0}, configuration=False)
    client.notify("initialized", {})
    uri = (tmp_path / "app" / "train.py").as_uri()
    did_open(client, uri, train)
    first = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert ("KLS101" in codes(first["params"])) is not per_file


def test_settings_pushed_before_the_first_file_are_followed(raw):
    """JupyterLab pushes its settings with didChangeConfiguration right after `initialized` and
    then opens the notebook: the very first findings follow them."""
    client = raw()
    initialize(client, None, configuration=False)
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": {}})
    client.notify("workspace/didChangeConfiguration", {"settings": {"kerasls": {"ignore": ["KLS603"]}}})
    uri = (REPO / "examples" / "boot_pushed.py").as_uri()
    did_open(client, uri, SEED.read_text())
    first = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert codes(first["params"]) == SEED_CODES - {"KLS603"}


def test_a_request_before_any_file_goes_to_the_full_server(raw):
    client = raw()
    initialize(client, configuration=False)
    client.notify("initialized", {})
    client.request(7, "textDocument/hover", {"textDocument": {"uri": "file:///nowhere.py"},
                                             "position": {"line": 0, "character": 0}})  # fmt: skip
    assert "document not open" in client.answer_of(7)["error"]["message"]
    uri = (REPO / "examples" / "boot_late.py").as_uri()
    did_open(client, uri, SEED.read_text())
    published = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert codes(published["params"]) == SEED_CODES


def test_a_quiet_client_gets_the_full_server_without_opening_a_file(raw):
    """Nothing opened yet: the full server still starts, and registers its file watchers."""
    client = raw()
    client.request(1, "initialize", {"processId": None, "rootUri": REPO.as_uri(), "capabilities": {
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}})  # fmt: skip
    client.answer_of(1)
    client.notify("initialized", {})
    registration = client.server_request("client/registerCapability")
    assert registration["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"


def test_bad_settings_are_reported_by_the_full_server(raw):
    client = raw()
    initialize(client, {"run": "sometimes"}, configuration=False)
    shown = client.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert "run must be one of" in shown["params"]["message"]


def test_a_malformed_message_does_not_stop_the_server(raw):
    client = raw()
    initialize(client, configuration=False)
    body = b"{not json"
    client.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    client.process.stdin.flush()
    client.notify("initialized", {})
    uri = (REPO / "examples" / "boot_malformed.py").as_uri()
    did_open(client, uri, SEED.read_text())
    published = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    assert codes(published["params"]) == SEED_CODES
    assert client.stop() == 0


def test_the_end_of_input_during_the_opening_ends_the_server(raw):
    client = raw()
    initialize(client, configuration=False)
    client.process.stdin.close()
    assert client.process.wait(timeout=60) is not None


def test_without_the_start_up_reader_the_conversation_is_the_same(raw):
    """KERASLS_BOOT=0: the full server from the first byte; the client sees the same answers."""
    messages = []
    for env in ({"KERASLS_BOOT": "0"}, {}):
        client = raw(env=env)
        answer = initialize(client, {"debounce": 0}, configuration=False)
        client.notify("initialized", {})
        uri = (REPO / "examples" / "boot_same.py").as_uri()
        did_open(client, uri, SEED.read_text())
        published = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        assert client.stop() == 0
        messages.append((answer, published, client.publications(uri)))
    assert messages[0] == messages[1]


# -- standard input and output shared by both -------------------------------------------------


class Chunks:
    """A stream that delivers its bytes in the pieces given, then the end of input."""

    def __init__(self, *pieces: bytes):
        self.pieces = list(pieces)

    def read1(self, n: int) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""


def test_input_reads_lines_and_lengths_across_chunks_and_puts_back_what_was_read():
    stream = Input(Chunks(b"Content-Le", b"ngth: 5\r\n\r\nhel", b"lo", b"tail"))
    assert stream.readline() == b"Content-Length: 5\r\n"
    assert stream.readline() == b"\r\n"
    assert stream.read(5) == b"hello"
    stream.unread(b"again\n")
    assert stream.readline() == b"again\n"
    assert stream.read(10) == b"tail"  # the input ended: what there is
    assert stream.readline() == b"" and stream.wait(0.01)


def test_input_wait_times_out_on_a_silent_client():
    read, write = os.pipe()
    with open(read, "rb") as silent, open(write, "wb"):
        assert not Input(silent).wait(0.05)


def test_answered_drops_only_the_answers_already_given_once():
    class Out:
        data = b""

        def write(self, data):
            self.data += data
            return len(data)

    out = Out()
    writer = Answered(out, {1})
    frame = lambda m: b"Content-Length: 0\r\n\r\n" + json.dumps(m).encode()  # noqa: E731
    writer.write(frame({"jsonrpc": "2.0", "id": 1, "result": {}}))
    writer.write(frame({"jsonrpc": "2.0", "id": 1, "method": "workspace/configuration"}))  # a request: kept
    writer.write(frame({"jsonrpc": "2.0", "id": 1, "result": {}}))  # a second answer to id 1: kept
    assert out.data.count(b'"id": 1') == 2 and b"workspace/configuration" in out.data


def test_the_first_findings_go_out_before_pygls_and_lsprotocol_load(tmp_path):
    """The point of the start-up reader, checked in a fresh interpreter: the opening conversation
    to the first publishDiagnostics, with neither lsprotocol nor pygls's server imported."""
    script = tmp_path / "opening.py"
    script.write_text(
        """
import io, json, sys
from kerasls.lsp.boot import Boot
from kerasls.lsp.stdio import Input

def frame(message):
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body

text = open(sys.argv[1]).read()
client = io.BytesIO(
    frame({"id": 1, "method": "initialize", "params": {"capabilities": {}}})
    + frame({"method": "initialized", "params": {}})
    + frame({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": "file:///tmp/opening.py", "languageId": "python", "version": 1, "text": text}}})
)
out = io.BytesIO()
handover = Boot(Input(client), out).run()
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("lsprotocol", "cattrs", "attrs") or m.startswith(
    ("pygls.lsp", "pygls.protocol", "pygls.server", "pygls.workspace")))
print(json.dumps({"heavy": heavy, "sent": out.getvalue().count(b"Content-Length"),
                  "published": handover.opened is not None}))
"""
    )
    result = subprocess.run(
        [sys.executable, str(script), str(SEED)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome == {"heavy": [], "sent": 2, "published": True}  # the initialize answer and the findings


@pytest.mark.parametrize("pulls", [True, False])
def test_pushed_settings_keep_the_boot_only_for_clients_it_can_ask(pulls):
    """VS Code and Eglot push the `kerasls` section and also answer workspace/configuration:
    the start-up reader asks and goes on. A client that only pushes hands over to the full server."""
    from kerasls.lsp.boot import CONFIGURATION_ID, Boot
    from kerasls.lsp.stdio import Input

    def frame(message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    caps = {"workspace": {"configuration": True}} if pulls else {}
    section = {"ignore": ["KLS603"]}
    messages = [
        frame({"id": 1, "method": "initialize", "params": {"capabilities": caps}}),
        frame({"method": "initialized", "params": {}}),
        frame({"method": "workspace/didChangeConfiguration", "params": {"settings": {"kerasls": section}}}),
    ]
    if pulls:
        messages.append(frame({"id": CONFIGURATION_ID, "result": [section]}))
    messages.append(
        frame(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": (REPO / "examples" / "boot_push.py").as_uri(),
                        "languageId": "python",
                        "version": 1,
                        "text": SEED.read_text(),
                    }
                },
            }
        )  # fmt: skip
    )
    out = io.BytesIO()
    handover = Boot(Input(io.BytesIO(b"".join(messages))), out).run()
    assert (handover.opened is not None) is pulls
    if pulls:
        published = out.getvalue().split(b"textDocument/publishDiagnostics", 1)[1]
        assert b"KLS101" in published and b"KLS603" not in published
