"""What a long session must not accumulate in the server (the benchmark measures the memory itself:
bench/lsp_bench.py --memory-edits)."""

from __future__ import annotations

import asyncio
import json

from helpers import REPO

from kerasls.lsp.server import create_server


class Sink:
    def __init__(self):
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data


async def test_notifications_leave_no_future_behind():
    """pygls 2.1 kept every didOpen/didChange's future forever; kerasls's protocol drops them."""
    server = create_server()
    protocol = server.protocol
    protocol.set_writer(Sink())

    def receive(message: dict) -> None:
        protocol.handle_message(
            json.loads(json.dumps({"jsonrpc": "2.0", **message}), object_hook=protocol.structure_message)
        )

    uri = (REPO / "examples" / "memory_futures.py").as_uri()
    receive({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    receive({"method": "initialized", "params": {}})
    receive({"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}}})  # fmt: skip
    for version in range(2, 202):
        receive({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version},
                 "contentChanges": [{"text": f"x = {version}\n"}]}})  # fmt: skip
    # What is done goes when the next handler starts; the last ones may still be running.
    for _ in range(500):
        if len(protocol._request_futures) <= 2:
            break
        await asyncio.sleep(0.01)  # polling the condition: the async handlers finish on the loop
        receive({"method": "$/setTrace", "params": {"value": "off"}})
    assert len(protocol._request_futures) <= 2  # 202 without the fix
