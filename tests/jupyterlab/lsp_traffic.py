"""A jupyter-lsp message listener for the JupyterLab end-to-end test: records the LSP traffic.

The test starts JupyterLab with `LanguageServerManager.all_listeners = ["lsp_traffic.record"]` and this folder
on PYTHONPATH; every message between jupyterlab-lsp and a language server then lands, one JSON object per
line, in the file named by $KERASLS_LSP_TRAFFIC: {"t": seconds, "scope": "client"|"server", "server": key,
"message": {...}}. "client" is what the browser sent to the server, "server" what the server sent back. The
kerasls spec itself stays the one jupyter-lsp found through kerasls's entry point: nothing here wraps its
command.
"""

from __future__ import annotations

import json
import os
import time

_STARTED = time.monotonic()


async def record(scope, message, language_server, manager) -> None:
    path = os.environ.get("KERASLS_LSP_TRAFFIC")
    if not path:
        return
    line = json.dumps(
        {"t": round(time.monotonic() - _STARTED, 3), "scope": scope, "server": language_server, "message": message}
    )
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
