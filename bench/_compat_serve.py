"""Start `kerasls serve` with an lsprotocol name alias restored (used by `lsp_bench.py --compat-shim`).

kerasls's server.py refers to `lsprotocol.types.TextDocumentContentChangeEvent_Type1`,
which lsprotocol 2025.0.0 renamed to `TextDocumentContentChangePartial`; the
didChange handler then raises AttributeError on every edit and no diagnostics follow.
This launcher adds the old name as an alias (only if it is missing, so it is a no-op
once the server is fixed) and runs the unchanged server. Nothing else differs.
"""
import sys

from lsprotocol import types

if not hasattr(types, "TextDocumentContentChangeEvent_Type1"):
    types.TextDocumentContentChangeEvent_Type1 = types.TextDocumentContentChangePartial

from kerasls.cli import main  # noqa: E402

sys.exit(main(["serve", *sys.argv[1:]]))
