"""Reading the files `kerasls` is asked to check, and writing fixes back safely."""

from __future__ import annotations

import fnmatch
import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from ..analysis.settings import Settings

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    "env",
    ".env",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    "build",
    "dist",
    ".ipynb_checkpoints",
}
MAX_FILE_BYTES = 2 * 1024 * 1024


class InputError(Exception):
    """A file we cannot check; the message says why in plain words."""


@dataclass
class SourceFile:
    path: Path
    text: str
    encoding: str
    bom: bool


def read_source(path: Path) -> SourceFile:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None
    if b"\x00" in data:
        raise InputError("looks like a binary file (it contains NUL bytes), not Python source")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"is {len(data) / 1e6:.1f} MB; kerasls checks files up to {MAX_FILE_BYTES / 1e6:.1f} MB (generated code?)"
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise InputError(f"has an invalid encoding declaration: {error}") from None
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        where = f" at byte {error.start}" if isinstance(error, UnicodeDecodeError) else ""
        raise InputError(f"is not valid {encoding.upper()} text{where}; save it as UTF-8") from None
    return SourceFile(path, text, encoding, bom)


def write_atomically(source: SourceFile, text: str) -> None:
    """Write through a temporary file in the same folder and rename it over the original."""
    data = text.encode(source.encoding)
    if source.bom and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    folder = source.path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{source.path.name}.", suffix=".kerasls", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(temporary, source.path.stat().st_mode & 0o7777)
        except OSError:
            pass
        os.replace(temporary, source.path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def discover(paths: list[Path], settings_for) -> tuple[list[Path], list[str]]:
    """Files to check under the given paths; problems with the paths themselves."""
    found: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or directory")
        elif path.is_file():
            found.append(path)
        else:
            for folder, dirs, files in os.walk(path):
                here = Path(folder)
                dirs[:] = sorted(d for d in dirs if not _skipped_dir(here / d, settings_for(here)))
                for name in sorted(files):
                    file = here / name
                    if name.endswith((".py", ".ipynb")) and not _excluded(file, settings_for(here).exclude):
                        found.append(file)
    return found, problems


def _skipped_dir(path: Path, settings: Settings) -> bool:
    return path.name in SKIP_DIRS or (path / "pyvenv.cfg").exists() or _excluded(path, settings.exclude)


def _excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    text = path.as_posix()
    return any(
        fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, f"*/{p}") for p in patterns
    )
