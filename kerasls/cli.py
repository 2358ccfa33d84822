"""The `kerasls` command: check files, explain rules, start the language server."""
from __future__ import annotations

import argparse
import difflib
import fnmatch
import io
import os
import sys
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .analysis import analyze
from .diagnostics import Severity
from .fixing import fix_text
from .report import FileResult, summary, to_json, to_sarif, to_text
from .rules import ALL_RULES, find
from .settings import Settings, SettingsError
from .workspace import FileSystemHost, find_pyproject, load_settings

SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", "env", ".env", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", "build", "dist", ".ipynb_checkpoints",
}
MAX_FILE_BYTES = 2 * 1024 * 1024


class InputError(Exception):
    """A file we cannot check; the message says why in plain words."""


@dataclass
class SourceFile:
    path: Path
    text: str
    encoding: str
    bom: bool


def read_source(path: Path) -> SourceFile:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None
    if b"\x00" in data:
        raise InputError("looks like a binary file (it contains NUL bytes), not Python source")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"is {len(data) / 1e6:.1f} MB; kerasls checks files up to {MAX_FILE_BYTES / 1e6:.1f} MB (generated code?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise InputError(f"has an invalid encoding declaration: {error}") from None
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        where = f" at byte {error.start}" if isinstance(error, UnicodeDecodeError) else ""
        raise InputError(f"is not valid {encoding.upper()} text{where}; save it as UTF-8") from None
    return SourceFile(path, text, encoding, bom)


def write_atomically(source: SourceFile, text: str) -> None:
    """Write through a temporary file in the same folder and rename it over the original."""
    data = text.encode(source.encoding)
    if source.bom and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    folder = source.path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{source.path.name}.", suffix=".kerasls", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(temporary, source.path.stat().st_mode & 0o7777)
        except OSError:
            pass
        os.replace(temporary, source.path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def discover(paths: list[Path], settings_for) -> tuple[list[Path], list[str]]:
    """Files to check under the given paths; problems with the paths themselves."""
    found: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or directory")
        elif path.is_file():
            found.append(path)
        else:
            for folder, dirs, files in os.walk(path):
                here = Path(folder)
                dirs[:] = sorted(d for d in dirs if not _skipped_dir(here / d, settings_for(here)))
                for name in sorted(files):
                    file = here / name
                    if name.endswith((".py", ".ipynb")) and not _excluded(file, settings_for(here).exclude):
                        found.append(file)
    return found, problems


def _skipped_dir(path: Path, settings: Settings) -> bool:
    return path.name in SKIP_DIRS or (path / "pyvenv.cfg").exists() or _excluded(path, settings.exclude)


def _excluded(path: Path, patterns: tuple[str, ...]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, f"*/{p}") for p in patterns)


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

        def check(text: str, settings=settings, host=host, **options):
            return analyze(text, host=host, settings=settings, **options)

        if path.suffix == ".ipynb":
            fixed_total += _check_notebook(path, check, args, results, diffs, problems)
            continue
        try:
            source = read_source(path)
        except InputError as error:
            problems.append(f"{path}: {error}")
            continue

        if args.fix or args.diff:
            new_text, fixed, analysis = fix_text(source.text, check)
            fixed_total += fixed
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
            print(f"kerasls: internal error in {failure.code} on {path}: {failure.error!r} (other rules ran)", file=sys.stderr)

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
    from .ipynb import NotebookError, analyze_notebook, fix_notebook, read_notebook, write_sources

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
        changed, fixed, module, analysis = fix_notebook(notebook, check)
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
        module, analysis = analyze_notebook(notebook, check)
    results.append(FileResult(str(path), analysis.diagnostics, locate=module.locate_span))
    return fixed


def _diff(path: Path, before: str, after: str) -> str:
    name = path.as_posix()
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _split(values: list[str]) -> list[str]:
    return [part for value in values for part in value.replace(",", " ").split() if part]


def command_rules(args: argparse.Namespace) -> int:
    width = max(len(rule.name) for rule in ALL_RULES)
    for rule in ALL_RULES:
        print(f"{rule.code}  {rule.name:<{width}}  {rule.severity.label:<11}  {rule.summary}")
    return 0


def command_rule(args: argparse.Namespace) -> int:
    rule = find(args.code)
    if rule is None:
        print(f"kerasls: no rule {args.code!r}; `kerasls rules` lists them", file=sys.stderr)
        return 2
    print(f"# {rule.code} ({rule.name})\n")
    print(f"Default severity: {rule.severity.label}\n")
    print(rule.doc())
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from .server import serve

    serve(args)
    return 0


def command_summary(args: argparse.Namespace) -> int:
    from .summary import print_summaries

    return print_summaries(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kerasls", description="A Keras-aware linter and language server.")
    parser.add_argument("--version", action="version", version=f"kerasls {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="check Python files and folders for Keras mismatches")
    check.add_argument("paths", nargs="*", help="files or folders (default: .)")
    check.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check.add_argument("--fix", action="store_true", help="apply the preferred fixes and write the files")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff; write nothing")
    check.add_argument("--select", action="append", help="rule codes, prefixes or names to run (e.g. KLS1,KLS401)")
    check.add_argument("--ignore", action="append", help="rule codes, prefixes or names to skip")
    check.set_defaults(handler=command_check)

    rules = sub.add_parser("rules", help="list every rule")
    rules.set_defaults(handler=command_rules)

    rule = sub.add_parser("rule", help="explain one rule")
    rule.add_argument("code", help="a rule code (KLS201) or name")
    rule.set_defaults(handler=command_rule)

    serve = sub.add_parser("serve", help="start the language server (stdio by default)")
    mode = serve.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="use stdin/stdout (default)")
    mode.add_argument("--tcp", action="store_true", help="listen on TCP")
    mode.add_argument("--ws", action="store_true", help="listen on WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=2087)
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    serve.set_defaults(handler=command_serve)

    summary_parser = sub.add_parser("summary", help="print each model's inferred summary (shapes, parameters)")
    summary_parser.add_argument("paths", nargs="+")
    summary_parser.set_defaults(handler=command_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "fix", False) and getattr(args, "diff", False):
        parser.error("--fix and --diff cannot be used together")
    try:
        return args.handler(args)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
