"""The server's standard input and output, shared by the start-up reader and then pygls.

One thread reads standard input for the whole run, so the start-up reader can wait for the
client with a time limit (which a blocking read cannot), and hand pygls the very same input
with what it read put back in front.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import BinaryIO


class Input:
    """The client's bytes: `readline` and `read` as pygls expects of stdin, plus `wait` and `unread`."""

    def __init__(self, stream: BinaryIO):
        self._chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._buffer = bytearray()
        self._ended = False
        threading.Thread(target=self._pump, args=(stream,), name="kerasls-stdin", daemon=True).start()

    def _pump(self, stream: BinaryIO) -> None:
        # read1: whatever has arrived, without waiting for more (a pipe's reader has it).
        read = stream.read1 if hasattr(stream, "read1") else stream.read
        try:
            while chunk := read(65536):
                self._chunks.put(chunk)
        except (OSError, ValueError):  # closed under us: the same as the end of input
            pass
        finally:
            self._chunks.put(b"")  # whatever happened, readers see the end rather than wait forever

    def _fill(self, timeout: float | None = None) -> bool:
        """Take the next chunk that arrived; False at the end of input. queue.Empty after `timeout`."""
        if self._ended:
            return False
        chunk = self._chunks.get(timeout=timeout)
        if not chunk:
            self._ended = True
            return False
        self._buffer += chunk
        return True

    def wait(self, timeout: float) -> bool:
        """Whether something can be read now (or the input ended) within `timeout` seconds."""
        if self._buffer or self._ended:
            return True
        try:
            self._fill(timeout)
        except queue.Empty:
            return False
        return True

    def readline(self) -> bytes:
        while (end := self._buffer.find(b"\n")) < 0 and self._fill():
            pass
        return self._take(end + 1 if end >= 0 else len(self._buffer))

    def read(self, n: int) -> bytes:
        while len(self._buffer) < n and self._fill():
            pass
        return self._take(min(n, len(self._buffer)))

    def unread(self, data: bytes) -> None:
        """Put bytes back in front: the next reader reads them first."""
        self._buffer[:0] = data

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data


class Answered:
    """Standard output for pygls, without its answers to requests the client already has an answer to."""

    def __init__(self, stdout: BinaryIO, answered: set):
        self.stdout = stdout
        self.answered = set(answered)

    def write(self, data: bytes) -> int:
        if self.answered and self._answer_to_drop(data):
            return len(data)
        return self.stdout.write(data)

    def flush(self) -> None:
        self.stdout.flush()

    def close(self) -> None:
        self.stdout.close()

    def _answer_to_drop(self, data: bytes) -> bool:
        _, _, body = data.partition(b"\r\n\r\n")
        try:
            message = json.loads(body)
        except ValueError:
            return False
        if isinstance(message, dict) and "method" not in message and message.get("id") in self.answered:
            self.answered.discard(message["id"])
            return True
        return False
