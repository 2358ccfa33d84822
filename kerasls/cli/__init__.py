"""The `kerasls` command: check files, explain rules, print model summaries, start the language server."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..rules import ALL_RULES, find
from .check import command_check


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
    from ..lsp.server import serve  # pygls and lsprotocol: only for the server

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
