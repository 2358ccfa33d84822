"""A stand-in for another Python language server (registered as "pylsp") in the JupyterLab end-to-end test.

Standard library only. It answers initialize and shutdown, records each document it is sent (one JSON line
per message, to $KERASLS_STUB_LOG), and publishes one hint per opened document, with source "stub-pylsp",
so the page shows which server jupyterlab-lsp picked for the notebook.
"""

from __future__ import annotations

import json
import os
import sys


def read(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def write(stream, message):
    body = json.dumps(message).encode("utf-8")
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    log = os.environ.get("KERASLS_STUB_LOG")
    while (message := read(stdin)) is not None:
        method = message.get("method")
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(
                    json.dumps({"method": method, "uri": message.get("params", {}).get("textDocument", {}).get("uri")})
                    + "\n"
                )
        if method == "initialize":
            write(
                stdout,
                {
                    "jsonrpc": "2.0",
                    "id": message["id"],
                    "result": {"capabilities": {"textDocumentSync": 1}, "serverInfo": {"name": "stub-pylsp"}},
                },
            )
        elif method == "shutdown":
            write(stdout, {"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif method == "exit":
            return
        elif method == "textDocument/didOpen":
            write(
                stdout,
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/publishDiagnostics",
                    "params": {
                        "uri": message["params"]["textDocument"]["uri"],
                        "diagnostics": [
                            {
                                "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 6}},
                                "message": "stub-pylsp was here",
                                "severity": 4,
                                "source": "stub-pylsp",
                            }
                        ],
                    },
                },
            )
        elif "id" in message:
            write(stdout, {"jsonrpc": "2.0", "id": message["id"], "result": None})


if __name__ == "__main__":
    main()
