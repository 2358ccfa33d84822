"""Ways to print findings: text like ruff's, JSON for tools, SARIF 2.1.0 for code scanning."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .. import __version__
from ..rules import ALL_RULES
from ..rules.api import DOCS_URL, rule_url
from ..text.diagnostics import Diagnostic, Severity, Span


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # For notebooks: maps a document span to (cell index, span inside the cell).
    locate: object = None


def _range(span: Span) -> dict:
    return {
        "start": {"line": span.start.line, "character": span.start.column},
        "end": {"line": span.end.line, "character": span.end.column},
    }


def _where(result: FileResult, span: Span) -> tuple[str, Span, int | None]:
    located = result.locate(span) if result.locate is not None else None
    if located is None:
        return result.path, span, None
    cell, local = located
    return result.path, local, cell


def to_json(results: list[FileResult]) -> str:
    items = []
    for result in results:
        for d in result.diagnostics:
            _, span, cell = _where(result, d.span)
            item = {
                "path": result.path,
                "code": d.code,
                "name": d.name,
                "severity": d.severity.label,
                "message": d.message,
                "range": _range(span),
                "url": rule_url(d.code),
                "related": [],
                "fixes": [],
            }
            if cell is not None:
                item["cell"] = cell
            for related in d.related:
                _, rspan, rcell = _where(result, related.span)
                entry = {"message": related.message, "range": _range(rspan)}
                if rcell is not None:
                    entry["cell"] = rcell
                item["related"].append(entry)
            for fix in d.fixes:
                edits = []
                for edit in fix.edits:
                    _, espan, ecell = _where(result, edit.span)
                    entry = {"range": _range(espan), "newText": edit.new_text}
                    if ecell is not None:
                        entry["cell"] = ecell
                    edits.append(entry)
                item["fixes"].append(
                    {
                        "title": fix.title,
                        "preferred": fix.preferred,
                        "applicability": fix.applicability.value,
                        "edits": edits,
                    }
                )
            items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def _position(path: str, span: Span, cell: int | None) -> str:
    if cell is not None:
        return f"{path}:cell {cell + 1}:{span.start.line + 1}:{span.start.column + 1}"
    return f"{path}:{span.start.line + 1}:{span.start.column + 1}"


def to_text(results: list[FileResult], color: bool = False) -> str:
    lines = []
    for result in results:
        for d in result.diagnostics:
            path, span, cell = _where(result, d.span)
            label = d.severity.label
            code = f"\033[1;31m{d.code}\033[0m" if color and d.severity == Severity.ERROR else d.code
            lines.append(f"{_position(path, span, cell)}: {code} [{label}] {d.message}")
            for related in d.related:
                rpath, rspan, rcell = _where(result, related.span)
                lines.append(f"    {_position(rpath, rspan, rcell)}: {related.message}")
            preferred = d.preferred_fix
            if preferred is not None:
                lines.append(f"    fix: {preferred.title}")
                for other in d.fixes:
                    if other is not preferred:
                        lines.append(f"    or:  {other.title}")
            lines.append("")
    return "\n".join(lines)


def summary(results: list[FileResult]) -> str:
    counts = dict.fromkeys(Severity, 0)
    fixable = 0
    for result in results:
        for d in result.diagnostics:
            counts[d.severity] += 1
            fixable += bool(d.fixes)
    total = sum(counts.values())
    if total == 0:
        return "All checks passed!"
    parts = [f"{n} {s.label}{'s' if n != 1 and s != Severity.INFORMATION else ''}" for s, n in counts.items() if n]
    text = f"Found {', '.join(parts)}."
    if fixable:
        text += f" {fixable} fixable with `kerasls check --fix`."
    return text


_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def to_sarif(results: list[FileResult]) -> str:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "helpUri": rule_url(rule.code),
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in ALL_RULES
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    sarif_results = []
    for result in results:
        for d in result.diagnostics:
            path, span, cell = _where(result, d.span)
            sarif_results.append(
                {
                    "ruleId": d.code,
                    "ruleIndex": index.get(d.code, 0),
                    "level": _SARIF_LEVEL[d.severity],
                    "message": {"text": d.message},
                    "locations": [_sarif_location(path, span, cell)],
                    "relatedLocations": [
                        {**_sarif_location(*_where(result, r.span)), "id": i, "message": {"text": r.message}}
                        for i, r in enumerate(d.related)
                    ],
                    "fixes": [
                        {
                            "description": {"text": fix.title},
                            "artifactChanges": [
                                {
                                    "artifactLocation": {"uri": path},
                                    "replacements": [
                                        {
                                            "deletedRegion": _sarif_region(_where(result, e.span)[1]),
                                            "insertedContent": {"text": e.new_text},
                                        }
                                        for e in fix.edits
                                    ],
                                }
                            ],
                        }
                        for fix in d.fixes
                    ],
                }
            )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "kerasls", "version": __version__, "informationUri": DOCS_URL, "rules": rules}
                },
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _sarif_region(span: Span) -> dict:
    return {
        "startLine": span.start.line + 1,
        "startColumn": span.start.column + 1,
        "endLine": span.end.line + 1,
        "endColumn": span.end.column + 1,
    }


def _sarif_location(path: str, span: Span, cell: int | None) -> dict:
    location = {"physicalLocation": {"artifactLocation": {"uri": path}, "region": _sarif_region(span)}}
    if cell is not None:
        location["properties"] = {"cell": cell}
    return location
