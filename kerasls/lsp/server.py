"""The kerasls language server: one place that says which function answers which LSP method.

`session` holds the state (open documents, settings, the analysis worker); each feature
module answers its requests for files and notebook cells alike.
"""

from __future__ import annotations

import logging
import sys

from lsprotocol import types

from . import actions, diagnostics, hover, inlay_hints, lifecycle, sync
from .boot import Handover
from .session import KerasLanguageServer
from .stdio import Answered, Input

log = logging.getLogger("kerasls")


def create_server() -> KerasLanguageServer:
    server = KerasLanguageServer()
    features = [
        (types.INITIALIZE, lifecycle.initialize, None),
        (types.INITIALIZED, lifecycle.initialized, None),
        (types.WORKSPACE_DID_CHANGE_CONFIGURATION, lifecycle.did_change_configuration, None),
        (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, lifecycle.did_change_watched_files, None),
        (types.EXIT, lifecycle.exit_now, None),
        (types.TEXT_DOCUMENT_DID_OPEN, sync.did_open, None),
        (types.TEXT_DOCUMENT_DID_CHANGE, sync.did_change, None),
        (types.TEXT_DOCUMENT_DID_SAVE, sync.did_save, None),
        (types.TEXT_DOCUMENT_DID_CLOSE, sync.did_close, None),
        (types.NOTEBOOK_DOCUMENT_DID_OPEN, sync.did_open_notebook, None),
        (types.NOTEBOOK_DOCUMENT_DID_CHANGE, sync.did_change_notebook, None),
        (types.NOTEBOOK_DOCUMENT_DID_SAVE, sync.did_save_notebook, None),
        (types.NOTEBOOK_DOCUMENT_DID_CLOSE, sync.did_close_notebook, None),
        (types.TEXT_DOCUMENT_DIAGNOSTIC, diagnostics.pull_diagnostics, diagnostics.OPTIONS),
        (types.TEXT_DOCUMENT_CODE_ACTION, actions.code_action, actions.OPTIONS),
        (types.TEXT_DOCUMENT_HOVER, hover.hover, None),
        (types.TEXT_DOCUMENT_INLAY_HINT, inlay_hints.inlay_hints, inlay_hints.OPTIONS),
    ]
    for method, handler, options in features:
        server.feature(method, options)(handler)
    return server


class ClientLogHandler(logging.Handler):
    """Warnings and errors also go to the editor's log (window/logMessage); stdout stays protocol only."""

    LEVELS = {logging.ERROR: types.MessageType.Error, logging.WARNING: types.MessageType.Warning}

    def __init__(self, ls: KerasLanguageServer):
        super().__init__(logging.WARNING)
        self.ls = ls
        self.sending = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.sending or self.ls.protocol.writer is None or getattr(record, "to_client", True) is False:
            return
        self.sending = True  # a failure while sending must not log itself again
        try:
            kind = self.LEVELS.get(record.levelno, types.MessageType.Warning)
            self.ls.window_log_message(types.LogMessageParams(type=kind, message=f"kerasls: {record.getMessage()}"))
        except Exception:
            pass
        finally:
            self.sending = False


def start(args, stdin: Input | None = None, handover: Handover | None = None) -> None:
    """Run the full server; over stdio after the start-up reader, from where it handed over."""
    logging.getLogger("pygls").setLevel(logging.ERROR)  # its warnings (late cancel notifications) are noise to users
    server = create_server()
    log.addHandler(ClientLogHandler(server))
    if args.tcp:
        server.start_tcp(args.host, args.port)
    elif args.ws:
        server.start_ws(args.host, args.port)
    elif handover is not None:
        server.handover = handover
        server.sent.update(handover.published)  # the same findings again would be sent for nothing
        server.start_io(stdin, Answered(sys.stdout.buffer, handover.answered))
    else:
        server.start_io()
