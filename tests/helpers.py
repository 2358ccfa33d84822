"""Shared helpers: run the core on a snippet, run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from kerasls.analysis import Analysis, analyze
from kerasls.engine.host import FakeHost, Installation

REPO = Path(__file__).resolve().parent.parent


def check(code: str, folders: dict | None = None, installed: Installation | None = None, settings=None) -> Analysis:
    """Analyse a snippet with a fake machine: given class folders, given installed packages."""
    host = FakeHost(folders or {}, installed or Installation())
    return analyze(textwrap.dedent(code).lstrip("\n"), host=host, settings=settings)


def codes(analysis: Analysis) -> list[str]:
    return [d.code for d in analysis.diagnostics]


def run_cli(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """The real `kerasls` command, as a user runs it."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kerasls", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
