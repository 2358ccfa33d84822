"""The project's own checks: ruff (lint and format) and the layering contract (import-linter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import REPO

CHECKED = ["kerasls", "tests", "scripts", "bench"]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff_lint():
    result = run(sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", *CHECKED, "editors")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layering_contracts():
    """Front ends above the analysis core above rules above engine; no cycles; no TensorFlow, pygls in the core."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = run(str(lint_imports), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
