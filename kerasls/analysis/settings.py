"""Which rules run and how severe they are: the same options from pyproject, the CLI and the editor."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..rules import ALL_RULES
from ..text.diagnostics import Severity


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("KLS",)  # code prefixes or rule names
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code or name -> severity
    exclude: tuple[str, ...] = ()  # glob patterns the CLI skips
    # (glob, codes): codes ignored in the files a glob matches (relative to the configuration's folder)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # more roots for the project's own imports (absolute once read from a file, see filesystem.load_settings)
    extra_paths: tuple[str, ...] = ()

    def enabled(self, code: str, name: str) -> bool:
        def matches(patterns: tuple[str, ...]) -> bool:
            return any(code.startswith(p.upper()) or p.lower() == name for p in patterns)

        return matches(self.select) and not matches(self.ignore)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        return self.severity.get(code) or self.severity.get(name) or default

    def merged(self, **overrides: Any) -> Settings:
        """These settings with some options replaced (None leaves an option alone)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def for_file(self, relative: str) -> Settings:
        """The settings for one file: `per_file_ignores` whose glob matches `relative` (a path
        relative to the configuration's folder, `/`-separated) are added to `ignore`."""
        if not self.per_file_ignores:
            return self
        name = relative.rsplit("/", 1)[-1]
        extra = tuple(
            code
            for pattern, codes in self.per_file_ignores
            if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern)
            for code in codes
        )
        return replace(self, ignore=self.ignore + extra, per_file_ignores=()) if extra else self

    def fingerprint(self) -> str:
        """What in these settings can change a file's findings, as a stable string (a cache key part)."""
        return json.dumps(
            {
                "select": sorted(self.select),
                "ignore": sorted(self.ignore),
                "severity": sorted((k, int(v)) for k, v in self.severity.items()),
                "per_file_ignores": [[p, sorted(c)] for p, c in self.per_file_ignores],
                "extra_paths": list(self.extra_paths),
            },
            separators=(",", ":"),
        )


# The keys of [tool.kerasls] (also the top level of a kerasls.toml).
KEYS = (
    "select",
    "extend-select",
    "ignore",
    "extend-ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "extend-per-file-ignores",
    "severity",
    "extra-paths",
)
_ALIASES = {
    "extendSelect": "extend-select",
    "extendIgnore": "extend-ignore",
    "perFileIgnores": "per-file-ignores",
    "extraPaths": "extra-paths",
}


def from_mapping(data: Mapping[str, Any], base: Settings | None = None) -> Settings:
    """Read settings from a [tool.kerasls] table (or a kerasls.toml); SettingsError when wrong.

    `select`, `exclude` and `per-file-ignores` replace the base's; `extend-select`, `extend-exclude`
    and `extend-per-file-ignores` add to them; `ignore` and `extend-ignore` both add to the base's
    ignores (like ruff, where `extend-ignore` is an alias of `ignore`)."""
    base = base or Settings()
    if not isinstance(data, Mapping):
        raise SettingsError("settings must be a table")
    data = {_ALIASES.get(str(key), str(key)): value for key, value in data.items()}
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise SettingsError(f"unknown option {unknown[0]!r} (the options are: {', '.join(KEYS)})")
    select = rule_selectors(data.get("select"), "select")
    extend = rule_selectors(data.get("extend-select"), "extend-select")
    ignore = rule_selectors(data.get("ignore"), "ignore") or ()
    extend_ignore = rule_selectors(data.get("extend-ignore"), "extend-ignore") or ()
    exclude = _strings(data.get("exclude"), "exclude")
    extend_exclude = _strings(data.get("extend-exclude"), "extend-exclude") or ()
    per_file = _per_file_ignores(data.get("per-file-ignores"), "per-file-ignores")
    extend_per_file = _per_file_ignores(data.get("extend-per-file-ignores"), "extend-per-file-ignores") or ()
    extra_paths = _strings(data.get("extra-paths"), "extra-paths")
    severity = dict(base.severity)
    raw = data.get("severity", {}) or {}
    if not isinstance(raw, Mapping):
        raise SettingsError('severity must be a table of CODE = "error"|"warning"|"information"|"hint"')
    for code, level in raw.items():
        key = str(code).upper() if str(code).upper().startswith("KLS") else str(code)
        check_selectors([str(code)], "severity")
        try:
            severity[key] = Severity.parse(str(level))
        except ValueError as error:
            raise SettingsError(str(error)) from None
    return Settings(
        select=(select if select is not None else base.select) + (extend or ()),
        ignore=_unique(base.ignore + ignore + extend_ignore),
        severity=severity,
        exclude=(exclude if exclude is not None else base.exclude) + extend_exclude,
        per_file_ignores=(per_file if per_file is not None else base.per_file_ignores) + extend_per_file,
        extra_paths=extra_paths if extra_paths is not None else base.extra_paths,
    )


def is_rule_selector(value: str) -> bool:
    """A known code, a prefix of one (`KLS`, `KLS1`, `KLS20`) or a rule name."""
    if not value:
        return False
    upper, lower = value.upper(), value.lower()
    return any(rule.code.startswith(upper) or rule.name == lower for rule in ALL_RULES)


def check_selectors(values: Iterable[str], key: str) -> None:
    """SettingsError naming the first value that selects no rule."""
    for value in values:
        if not is_rule_selector(value):
            raise SettingsError(
                f"{key}: unknown rule code or name {value!r} "
                "(use a code such as KLS101, a prefix such as KLS1, or a rule name; `kerasls rules` lists them)"
            )


def rule_selectors(value: Any, key: str) -> tuple[str, ...] | None:
    codes = _strings(value, key)
    if codes is not None:
        check_selectors(codes, key)
    return codes


def _strings(value: Any, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{key} must be a list of strings")
    return tuple(value)


def _per_file_ignores(value: Any, key: str) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise SettingsError(f'{key} must be a table of "GLOB" = ["CODE", ...]')
    return tuple((str(pattern), rule_selectors(codes, f"{key} {pattern!r}") or ()) for pattern, codes in value.items())


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
