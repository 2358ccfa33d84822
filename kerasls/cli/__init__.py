"""The `kerasls` command: check files, explain rules, print model summaries, start the language server.

Each command imports what it needs when it runs: `serve` answers the editor before the rules load.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")  # of `check`'s report (see `report`)


def command_check(args: argparse.Namespace) -> int:
    from .check import command_check

    return command_check(args)


def command_rules(args: argparse.Namespace) -> int:
    from ..rules import ALL_RULES

    width = max(len(rule.name) for rule in ALL_RULES)
    for rule in ALL_RULES:
        print(f"{rule.code}  {rule.name:<{width}}  {rule.severity.label:<11}  {rule.summary}")
    return 0


def command_rule(args: argparse.Namespace) -> int:
    from ..rules import find

    rule = find(args.code)
    if rule is None:
        print(f"kerasls: no rule {args.code!r}; `kerasls rules` lists them", file=sys.stderr)
        return 2
    print(f"# {rule.code} ({rule.name})\n")
    print(f"Default severity: {rule.severity.label}\n")
    from ..analysis.rule_docs import document

    print(document(rule))
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from ..lsp.serve import serve

    serve(args)
    return 0


def command_summary(args: argparse.Namespace) -> int:
    from .summary import print_summaries

    return print_summaries(args)


def command_clean(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .cache import clear, default_cache_dir

    folder = Path(args.cache_dir) if args.cache_dir else default_cache_dir(Path.cwd())
    if clear(folder):
        print(f"Removed {folder}")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kerasls", description="A Keras-aware linter and language server.")
    parser.add_argument("--version", action="version", version=f"kerasls {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check",
        help="check Python files, notebooks and folders for Keras mismatches",
        description="Check Python files, notebooks and folders for Keras mismatches. "
        "Exit status: 0 no error or warning found, 1 some found, 2 bad usage, configuration or input.",
    )
    check.add_argument("paths", nargs="*", help="files or folders (default: .); `-` reads standard input")
    out = check.add_argument_group("output")
    out.add_argument(
        "--output-format",
        "--format",
        dest="output_format",
        choices=FORMATS,
        default="text",
        help="text (default), json, sarif, github (Actions annotations), gitlab (Code Quality), junit",
    )
    out.add_argument("-o", "--output-file", metavar="PATH", help="write the report to PATH instead of stdout")
    out.add_argument("--statistics", action="store_true", help="print how many findings of each code instead")
    out.add_argument("-q", "--quiet", action="count", default=0, help="print the findings only; -qq: print nothing")
    out.add_argument("-s", "--silent", action="store_true", help="print nothing (the exit status tells), like -qq")
    out.add_argument("-e", "--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    out.add_argument("--exit-non-zero-on-fix", action="store_true", help="with --fix: exit 1 if anything was fixed")
    fixes = check.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true", help="apply the preferred safe fixes and write the files")
    fixes.add_argument("--diff", action="store_true", help="print the fixes as a diff; write nothing (also with --fix)")
    rules = check.add_argument_group("rule selection (codes, prefixes such as KLS1, or rule names)")
    rules.add_argument("--select", action="append", metavar="CODES", help="the rules to run, replacing the configured")
    rules.add_argument("--extend-select", action="append", metavar="CODES", help="rules to run as well")
    rules.add_argument("--ignore", action="append", metavar="CODES", help="rules to skip, added to the configured")
    rules.add_argument("--extend-ignore", action="append", metavar="CODES", help="the same as --ignore")
    files = check.add_argument_group("files and configuration")
    files.add_argument(
        "--config",
        action="append",
        metavar="PATH|OPTION",
        help="a pyproject.toml or kerasls.toml to use instead of the nearest one, "
        "or an option as TOML (--config \"ignore = ['KLS403']\"); may be repeated",
    )
    files.add_argument("--exclude", action="append", metavar="GLOBS", help="globs to skip, replacing the configured")
    files.add_argument("--extend-exclude", action="append", metavar="GLOBS", help="globs to skip as well")
    files.add_argument(
        "--force-exclude",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="skip excluded files even when they are named on the command line (for pre-commit)",
    )
    files.add_argument(
        "--stdin-filename", metavar="NAME", help="read standard input, as the file NAME (for settings and messages)"
    )
    speed = check.add_argument_group("speed")
    speed.add_argument("-j", "--jobs", type=_positive, metavar="N", help="worker processes (default: all cores)")
    speed.add_argument("-n", "--no-cache", action="store_true", help="analyse every file; read and write no cache")
    speed.add_argument(
        "--cache-dir",
        metavar="PATH",
        help="the result cache's folder (default: $KERASLS_CACHE_DIR, else .kerasls_cache at the project root)",
    )
    check.set_defaults(handler=command_check)

    clean = sub.add_parser("clean", help="remove the result cache (.kerasls_cache) of the current project")
    clean.add_argument("--cache-dir", metavar="PATH", help="the cache folder to remove")
    clean.set_defaults(handler=command_clean)

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
    try:
        return args.handler(args)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
