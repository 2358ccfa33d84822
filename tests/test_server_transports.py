"""`kerasls serve --tcp` and `--ws`: the same server over a socket and a WebSocket."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"processId": None, "rootUri": None, "capabilities": {}},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kerasls", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def connect(port: int, timeout: float = 30.0) -> socket.socket:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_tcp():
    port = free_port()
    process = start("--tcp", "--host", "127.0.0.1", "--port", str(port))
    try:
        sock = connect(port)
        body = json.dumps(INITIALIZE).encode()
        sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        sock.settimeout(30)
        while b"serverInfo" not in data or not data.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection"
            data += chunk
        response = json.loads(data.split(b"\r\n\r\n", 1)[1])
        assert response["id"] == 1 and response["result"]["serverInfo"]["name"] == "kerasls"
        sock.close()
    finally:
        stop(process)


def test_websocket():
    from websockets.asyncio.client import connect as ws_connect

    port = free_port()
    process = start("--ws", "--host", "127.0.0.1", "--port", str(port))

    async def talk():
        deadline = time.monotonic() + 30
        while True:
            try:
                async with ws_connect(f"ws://127.0.0.1:{port}") as ws:
                    await ws.send(json.dumps(INITIALIZE))
                    return json.loads(await asyncio.wait_for(ws.recv(), 30))
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    try:
        response = asyncio.run(talk())
        assert response["result"]["serverInfo"]["name"] == "kerasls"
    finally:
        stop(process)


def test_malformed_messages_on_stdio_keep_the_server_alive():
    async def session():
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kerasls",
            "serve",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        try:
            for garbage in (b"{oops", b'{"jsonrpc": "2.0", "id": 7, "method": 12}', b"[]"):
                process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(garbage) + garbage)
            body = json.dumps(INITIALIZE).encode()
            process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            await process.stdin.drain()
            while True:  # skip the error responses to the garbage; wait for initialize's answer
                header = await asyncio.wait_for(process.stdout.readuntil(b"\r\n\r\n"), 30)
                length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
                message = json.loads(await asyncio.wait_for(process.stdout.readexactly(length), 30))
                if message.get("id") == 1:
                    return message
        finally:
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()

    response = asyncio.run(session())
    assert response["result"]["serverInfo"]["name"] == "kerasls"
