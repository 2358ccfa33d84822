"""Which rules run and how severe they are: the same options from pyproject, the CLI and the editor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..text.diagnostics import Severity


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("KLS",)  # code prefixes or rule names
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code or name -> severity
    exclude: tuple[str, ...] = ()  # glob patterns the CLI skips

    def enabled(self, code: str, name: str) -> bool:
        def matches(patterns: tuple[str, ...]) -> bool:
            return any(code.startswith(p.upper()) or p.lower() == name for p in patterns)

        return matches(self.select) and not matches(self.ignore)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        return self.severity.get(code) or self.severity.get(name) or default

    def merged(self, **overrides: Any) -> Settings:
        """These settings with some options replaced (None leaves an option alone)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def from_mapping(data: Mapping[str, Any], base: Settings | None = None) -> Settings:
    """Read settings from a [tool.kerasls] table or an editor's configuration object."""
    base = base or Settings()
    if not isinstance(data, Mapping):
        raise SettingsError("settings must be a table")
    select = _codes(data.get("select"), "select")
    ignore = _codes(data.get("ignore"), "ignore")
    extend = _codes(data.get("extend-select", data.get("extendSelect")), "extend-select")
    exclude = _codes(data.get("exclude"), "exclude")
    severity = dict(base.severity)
    raw = data.get("severity", {}) or {}
    if not isinstance(raw, Mapping):
        raise SettingsError('severity must be a table of CODE = "error"|"warning"|"information"|"hint"')
    for code, level in raw.items():
        try:
            severity[str(code).upper() if str(code).upper().startswith("KLS") else str(code)] = Severity.parse(
                str(level)
            )
        except ValueError as error:
            raise SettingsError(str(error)) from None
    return Settings(
        select=(select if select is not None else base.select) + (extend or ()),
        ignore=ignore if ignore is not None else base.ignore,
        severity=severity,
        exclude=exclude if exclude is not None else base.exclude,
    )


def _codes(value: Any, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{key} must be a list of strings")
    return tuple(value)
