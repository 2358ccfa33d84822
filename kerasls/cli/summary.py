"""`kerasls summary`: each model's inferred summary (shapes, parameters), like `model.summary()`."""

from __future__ import annotations

import sys
from pathlib import Path

from ..analysis import analyze
from ..analysis.model_tables import render_text
from ..filesystem import FileSystemHost
from .files import InputError, read_source


def print_summaries(args) -> int:
    status = 0
    for name in args.paths:
        path = Path(name)
        try:
            source = read_source(path)
        except InputError as error:
            print(f"kerasls: {path}: {error}", file=sys.stderr)
            status = 2
            continue
        analysis = analyze(source.text, host=FileSystemHost(path, Path.cwd()))
        if analysis.syntax is not None:
            print(
                f"kerasls: {path}: {analysis.syntax.message} (line {analysis.syntax.span.start.line + 1})",
                file=sys.stderr,
            )
            status = 2
            continue
        summaries = [s for s in analysis.summaries if s.rows]
        print(f"# {path}: {len(summaries)} model{'s' if len(summaries) != 1 else ''}\n")
        for summary in summaries:
            print(render_text(summary))
            print()
    return status
