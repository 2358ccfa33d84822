"""`kerasls serve`: the start-up reader first (stdio only), then the full server.

Nothing here imports pygls or lsprotocol: they load once the first findings are out (see `boot`).
`KERASLS_BOOT=0` skips the start-up reader (for comparisons).
"""

from __future__ import annotations

import logging
import os
import sys


def serve(args) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, args.log_level.upper(), logging.INFO),
        format="kerasls %(levelname)s %(message)s",
    )
    handover = stdin = None
    if not (args.tcp or args.ws) and os.environ.get("KERASLS_BOOT") != "0":
        from .boot import Boot
        from .stdio import Input

        stdin = Input(sys.stdin.buffer)
        handover = Boot(stdin, sys.stdout.buffer).run()
    from .server import start

    start(args, stdin, handover)
