"""Editor settings for the language server (section `kerasls`), and how they meet pyproject's.

Order, later wins: kerasls's defaults, `[tool.kerasls]` of the nearest pyproject.toml,
the editor's `initializationOptions`, the editor's `workspace/configuration`. Editor
lists that are empty (`select: []`) leave pyproject's choice alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ..analysis.settings import Settings
from ..text.diagnostics import Severity

RUN_MODES = ("onType", "onSave")


@dataclass(frozen=True)
class ServerSettings:
    enable: bool = True
    run: str = "onType"
    show_syntax_errors: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    debounce: int = 200  # milliseconds between the last keystroke and the analysis
    inlay_hints: bool = False

    def lint_settings(self, project: Settings) -> Settings:
        """The rule selection for a document: pyproject's, overridden by what the editor sets."""
        severity = dict(project.severity)
        severity.update(
            {
                code.upper() if code.upper().startswith("KLS") else code: Severity.parse(level)
                for code, level in self.severity.items()
            }
        )
        return Settings(
            select=self.select or project.select,
            ignore=tuple(project.ignore) + tuple(self.ignore),
            severity=severity,
            exclude=project.exclude,
            per_file_ignores=project.per_file_ignores,
            extra_paths=project.extra_paths,
        )


_KEYS = {
    "enable": "enable",
    "run": "run",
    "showSyntaxErrors": "show_syntax_errors",
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
    "debounce": "debounce",
    "inlayHints": "inlay_hints",
}
# Accepted and ignored: they configure the editor side (and VS Code sends whole sections).
_CLIENT_KEYS = {"interpreter", "serverArgs", "trace", "path"}


def parse(options: Mapping[str, Any] | None, base: ServerSettings | None = None) -> ServerSettings:
    """Read settings from initializationOptions or a configuration section; ValueError when wrong."""
    base = base or ServerSettings()
    if options is None:
        return base
    if not isinstance(options, Mapping):
        raise ValueError("kerasls settings must be an object")
    if isinstance(options.get("settings"), Mapping):
        options = options["settings"]
    values = {f.name: getattr(base, f.name) for f in fields(ServerSettings)}
    for key, raw in options.items():
        if key in _CLIENT_KEYS or key.startswith("trace."):
            continue
        name = _KEYS.get(key) or (key if key in values else None)
        if name is None:
            raise ValueError(f"unknown kerasls setting {key!r}")
        values[name] = _check(name, raw)
    return ServerSettings(**values)


def _check(name: str, raw: Any) -> Any:
    if name in ("enable", "show_syntax_errors", "inlay_hints"):
        if not isinstance(raw, bool):
            raise ValueError(f"{name} must be true or false")
        return raw
    if name == "run":
        if raw not in RUN_MODES:
            raise ValueError(f"run must be one of {', '.join(RUN_MODES)}")
        return raw
    if name in ("select", "ignore"):
        if isinstance(raw, str):
            raw = [part for part in raw.replace(",", " ").split() if part]
        if not isinstance(raw, (list, tuple)) or not all(isinstance(item, str) for item in raw):
            raise ValueError(f"{name} must be a list of rule codes or names")
        return tuple(raw)
    if name == "severity":
        if not isinstance(raw, Mapping):
            raise ValueError("severity must map rule codes to error, warning, information or hint")
        for level in raw.values():
            Severity.parse(str(level))
        return dict(raw)
    if name == "debounce":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0 or raw > 10_000:
            raise ValueError("debounce must be a number of milliseconds between 0 and 10000")
        return int(raw)
    return raw
