"""The settings of each checked file: configuration files, `--config`, and the command line's options.

Order, later wins (as in ruff): kerasls's defaults; the nearest `.kerasls.toml`, `kerasls.toml` or
`pyproject.toml` with `[tool.kerasls]` at or above the file (or the one file `--config PATH`
names, for every file); `--config "key = value"` overrides; then the command line: `--select`
replaces the selection, `--extend-select` adds to it, `--ignore` and `--extend-ignore` add to the
ignores, `--exclude` replaces the exclusions and `--extend-exclude` adds to them. Per-file ignores
apply last, their globs relative to the folder of the configuration that declares them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..analysis.settings import Settings, SettingsError, check_selectors, from_mapping
from ..filesystem import find_config, load_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def split_codes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(part for value in values for part in value.replace(",", " ").split() if part)


class Configuration:
    """Settings by folder, read once per configuration file. SettingsError on a bad option."""

    def __init__(self, args: Any, cwd: Path):
        self.cwd = cwd
        self.config_file: Path | None = None
        self.inline: dict[str, Any] = {}
        for value in getattr(args, "config", None) or []:
            self._add_config(value)
        self.select = split_codes(args.select)
        self.extend_select = split_codes(args.extend_select)
        self.ignore = split_codes(args.ignore)
        self.extend_ignore = split_codes(args.extend_ignore)
        self.exclude = split_codes(args.exclude)
        self.extend_exclude = split_codes(args.extend_exclude)
        for key, values in (
            ("--select", self.select),
            ("--extend-select", self.extend_select),
            ("--ignore", self.ignore),
            ("--extend-ignore", self.extend_ignore),
        ):
            if values is not None:
                check_selectors(values, key)
        if self.inline:
            from_mapping(self.inline)  # report a bad override once, before any file is read
        self._by_file: dict[Path | None, tuple[Settings, Path]] = {}

    def _add_config(self, value: str) -> None:
        path = Path(value)
        if path.is_file():
            if self.config_file is not None:
                raise SettingsError(f"--config: only one configuration file can be given ({self.config_file}, {path})")
            self.config_file = path
            load_settings(path)  # fail early, naming the file
            return
        if "=" not in value:
            raise SettingsError(f"--config {value}: no such file, and not a `key = value` override")
        try:
            parsed = tomllib.loads(value)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"--config {value!r}: not a TOML `key = value` override ({error})") from None
        _merge(self.inline, parsed)

    def settings(self, folder: Path) -> tuple[Settings, Path]:
        """The settings for files in `folder`, and the folder their relative patterns start from."""
        config = self.config_file if self.config_file is not None else find_config(folder.resolve())
        if config not in self._by_file:
            base = load_settings(config)
            root = config.resolve().parent if config is not None else self.cwd.resolve()
            if self.inline:
                base = from_mapping(self.inline, base)
            base = base.merged(select=self.select, exclude=self.exclude)
            base = base.merged(
                select=base.select + self.extend_select if self.extend_select else None,
                ignore=_unique(base.ignore + (self.ignore or ()) + (self.extend_ignore or ())),
                exclude=base.exclude + self.extend_exclude if self.extend_exclude else None,
            )
            self._by_file[config] = (base, root)
        return self._by_file[config]

    def for_file(self, path: Path) -> Settings:
        """The settings of one file, its per-file ignores applied."""
        settings, root = self.settings(path.parent)
        return settings.for_file(relative_to(path, root))


def relative_to(path: Path, root: Path) -> str:
    resolved = path.resolve() if path.exists() else Path(os.path.abspath(path))
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _merge(into: dict, more: Mapping) -> None:
    for key, value in more.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
