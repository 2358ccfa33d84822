"""Ways to print findings: text like ruff's, JSON for tools, SARIF 2.1.0 for code scanning, GitHub
Actions annotations, GitLab Code Quality, JUnit XML, and per-code statistics."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from .. import __version__
from ..rules import ALL_RULES
from ..rules.api import DOCS_URL, rule_url
from ..text.diagnostics import Severity, Span


@dataclass
class Place:
    """Where a finding (or a related place, or a fix's edit) is, ready to print."""

    span: Span  # in the file; for a notebook, in the cell's source
    cell: int | None = None  # notebooks: the 0-based index among all cells
    raw: Span | None = None  # notebooks: the same place in the .ipynb file's own (JSON) text
    path: str | None = None  # another file than the result's (a module the checked file imports)


@dataclass
class Edit:
    place: Place
    new_text: str
    raw_text: str | None = None  # notebooks: new_text as it is written inside the JSON string (None: cannot be)


@dataclass
class FixRecord:
    title: str
    preferred: bool
    applicability: str
    edits: list[Edit]


@dataclass
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    place: Place
    related: list[tuple[Place, str]] = field(default_factory=list)
    fixes: list[FixRecord] = field(default_factory=list)
    fixable: bool = False  # `kerasls check --fix` applies its preferred fix

    @property
    def preferred_fix(self) -> FixRecord | None:
        for fix in self.fixes:
            if fix.preferred:
                return fix
        return self.fixes[0] if self.fixes else None


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    notebook: bool = False


def render(kind: str, results: list[FileResult], color: bool = False) -> str:
    return {
        "text": lambda: to_text(results, color),
        "json": lambda: to_json(results),
        "sarif": lambda: to_sarif(results),
        "github": lambda: to_github(results),
        "gitlab": lambda: to_gitlab(results),
        "junit": lambda: to_junit(results),
    }[kind]()


def gather(results: list[FileResult], display) -> list[FileResult]:
    """Each finding under the file it is in, once for the whole run.

    A finding about a module the checked file imports (the Dense(1) of models.py, found while
    checking train.py) moves to that module's result; checking both files finds it twice.
    `display` turns a file's path into the one printed.
    """
    by_path = {result.path: result for result in results}
    seen: set[tuple] = set()
    order = list(results)
    placed: dict[str, list[Finding]] = {result.path: [] for result in results}
    for result in list(results):
        for finding in result.findings:
            target = result
            if finding.place.path is not None:
                path = display(finding.place.path)
                target = by_path.get(path)
                if target is None:
                    target = by_path[path] = FileResult(path)
                    order.append(target)
                finding.related = [(_owned(place, result.path, display), message) for place, message in finding.related]
                for fix in finding.fixes:
                    for edit in fix.edits:
                        edit.place = _owned(edit.place, result.path, display)
                finding.place = Place(finding.place.span)
            key = (target.path, finding.code, finding.place.span, finding.place.cell, finding.message)
            if key not in seen:
                seen.add(key)
                placed.setdefault(target.path, []).append(finding)
    for result in order:
        result.findings = sorted(
            placed.get(result.path, []), key=lambda f: (f.place.cell or 0, f.place.span.start, f.code)
        )
    return order


def _owned(place: Place, owner: str, display) -> Place:
    """A place named by its file, as seen from a finding that moved to another file."""
    path = display(place.path) if place.path is not None else owner
    return Place(place.span, place.cell, place.raw, path)


# -- text ---------------------------------------------------------------------------------------
def _position(path: str, place: Place) -> str:
    path = place.path or path
    span = place.span
    if place.cell is not None:
        return f"{path}:cell {place.cell + 1}:{span.start.line + 1}:{span.start.column + 1}"
    return f"{path}:{span.start.line + 1}:{span.start.column + 1}"


def to_text(results: list[FileResult], color: bool = False) -> str:
    lines = []
    for result in results:
        for f in result.findings:
            code = f"\033[1;31m{f.code}\033[0m" if color and f.severity == Severity.ERROR else f.code
            headline, *body = f.message.splitlines()
            lines.append(f"{_position(result.path, f.place)}: {code} [{f.severity.label}] {headline}")
            lines.extend(f"    {line}" for line in body)  # what it means, and what fit then does
            for place, message in f.related:
                lines.append(f"    {_position(result.path, place)}: {message}")
            preferred = f.preferred_fix
            if preferred is not None:
                lines.append(f"    fix: {preferred.title}")
                for other in f.fixes:
                    if other is not preferred:
                        lines.append(f"    or:  {other.title}")
            lines.append("")
    return "\n".join(lines)


def counts(results: list[FileResult]) -> tuple[dict[Severity, int], int]:
    by_severity = dict.fromkeys(Severity, 0)
    fixable = 0
    for result in results:
        for f in result.findings:
            by_severity[f.severity] += 1
            fixable += f.fixable
    return by_severity, fixable


def summary(results: list[FileResult], fixed: int = 0, fixing: bool = False) -> str:
    """The closing line: what was found, and how much `--fix` would fix (or fixed)."""
    by_severity, fixable = counts(results)
    if sum(by_severity.values()) == 0:
        text = "All checks passed!"
    else:
        parts = [
            f"{n} {s.label}{'s' if n != 1 and s != Severity.INFORMATION else ''}" for s, n in by_severity.items() if n
        ]
        text = f"Found {', '.join(parts)}."
        if fixable and not fixing:
            text += f" {fixable} fixable with `kerasls check --fix`."
    if fixing and fixed:
        text += f" ({fixed} fixed)"
    return text


def statistics(results: list[FileResult], kind: str) -> str:
    """Counts per code, most frequent first (like `ruff check --statistics`)."""
    number: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    names: dict[str, str] = {}
    for result in results:
        for f in result.findings:
            number[f.code] += 1
            fixable[f.code] += f.fixable
            names[f.code] = f.name
    ordered = sorted(number, key=lambda code: (-number[code], code))
    if kind == "json":
        rows = [
            {"code": code, "name": names[code], "count": number[code], "fixable": fixable[code]} for code in ordered
        ]
        return json.dumps(rows, indent=2)
    if not ordered:
        return ""
    width = max(len(str(n)) for n in number.values())
    return "\n".join(
        f"{number[code]:>{width}}\t{code}\t[{'*' if fixable[code] else ' '}] {names[code]}" for code in ordered
    )


# -- JSON ---------------------------------------------------------------------------------------
def _range(span: Span) -> dict:
    return {
        "start": {"line": span.start.line, "character": span.start.column},
        "end": {"line": span.end.line, "character": span.end.column},
    }


def _json_place(place: Place, entry: dict) -> dict:
    if place.path is not None:
        entry["path"] = place.path
    entry["range"] = _range(place.span)
    if place.cell is not None:
        entry["cell"] = place.cell
    return entry


def to_json(results: list[FileResult]) -> str:
    items = []
    for result in results:
        for f in result.findings:
            item = {
                "path": result.path,
                "code": f.code,
                "name": f.name,
                "severity": f.severity.label,
                "message": f.message,
                "range": _range(f.place.span),
                "url": rule_url(f.code),
                "fixable": f.fixable,
                "related": [_json_place(place, {"message": message}) for place, message in f.related],
                "fixes": [
                    {
                        "title": fix.title,
                        "preferred": fix.preferred,
                        "applicability": fix.applicability,
                        "edits": [_json_place(e.place, {"newText": e.new_text}) for e in fix.edits],
                    }
                    for fix in f.fixes
                ],
            }
            if f.place.cell is not None:
                item["cell"] = f.place.cell
            items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


# -- SARIF 2.1.0 --------------------------------------------------------------------------------
_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def _sarif_region(place: Place) -> dict:
    """A region in the artifact's own text: for a notebook, in the .ipynb JSON, with the cell and the
    position inside the cell in the region's properties."""
    span = place.raw if place.raw is not None else place.span
    region = {
        "startLine": span.start.line + 1,
        "startColumn": span.start.column + 1,
        "endLine": span.end.line + 1,
        "endColumn": span.end.column + 1,
    }
    if place.cell is not None:
        region["properties"] = {
            "cell": place.cell,
            "cellStartLine": place.span.start.line + 1,
            "cellStartColumn": place.span.start.column + 1,
            "cellEndLine": place.span.end.line + 1,
            "cellEndColumn": place.span.end.column + 1,
        }
    return region


def _sarif_location(path: str, place: Place) -> dict:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}, "region": _sarif_region(place)}}


def _uri(path: str) -> str:
    """A SARIF artifact URI: a relative reference for a relative path (code scanning resolves it
    against the repository's root), a file: URI for an absolute one; percent-encoded."""
    if Path(path).is_absolute():
        return Path(path).as_uri()
    return quote(_posix(path), safe="/")


def _posix(path: str) -> str:
    return path.replace("\\", "/")


def _sarif_fix(path: str, fix: FixRecord, notebook: bool) -> dict | None:
    if any(edit.place.path is not None for edit in fix.edits):
        return None  # edits in another file: shown by the editor's quick fix, not here
    replacements = []
    for edit in fix.edits:
        if notebook and (edit.place.raw is None or edit.raw_text is None):
            return None  # this edit cannot be written as a replacement of the .ipynb text
        replacements.append(
            {
                "deletedRegion": _sarif_region(edit.place),
                "insertedContent": {"text": edit.raw_text if notebook else edit.new_text},
            }
        )
    return {
        "description": {"text": fix.title},
        "artifactChanges": [{"artifactLocation": {"uri": _uri(path)}, "replacements": replacements}],
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
        for f in result.findings:
            entry = {
                "ruleId": f.code,
                "ruleIndex": index.get(f.code, 0),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f.message},
                "locations": [_sarif_location(result.path, f.place)],
                "relatedLocations": [
                    {**_sarif_location(place.path or result.path, place), "id": i, "message": {"text": message}}
                    for i, (place, message) in enumerate(f.related)
                ],
            }
            fixes = [fix for fix in (_sarif_fix(result.path, x, result.notebook) for x in f.fixes) if fix]
            if fixes:
                entry["fixes"] = fixes
            if f.place.cell is not None:
                entry["properties"] = {"cell": f.place.cell}
            sarif_results.append(entry)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "kerasls", "version": __version__, "informationUri": DOCS_URL, "rules": rules}
                },
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


# -- GitHub Actions workflow commands -------------------------------------------------------------
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: list[FileResult]) -> str:
    """`::error file=…,line=…::message` lines: GitHub shows them as annotations on the diff.
    A notebook's lines are those of the .ipynb file; the message names the cell."""
    lines = []
    for result in results:
        for f in result.findings:
            span = f.place.raw if f.place.raw is not None else f.place.span
            message = f.message
            if f.place.cell is not None:
                message = f"cell {f.place.cell + 1}, line {f.place.span.start.line + 1}: {message}"
            properties = ",".join(
                f"{key}={_escape_property(str(value))}"
                for key, value in (
                    ("file", _posix(result.path)),
                    ("line", span.start.line + 1),
                    ("col", span.start.column + 1),
                    ("endLine", span.end.line + 1),
                    ("endColumn", span.end.column + 1),
                    ("title", f.code),
                )
            )
            lines.append(f"::{_GITHUB_COMMAND.get(f.severity, 'notice')} {properties}::{_escape_data(message)}")
    return "\n".join(lines)


# -- GitLab Code Quality --------------------------------------------------------------------------
_GITLAB_SEVERITY = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.INFORMATION: "info",
    Severity.HINT: "info",
}


def to_gitlab(results: list[FileResult]) -> str:
    """A Code Quality report (a JSON array): GitLab shows it in merge requests. The fingerprint is
    stable while the finding is (path, code, message, and which occurrence of those it is)."""
    items = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for result in results:
        for f in result.findings:
            span = f.place.raw if f.place.raw is not None else f.place.span
            key = (_posix(result.path), f.code, f.message)
            seen[key] += 1
            fingerprint = hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest()
            items.append(
                {
                    "description": f"{f.code} {f.message}",
                    "check_name": f.code,
                    "fingerprint": fingerprint,
                    "severity": _GITLAB_SEVERITY[f.severity],
                    "location": {
                        "path": _posix(result.path),
                        "lines": {"begin": span.start.line + 1, "end": span.end.line + 1},
                    },
                }
            )
    return json.dumps(items, indent=2, ensure_ascii=False)


# -- JUnit XML ------------------------------------------------------------------------------------
def to_junit(results: list[FileResult]) -> str:
    """One test suite per file with findings, one failing test case per finding (as ruff does)."""
    total = sum(len(r.findings) for r in results)
    root = ElementTree.Element("testsuites", name="kerasls", tests=str(max(total, 1)), failures=str(total), errors="0")
    if total == 0:
        suite = ElementTree.SubElement(root, "testsuite", name="kerasls", tests="1", failures="0", errors="0")
        ElementTree.SubElement(suite, "testcase", name="No findings")
    for result in results:
        if not result.findings:
            continue
        suite = ElementTree.SubElement(
            root, "testsuite", name=result.path, tests=str(len(result.findings)), failures=str(len(result.findings))
        )
        for f in result.findings:
            where = _position(result.path, f.place)
            case = ElementTree.SubElement(suite, "testcase", name=f"org.kerasls.{f.code}", classname=result.path)
            case.set("line", str(f.place.span.start.line + 1))
            case.set("column", str(f.place.span.start.column + 1))
            failure = ElementTree.SubElement(case, "failure", message=f.message, type=f.severity.label)
            failure.text = f"{where}: {f.code} [{f.severity.label}] {f.message}"
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode")
