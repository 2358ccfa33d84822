"""kerasls for JupyterLab: the server spec that jupyter-lsp finds through its `jupyter_lsp_spec_v1` entry point.

With kerasls, jupyterlab and jupyterlab-lsp installed in one environment, jupyter-lsp's autodetection loads
`spec` (pyproject.toml: [project.entry-points.jupyter_lsp_spec_v1]) when JupyterLab starts, and the
jupyterlab-lsp front end then starts `python -m kerasls serve` for Python notebooks and files: no
jupyter_server_config.py needed. A `LanguageServerManager.language_servers` entry with the same key
(KEY below) in the Jupyter config still wins over this one; `{"python-kerasls": {"argv": []}}` there turns
it off.

Kept light on purpose: jupyter-lsp imports this in the Jupyter server process, so nothing here may import
pygls, libcst or the analysis.
"""

from __future__ import annotations

import sys
from typing import Any

from .. import __version__

# The key users see in JupyterLab's settings (Settings > Language Servers) and in jupyter-lsp's
# `language_servers` config. jupyterlab-lsp connects each document to ONE server per language: the one with
# the highest `priority` (default 50), ties broken by key in alphabetical order. This key sorts after every
# Python server jupyter-lsp knows (basedpyright, jedi-language-server, pylsp, pyrefly, pyright), so installing
# kerasls never takes a notebook away from one of those; alone, kerasls serves at once. To prefer kerasls, give
# it a higher priority (docs/jupyterlab.md).
KEY = "python-kerasls"

DOCS = "https://github.com/kerasls/kerasls/blob/main/docs/jupyterlab.md"

# The editor settings of kerasls (kerasls/lsp/settings.py), as jupyterlab-lsp shows and sends them:
# dotted keys under the `kerasls` section, delivered in workspace/didChangeConfiguration.
CONFIG_SCHEMA: dict[str, Any] = {
    "title": "kerasls",
    "type": "object",
    "properties": {
        "kerasls.enable": {
            "type": "boolean",
            "default": True,
            "description": "Show kerasls diagnostics.",
        },
        "kerasls.run": {
            "type": "string",
            "enum": ["onType", "onSave"],
            "default": "onType",
            "description": "Check while typing (onType) or only when the notebook is saved (onSave).",
        },
        "kerasls.debounce": {
            "type": "integer",
            "minimum": 0,
            "maximum": 10000,
            "default": 200,
            "description": "Milliseconds between the last keystroke and the check (run: onType).",
        },
        "kerasls.showSyntaxErrors": {
            "type": "boolean",
            "default": True,
            "description": "Report a syntax error (KLS001) while the code does not parse.",
        },
        "kerasls.select": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Only these rules (codes such as KLS101, or prefixes such as KLS1); empty: "
            "[tool.kerasls] of pyproject.toml, else all.",
        },
        "kerasls.ignore": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": "Rules to leave out, added to [tool.kerasls] ignore.",
        },
        "kerasls.severity": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": ["error", "warning", "information", "hint"]},
            "default": {},
            "description": 'Severity per rule code, for example {"KLS401": "error"}.',
        },
    },
}


def spec(manager: Any = None) -> dict[str, dict[str, Any]]:
    """jupyter-lsp's spec finder: `{key: language server spec}` (jupyter_lsp/schema/schema.json, version 2)."""
    return {
        KEY: {
            "version": 2,
            "argv": [sys.executable, "-m", "kerasls", "serve"],
            "languages": ["python"],
            "display_name": f"kerasls {__version__}",
            "mime_types": ["text/python", "text/x-ipython"],
            # kerasls reads the text jupyterlab-lsp sends; it needs no copy under .virtual_documents/.
            "requires_documents_on_disk": False,
            "env": {"PYTHONUNBUFFERED": "1"},
            "urls": {"home": DOCS},
            "install": {"pip": "pip install /path/to/kerasls  # a clone or a built wheel; not on PyPI"},
            "config_schema": CONFIG_SCHEMA,
        }
    }
