"""The JupyterLab server spec: light to import, starts the real server, and its settings schema matches the server's."""

from __future__ import annotations

import subprocess
import sys

from kerasls.lsp.jupyter_spec import CONFIG_SCHEMA, KEY, spec
from kerasls.lsp.settings import ServerSettings, parse

_NAMES = {"showSyntaxErrors": "show_syntax_errors", "inlayHints": "inlay_hints"}


def test_spec_starts_kerasls_serve_for_python():
    entry = spec()[KEY]
    assert entry["argv"][1:] == ["-m", "kerasls", "serve"]
    assert entry["languages"] == ["python"]


def test_schema_defaults_are_the_server_defaults():
    defaults = ServerSettings()
    section = {}
    for dotted, schema in CONFIG_SCHEMA["properties"].items():
        key = dotted.removeprefix("kerasls.")
        section[key] = schema["default"]
        expected = getattr(defaults, _NAMES.get(key, key))
        assert schema["default"] == (list(expected) if isinstance(expected, tuple) else expected), key
    assert parse(section) == defaults  # every key is one the server accepts


def test_loading_the_spec_imports_nothing_heavy():
    """jupyter-lsp imports the spec in the Jupyter server process at start-up."""
    code = "import sys, kerasls.lsp.jupyter_spec; print(sorted(m for m in ('pygls', 'libcst', 'lsprotocol') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
