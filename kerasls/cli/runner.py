"""Checking files one by one: read, analyse (or take the cache's findings), fix, locate the findings.

`process` does one file, the same way in this process or in a worker; `run` does them all,
in parallel processes when asked, and hands the outcomes back in the order of the files.
"""

from __future__ import annotations

import difflib
import json
import multiprocessing
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import analyze
from ..analysis.documents import Document, Layout
from ..analysis.fix_all import choose_edits, fix_all
from ..analysis.settings import Settings
from ..filesystem import FileSystemHost
from ..knowledge import keras
from ..text.diagnostics import Diagnostic, Span
from .cache import RecordingHost, ResultCache
from .files import InputError, SourceFile, decode_source, read_source, write_atomically
from .ipynb import Notebook, NotebookError, NotPythonNotebook, read_notebook, write_sources
from .report import Edit, FileResult, Finding, FixRecord, Place

CHECK, FIX, DIFF = "check", "fix", "diff"


@dataclass
class Task:
    index: int
    path: Path  # the file; for standard input, the --stdin-filename (or "-")
    display: str  # how messages name it
    settings: Settings
    mode: str = CHECK
    explicit: bool = True
    stdin: bytes | None = None  # standard input's content, when the file is "-"
    cwd: Path = field(default_factory=Path.cwd)

    @property
    def notebook(self) -> bool:
        return self.path.suffix == ".ipynb"


@dataclass
class Outcome:
    index: int
    result: FileResult | None = None
    diff: str | None = None
    fixed: int = 0
    output: str | None = None  # standard input with --fix: the fixed text
    problems: list[str] = field(default_factory=list)  # the file could not be checked (exit 2)
    notes: list[str] = field(default_factory=list)  # the file was skipped, and why
    failures: list[str] = field(default_factory=list)  # a rule failed (internal error; other rules ran)


class Miss(Exception):
    """The cache does not have an analysis the task needs (raised when computing is not allowed)."""


class Analyzer:
    """`analyze` for one file, through the cache when there is one."""

    def __init__(self, host, settings: Settings, cache: ResultCache | None, compute: bool):
        self.host, self.settings, self.cache, self.compute = host, settings, cache, compute

    def __call__(self, text: str, barriers: list[int] | None = None):
        key = None
        if self.cache is not None:
            key = self.cache.key(text, barriers, self.settings)
            hit = self.cache.get(key, text, self.host)
            if hit is not None:
                return hit
        if not self.compute:
            raise Miss
        recorder = RecordingHost(self.host)
        analysis = analyze(text, host=recorder, settings=self.settings, barriers=barriers)
        if self.cache is not None and not analysis.failures:
            self.cache.put(key, analysis.diagnostics, analysis.syntax_errors, recorder.queries)
        return analysis


def process(task: Task, cache: ResultCache | None = None, compute: bool = True) -> Outcome:
    """Check one file; with `compute=False`, raise Miss unless the cache has every analysis needed."""
    outcome = Outcome(task.index)
    host = FileSystemHost(task.path, task.cwd, task.settings.extra_paths)
    check = Analyzer(host, task.settings, cache, compute)
    try:
        if task.notebook:
            _notebook(task, check, outcome)
        else:
            _file(task, check, outcome)
    except Miss:
        raise
    except Exception as error:  # a bug must cost one file, not the run
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        outcome.problems.append(f"{task.display}: internal error, please report it: {detail}")
        outcome.result = None
    return outcome


def _file(task: Task, check: Analyzer, outcome: Outcome) -> None:
    try:
        source = read_source(task.path) if task.stdin is None else decode_source(task.path, task.stdin)
    except InputError as error:
        outcome.problems.append(f"{task.display}: {error}")
        return
    if task.mode in (FIX, DIFF):
        fixed = fix_all(Document.file(source.text), check)
        analysis, outcome.fixed = fixed.analysis, fixed.fixed
        new_text = fixed.document.parts[0].source
        if task.stdin is not None and task.mode == FIX:
            outcome.output = new_text
        elif new_text != source.text:
            if task.mode == DIFF:
                outcome.diff = unified_diff(task.display, source.text, new_text)
            else:
                try:
                    write_atomically(source, new_text)
                except OSError as error:
                    outcome.problems.append(f"{task.display}: cannot write the fixes: {error.strerror or error}")
                    outcome.fixed = 0
                    analysis = check(source.text)
    else:
        analysis = check(source.text)
    outcome.result = FileResult(task.display, locate(analysis.diagnostics))
    _failures(task, analysis, outcome)


def _notebook(task: Task, check: Analyzer, outcome: Outcome) -> None:
    try:
        data = task.path.read_bytes() if task.stdin is None else task.stdin
        raw = data.decode("utf-8-sig")
        notebook = read_notebook(raw)
    except NotPythonNotebook as error:
        if task.explicit:
            outcome.problems.append(f"{task.display}: cannot check the notebook: {error}")
        else:
            outcome.notes.append(f"{task.display}: skipped: {error}")
        return
    except (OSError, UnicodeDecodeError, NotebookError) as error:
        if isinstance(error, OSError):
            message = error.strerror or error
        elif isinstance(error, UnicodeDecodeError):
            message = f"it is not valid UTF-8 text at byte {error.start}; save it as UTF-8"
        else:
            message = error
        outcome.problems.append(f"{task.display}: cannot read the notebook: {message}")
        return
    if task.mode in (FIX, DIFF):
        fixed = fix_all(notebook.document, check)
        outcome.fixed, layout, analysis = fixed.fixed, fixed.layout, fixed.analysis
        changed = fixed.changed(notebook.document)
        new_raw = write_sources(notebook, changed) if changed else raw
        if task.stdin is not None and task.mode == FIX:
            outcome.output = new_raw
        elif changed:
            if task.mode == DIFF:
                outcome.diff = unified_diff(task.display, raw, new_raw)
            else:
                bom = data.startswith(b"\xef\xbb\xbf")
                try:
                    write_atomically(SourceFile(task.path, new_raw, "utf-8", bom), new_raw)
                except OSError as error:
                    outcome.problems.append(f"{task.display}: cannot write the fixes: {error.strerror or error}")
                    outcome.fixed = 0
                    layout = notebook.document.layout()
                    analysis = check(layout.text, layout.barriers)
        if changed and outcome.fixed and not outcome.problems:
            notebook = read_notebook(new_raw)  # the findings left are located in the fixed notebook
    else:
        layout = notebook.document.layout()
        analysis = check(layout.text, layout.barriers)
    outcome.result = FileResult(task.display, locate(analysis.diagnostics, layout, notebook), notebook=True)
    _failures(task, analysis, outcome)


def _failures(task: Task, analysis, outcome: Outcome) -> None:
    for failure in analysis.failures:
        outcome.failures.append(
            f"internal error in {failure.code} on {task.display}: {failure.error!r} (other rules ran)"
        )


# -- findings located for printing ------------------------------------------------------------
def fixable_flags(diagnostics: list[Diagnostic]) -> list[bool]:
    """Which findings `--fix` applies in its first pass: exactly those `choose_edits` picks."""
    flags, before = [], 0
    for i in range(len(diagnostics)):
        count = choose_edits(diagnostics[: i + 1])[1]
        flags.append(count > before)
        before = count
    return flags


def locate(diagnostics: list[Diagnostic], layout: Layout | None = None, notebook: Notebook | None = None):
    def place(span: Span, path: str | None = None) -> Place:
        if path is not None:
            return Place(span, path=path)  # in an imported module
        located = layout.locate_span(span) if layout is not None and notebook is not None else None
        if located is None:
            return Place(span)
        cell, local = located
        return Place(local, cell, notebook.raw_span(cell, local))

    def edit(span: Span, new_text: str, path: str | None) -> Edit:
        where = place(span, path)
        raw_text = None
        if notebook is not None and where.cell is not None and notebook.replaceable(where.cell, where.span):
            raw_text = json.dumps(new_text, ensure_ascii=False)[1:-1]
            if notebook.source_is_list[where.cell] and ("\n" in new_text or "\r" in new_text):
                raw_text = None  # a new line would have to start a new string of the list
        return Edit(where, new_text, raw_text)

    findings = []
    for d, fixable in zip(diagnostics, fixable_flags(diagnostics)):
        findings.append(
            Finding(
                d.code,
                d.name,
                d.severity,
                d.message,
                place(d.span, d.path),
                [(place(r.span, r.path), r.message) for r in d.related],
                [
                    FixRecord(
                        f.title, f.preferred, f.applicability.value, [edit(e.span, e.new_text, e.path) for e in f.edits]
                    )
                    for f in d.fixes
                ],
                fixable,
            )
        )
    return findings


def unified_diff(name: str, before: str, after: str) -> str:
    name = name.replace(os.sep, "/")
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


# -- all the files -----------------------------------------------------------------------------
def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _work(item: tuple[Task, ResultCache | None]) -> Outcome:
    task, cache = item
    return process(task, cache)


def run(tasks: list[Task], cache: ResultCache | None, jobs: int) -> list[Outcome]:
    """Every task's outcome, in the tasks' order. Files the cache answers are done here; the others
    are analysed in `jobs` worker processes (in this one when jobs is 1 or only one is left)."""
    outcomes: list[Outcome | None] = [None] * len(tasks)
    pending = []
    for task in tasks:
        if cache is not None:
            try:
                outcomes[task.index] = process(task, cache, compute=False)
                continue
            except Miss:
                pass
        pending.append(task)
    if jobs > 1 and len(pending) > 1:
        keras()  # load the knowledge once, before the workers are forked
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)
        with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=context) as pool:
            for outcome in pool.map(_work, [(task, cache) for task in pending]):
                outcomes[outcome.index] = outcome
    else:
        for task in pending:
            outcomes[task.index] = process(task, cache)
    return [outcome for outcome in outcomes if outcome is not None]
