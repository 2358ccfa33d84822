"""Reading the files `kerasls` is asked to check, and writing fixes back safely."""

from __future__ import annotations

import fnmatch
import io
import os
import re
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
    return decode_source(path, data)


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def decode_source(path: Path, data: bytes) -> SourceFile:
    """Python source bytes as text, by Python's rules: a BOM or a coding line, else UTF-8."""
    if b"\x00" in data:
        raise InputError("looks like a binary file (it contains NUL bytes), not Python source")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"is {len(data) / 1e6:.1f} MB; kerasls checks files up to {MAX_FILE_BYTES / 1e6:.1f} MB (generated code?)"
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        if not any(_CODING.match(line) for line in data.splitlines()[:2]):
            encoding = "utf-8"  # no coding line: the bytes are simply not UTF-8 (reported below)
        else:
            raise InputError(f"has an invalid encoding declaration: {error}") from None
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        where = f" at byte {error.start}" if isinstance(error, UnicodeDecodeError) else ""
        name = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding.upper()
        raise InputError(f"is not valid {name} text{where}; save it as UTF-8") from None
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


@dataclass
class Found:
    path: Path
    explicit: bool  # named on the command line (not found by walking a folder)


def discover(paths: list[Path], settings_for, force_exclude: bool = False) -> tuple[list[Found], list[str]]:
    """Files to check under the given paths; problems with the paths themselves.

    `settings_for(folder)` gives (settings, root) for a folder: exclusions are matched against
    the path as given, its name, and the path relative to the configuration's folder. A file named
    on the command line is checked even if excluded, unless `force_exclude` (as in ruff)."""
    found: list[Found] = []
    problems: list[str] = []
    seen: set[Path] = set()

    def add(path: Path, explicit: bool) -> None:
        key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.append(Found(path, explicit))

    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or directory")
        elif path.is_file():
            if not (force_exclude and force_excluded(path, settings_for)):
                add(path, True)
        elif force_exclude and force_excluded(path, settings_for):
            continue
        else:
            for folder, dirs, files in os.walk(path):
                here = Path(folder)
                settings, root = settings_for(here)
                dirs[:] = sorted(d for d in dirs if not _skipped_dir(here / d, settings, root))
                for name in sorted(files):
                    file = here / name
                    if name.endswith((".py", ".ipynb")) and not _excluded(file, settings.exclude, root):
                        add(file, False)
    return found, problems


def force_excluded(path: Path, settings_for) -> bool:
    """An explicitly named path is excluded if it, or a folder above it (up to the configuration's
    folder), is skipped or matches an exclusion."""
    settings, root = settings_for(path if path.is_dir() else path.parent)
    if _excluded(path, settings.exclude, root):
        return True
    absolute = path.resolve()
    for folder in absolute.parents:
        if folder == root or root not in folder.parents:
            break
        if folder.name in SKIP_DIRS or _excluded(folder, settings.exclude, root):
            return True
    return False


def _skipped_dir(path: Path, settings: Settings, root: Path) -> bool:
    return path.name in SKIP_DIRS or (path / "pyvenv.cfg").exists() or _excluded(path, settings.exclude, root)


def _excluded(path: Path, patterns: tuple[str, ...], root: Path | None = None) -> bool:
    if not patterns:
        return False
    texts = [path.as_posix()]
    if root is not None:
        try:
            texts.append(path.resolve().relative_to(root).as_posix())
        except ValueError:
            pass
    return any(
        fnmatch.fnmatch(text, p) or fnmatch.fnmatch(text, f"*/{p}") or fnmatch.fnmatch(path.name, p)
        for p in patterns
        for text in texts
    )
