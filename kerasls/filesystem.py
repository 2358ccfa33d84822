"""The machine side, shared by the CLI and the server: files, folders, pyproject, installed packages.

Everything here does I/O; the analysis reaches it only through the Host interface.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .analysis.settings import Settings, SettingsError, from_mapping
from .engine.host import Installation, ModuleFile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_DIRECTORY_ENTRIES = 20_000  # a folder of images, not of classes: stop counting and say unknown


MAX_MODULE_BYTES = 2 * 1024 * 1024
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


class FileSystemHost:
    """Answers the analysis's questions from the disk, relative to the file and the workspace.

    Imports are resolved the way Python would find the project's own modules: from the importing
    file's folder, the project root (the nearest folder with pyproject.toml, setup.cfg, setup.py or
    .git), its `src/` folder, and configured extra paths. `overlay` holds open editor buffers by
    path: they win over the disk.
    """

    def __init__(
        self,
        file_path: str | os.PathLike | None = None,
        workspace_root: str | os.PathLike | None = None,
        extra_paths: Sequence[str] = (),
        overlay: Mapping[str, str] | None = None,
    ):
        self.file = Path(file_path).resolve() if file_path is not None else None
        self.workspace_root = workspace_root
        self.extra_paths = tuple(extra_paths)
        self.overlay = overlay if overlay is not None else {}
        self.bases: list[Path] = []
        if self.file is not None:
            self.bases.append(self.file.parent)
        if workspace_root is not None:
            self.bases.append(Path(workspace_root).resolve())

    def class_folders(self, directory: str) -> Sequence[str] | None:
        path = Path(os.path.expanduser(directory))
        candidates = [path] if path.is_absolute() else [base / path for base in self.bases]
        for candidate in candidates:
            folders = _class_folders(str(candidate))
            if folders is not None:
                return folders
        return None

    def installation(self) -> Installation:
        return installed_keras()

    def find_module(self, name: str, level: int = 0) -> ModuleFile | None:
        parts = [part for part in name.split(".") if part]
        if level:
            if self.file is None:
                return None
            base = self.file.parent
            for _ in range(level - 1):
                base = base.parent
            return self._module_in(base, parts, name)
        for root in self._roots():
            found = self._module_in(root, parts, name)
            if found is not None:
                return found
        return None

    def for_module(self, path: str) -> FileSystemHost:
        return FileSystemHost(path, self.workspace_root, self.extra_paths, self.overlay)

    def _roots(self) -> list[Path]:
        roots: list[Path] = []
        if self.file is not None:
            roots.append(self.file.parent)
            project = project_root(self.file.parent)
            if project is not None:
                roots += [project, project / "src"]
        if self.workspace_root is not None:
            roots.append(Path(self.workspace_root).resolve())  # where kerasls runs, as `python -m` would
        base = roots[0] if roots else Path.cwd()
        roots += [(base / extra).resolve() for extra in self.extra_paths]
        return list(dict.fromkeys(roots))

    def _module_in(self, root: Path, parts: list[str], name: str) -> ModuleFile | None:
        stem = root.joinpath(*parts)
        candidates = [stem / "__init__.py"] if not parts else [stem.with_name(stem.name + ".py"), stem / "__init__.py"]
        for candidate in candidates:
            text = self._read(candidate)
            if text is not None:
                return ModuleFile(name, str(candidate), text)
        return None

    def _read(self, path: Path) -> str | None:
        key = str(path)
        if key in self.overlay:
            return self.overlay[key]
        try:
            if not path.is_file() or path.stat().st_size > MAX_MODULE_BYTES:
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


@lru_cache(maxsize=256)
def project_root(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` that marks a project."""
    for candidate in [folder, *folder.parents]:
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return None


def _class_folders(path: str) -> list[str] | None:
    """Subfolders the way Keras counts classes: one level, sorted, directories only."""
    try:
        names = []
        with os.scandir(path) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_DIRECTORY_ENTRIES:
                    return None
                if entry.is_dir():
                    names.append(entry.name)
        return sorted(names)
    except OSError:
        return None


def _version(*distributions: str) -> str | None:
    found = _installed()
    for name in distributions:
        where = found.get(_normal(name))
        if where is not None and (version := _metadata_version(where)) is not None:
            return version
    return None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """Distribution name -> its metadata, the first on sys.path as importlib.metadata finds it.
    Read by hand: importing importlib.metadata costs ~25 ms, a tenth of the server's start-up."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as items:
                for item in items:
                    stem, dot, kind = item.name.rpartition(".")
                    if dot and kind in ("dist-info", "egg-info"):
                        found.setdefault(_normal(stem.split("-", 1)[0]), item.path)
        except OSError:
            continue
    return found


def _metadata_version(path: str) -> str | None:
    """The Version: header of a dist-info's METADATA or an egg-info's PKG-INFO (folder or file)."""
    for candidate in (os.path.join(path, "METADATA"), os.path.join(path, "PKG-INFO"), path):
        try:
            with open(candidate, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip() or None
                    if not line.strip():
                        break  # the headers end at the first blank line
        except OSError:  # not there, or a folder
            continue
    return None


@lru_cache(maxsize=1)
def installed_keras() -> Installation:
    """Keras-related packages where kerasls runs (the editor starts it in the user's interpreter)."""
    environ = {key: os.environ[key] for key in ("TF_USE_LEGACY_KERAS", "KERAS_BACKEND") if key in os.environ}
    return Installation(
        tensorflow=_version("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tf-nightly"),
        keras=_version("keras", "keras-nightly"),
        tf_keras=_version("tf_keras", "tf-keras"),
        environ=environ,
        keras_config_backend=_keras_config_backend(),
    )


def _keras_config_backend() -> str | None:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as handle:
            backend = json.load(handle).get("backend")
    except (OSError, ValueError, AttributeError):
        return None
    return backend if isinstance(backend, str) else None


CONFIG_NAMES = (".kerasls.toml", "kerasls.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The nearest configuration at or above `start`: a `.kerasls.toml` or `kerasls.toml` (its
    options at the top level), or a pyproject.toml that has a [tool.kerasls] table; in one
    folder, in that order (as ruff prefers its own files to pyproject.toml)."""
    start = start if start.is_dir() else start.parent
    for folder in [start, *start.parents]:
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_kerasls_table(candidate)):
                return candidate
    return None


def find_pyproject(start: Path) -> Path | None:
    """The nearest configuration (see find_config): kept under its old name for the server."""
    return find_config(start)


def _has_kerasls_table(path: Path) -> bool:
    try:
        return "kerasls" in _read_toml(path).get("tool", {})
    except (OSError, ValueError):
        return True  # let load_settings report the problem


def _read_toml(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def is_pyproject(path: Path) -> bool:
    return path.name == "pyproject.toml"


def load_settings(pyproject: Path | None, base: Settings | None = None) -> Settings:
    """Settings from a pyproject's [tool.kerasls] or a kerasls.toml; raises SettingsError with the file named."""
    base = base or Settings()
    if pyproject is None:
        return base
    try:
        document = _read_toml(pyproject)
    except (OSError, ValueError) as error:
        raise SettingsError(f"{pyproject}: {getattr(error, 'strerror', None) or error}") from None
    if is_pyproject(pyproject):
        table, where = document.get("tool", {}).get("kerasls", {}), "[tool.kerasls] "
    else:
        table, where = document, ""
    try:
        settings = from_mapping(table, base)
    except SettingsError as error:
        raise SettingsError(f"{pyproject}: {where}{error}") from None
    if settings.extra_paths is not base.extra_paths:  # relative to the file that names them
        folder = pyproject.parent.resolve()
        settings = replace(settings, extra_paths=tuple(str(folder / path) for path in settings.extra_paths))
    return settings
