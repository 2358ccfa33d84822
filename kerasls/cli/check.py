"""`kerasls check`: find, report and fix mismatches in files, folders, notebooks and standard input."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from ..analysis.settings import SettingsError
from ..text.diagnostics import Severity
from .cache import ResultCache, default_cache_dir
from .config import Configuration
from .files import Found, discover, force_excluded
from .report import FileResult, gather, render, statistics, summary
from .runner import CHECK, DIFF, FIX, Outcome, Task, default_jobs, run


class Console:
    """Where each kind of output goes, and how much of it the quiet levels let through.

    The report (findings, statistics, the closing line) goes to stdout or --output-file; with
    `--fix` on standard input, stdout carries the fixed text and the report goes to stderr.
    Errors and notes go to stderr. -q keeps only the findings (and errors); -qq keeps nothing."""

    def __init__(self, args: argparse.Namespace, stdin_fix: bool):
        self.quiet = 2 if args.silent else min(args.quiet, 2)
        self.output_file = args.output_file
        self.stdin_fix = stdin_fix

    @property
    def report_stream(self) -> TextIO:
        return sys.stderr if self.stdin_fix else sys.stdout

    def error(self, message: str) -> None:
        if self.quiet < 2:
            print(f"kerasls: {message}", file=sys.stderr)

    def note(self, message: str) -> None:
        if self.quiet < 1:
            print(f"kerasls: note: {message}", file=sys.stderr)

    def report(self, text: str) -> None:
        if self.quiet >= 2 or not text:
            return
        if self.output_file:
            path = Path(self.output_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        else:
            stream = self.report_stream
            stream.write(text if text.endswith("\n") else text + "\n")
            stream.flush()

    @property
    def color(self) -> bool:
        stream = self.report_stream
        return not self.output_file and stream.isatty() and not os.environ.get("NO_COLOR")


def command_check(args: argparse.Namespace) -> int:
    mode = DIFF if args.diff else FIX if args.fix else CHECK
    paths = list(args.paths or [])
    reading_stdin = args.stdin_filename is not None or paths == ["-"]
    console = Console(args, stdin_fix=reading_stdin and mode == FIX)
    if reading_stdin and [p for p in paths if p != "-"]:
        console.error(f"ignoring {', '.join(p for p in paths if p != '-')}: reading standard input (--stdin-filename)")
    elif "-" in paths and not reading_stdin:
        console.error("`-` (standard input) cannot be mixed with other paths")
        return 2
    cwd = Path.cwd()
    try:
        config = Configuration(args, cwd)
        if reading_stdin:
            tasks = _stdin_task(args, config, mode, cwd)
            if tasks is None:
                return 0
            problems: list[str] = []
        else:
            found, problems = discover([Path(p) for p in (paths or ["."])], config.settings, args.force_exclude)
            tasks = [_task(i, f, config, mode, cwd) for i, f in enumerate(found)]
            if not tasks and not problems:
                console.note("no Python files or notebooks found under the given paths")
    except SettingsError as error:
        console.error(str(error))
        return 2

    cache = None if args.no_cache else ResultCache(Path(args.cache_dir) if args.cache_dir else default_cache_dir(cwd))
    outcomes = run(tasks, cache, args.jobs or default_jobs())
    return _report(args, console, mode, outcomes, problems)


def _task(index: int, found: Found, config: Configuration, mode: str, cwd: Path) -> Task:
    return Task(index, found.path, str(found.path), config.for_file(found.path), mode, found.explicit, cwd=cwd)


def _stdin_task(args: argparse.Namespace, config: Configuration, mode: str, cwd: Path) -> list[Task] | None:
    """The task for standard input; None when --force-exclude excludes its --stdin-filename (then,
    as ruff does, the input is passed through unchanged when fixing)."""
    data = sys.stdin.buffer.read()
    name = args.stdin_filename
    path = Path(name) if name else Path("-")
    if name and args.force_exclude:
        if force_excluded(path, config.settings):
            if mode == FIX:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            return None
    return [Task(0, path, name or "-", config.for_file(path), mode, True, stdin=data, cwd=cwd)]


def _display(path: str) -> str:
    """An imported module's path as the report prints it: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _report(args: argparse.Namespace, console: Console, mode: str, outcomes: list[Outcome], problems: list[str]) -> int:
    results: list[FileResult] = []
    fixed = 0
    diffs: list[str] = []
    for outcome in outcomes:
        for failure in outcome.failures:
            console.error(failure)
        for note in outcome.notes:
            console.note(note)
        problems.extend(outcome.problems)
        fixed += outcome.fixed
        if outcome.result is not None:
            results.append(outcome.result)
        if outcome.diff:
            diffs.append(outcome.diff)
        if outcome.output is not None:
            sys.stdout.write(outcome.output)
            sys.stdout.flush()
    for problem in problems:
        console.error(problem)
    results = gather(results, _display)

    if mode == DIFF:
        if console.quiet < 2:
            sys.stdout.write("".join(diffs))
            sys.stdout.flush()
        if fixed and console.quiet < 1:
            print(f"{fixed} fix{'es' if fixed != 1 else ''} would be applied.", file=sys.stderr)
    elif args.statistics:
        kind = "json" if args.output_format == "json" else "text"
        text = statistics(results, kind)
        if kind == "text" and text and console.quiet < 1 and any(f.fixable for r in results for f in r.findings):
            text += "\n[*] fixable with `kerasls check --fix`"
        console.report(text)
    elif args.output_format == "text":
        text = render("text", results, console.color)
        findings = sum(len(r.findings) for r in results)
        if console.quiet < 1:
            if problems and not findings:
                noun = "input" if len(problems) == 1 else "inputs"
                closing = f"No findings, but {len(problems)} {noun} could not be checked (see above)."
            else:
                closing = summary(results, fixed, fixing=mode == FIX)
            text = f"{text}\n{closing}" if text else closing
        console.report(text)
    else:
        console.report(render(args.output_format, results))

    if problems:
        return 2
    if args.exit_zero:
        return 0
    serious = any(f.severity <= Severity.WARNING for r in results for f in r.findings)
    if serious or (mode == DIFF and diffs):
        return 1
    return 1 if args.exit_non_zero_on_fix and fixed else 0
