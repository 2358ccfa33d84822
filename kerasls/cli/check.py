"""`kerasls check`: find, report and fix mismatches in files, folders and notebooks."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path

from ..analysis import analyze
from ..analysis.documents import Document
from ..analysis.fix_all import fix_all
from ..analysis.settings import Settings, SettingsError
from ..filesystem import FileSystemHost, find_pyproject, load_settings
from ..text.diagnostics import Severity
from .files import InputError, SourceFile, discover, read_source, write_atomically
from .ipynb import NotebookError, read_notebook, write_sources
from .report import FileResult, summary, to_json, to_sarif, to_text


class SettingsCache:
    def __init__(self, overrides: dict):
        self.overrides = overrides
        self._by_file: dict[Path | None, Settings] = {}
        self.errors: list[str] = []

    def __call__(self, where: Path) -> Settings:
        pyproject = find_pyproject(where.resolve())
        if pyproject not in self._by_file:
            try:
                base = load_settings(pyproject)
            except SettingsError as error:
                self.errors.append(str(error))
                base = Settings()
            self._by_file[pyproject] = base.merged(**self.overrides)
        return self._by_file[pyproject]


def command_check(args: argparse.Namespace) -> int:
    overrides = {
        "select": tuple(_split(args.select)) if args.select else None,
        "ignore": tuple(_split(args.ignore)) if args.ignore else None,
    }
    settings_for = SettingsCache(overrides)
    paths = [Path(p) for p in (args.paths or ["."])]
    files, problems = discover(paths, settings_for)
    results: list[FileResult] = []
    diffs: list[str] = []
    fixed_total = 0
    for path in files:
        settings = settings_for(path.parent)
        host = FileSystemHost(path, Path.cwd())

        def check(text: str, barriers: list[int] | None = None, settings=settings, host=host):
            return analyze(text, host=host, settings=settings, barriers=barriers)

        if path.suffix == ".ipynb":
            fixed_total += _check_notebook(path, check, args, results, diffs, problems)
            continue
        try:
            source = read_source(path)
        except InputError as error:
            problems.append(f"{path}: {error}")
            continue

        if args.fix or args.diff:
            before = Document.file(source.text)
            outcome = fix_all(before, check)
            fixed_total += outcome.fixed
            analysis = outcome.analysis
            new_text = outcome.document.parts[0].source
            if new_text != source.text:
                if args.diff:
                    diffs.append(_diff(path, source.text, new_text))
                else:
                    try:
                        write_atomically(source, new_text)
                    except OSError as error:
                        problems.append(f"{path}: cannot write the fixes: {error.strerror or error}")
                        analysis = check(source.text)
        else:
            analysis = check(source.text)
        results.append(FileResult(str(path), analysis.diagnostics))
        for failure in analysis.failures:
            print(
                f"kerasls: internal error in {failure.code} on {path}: {failure.error!r} (other rules ran)",
                file=sys.stderr,
            )

    for problem in settings_for.errors + problems:
        print(f"kerasls: {problem}", file=sys.stderr)
    if args.diff:
        sys.stdout.write("".join(diffs))
    elif args.format == "json":
        print(to_json(results))
    elif args.format == "sarif":
        print(to_sarif(results))
    else:
        text = to_text(results, color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        if text:
            print(text)
        line = summary(results)
        if args.fix:
            line += f" ({fixed_total} fixed)" if fixed_total else ""
        print(line)
    if args.diff and fixed_total:
        print(f"{fixed_total} fix{'es' if fixed_total != 1 else ''} would be applied.", file=sys.stderr)
    if problems or settings_for.errors:
        return 2
    serious = any(d.severity <= Severity.WARNING for r in results for d in r.diagnostics)
    return 1 if serious or (args.diff and diffs) else 0


def _check_notebook(path: Path, check, args, results: list, diffs: list, problems: list) -> int:
    """Check (and fix) one .ipynb; returns how many findings were fixed."""
    try:
        data = path.read_bytes()
        raw = data.decode("utf-8-sig")
        notebook = read_notebook(raw)
    except (OSError, UnicodeDecodeError, NotebookError) as error:
        message = error.strerror if isinstance(error, OSError) else error
        problems.append(f"{path}: cannot read the notebook: {message}")
        return 0
    fixed = 0
    if args.fix or args.diff:
        outcome = fix_all(notebook.document, check)
        fixed, layout, analysis = outcome.fixed, outcome.layout, outcome.analysis
        changed = outcome.changed(notebook.document)
        if changed:
            new_raw = write_sources(notebook, changed)
            if args.diff:
                diffs.append(_diff(path, raw, new_raw))
            else:
                try:
                    write_atomically(SourceFile(path, new_raw, "utf-8", data.startswith(b"\xef\xbb\xbf")), new_raw)
                except OSError as error:
                    problems.append(f"{path}: cannot write the fixes: {error.strerror or error}")
    else:
        layout = notebook.document.layout()
        analysis = check(layout.text, layout.barriers)
    results.append(FileResult(str(path), analysis.diagnostics, locate=layout.locate_span))
    return fixed


def _diff(path: Path, before: str, after: str) -> str:
    name = path.as_posix()
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.replace(",", " ").split() if part]
