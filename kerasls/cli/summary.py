"""`kerasls summary`: each model's inferred summary (shapes, parameters), like `model.summary()`."""

from __future__ import annotations

import sys
from pathlib import Path

from ..analysis import analyze
from ..analysis.model_tables import render_text
from ..filesystem import FileSystemHost
from .files import InputError, read_source
from .ipynb import NotebookError, read_notebook


def print_summaries(args) -> int:
    status = 0
    for name in args.paths:
        path = Path(name)
        try:
            text, barriers = _program(path)
        except InputError as error:
            print(f"kerasls: {path}: {error}", file=sys.stderr)
            status = 2
            continue
        analysis = analyze(text, host=FileSystemHost(path, Path.cwd()), barriers=barriers)
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


def _program(path: Path) -> tuple[str, list[int] | None]:
    """The text analysed for a file, or for a notebook its code cells laid out as one program."""
    if path.suffix != ".ipynb":
        return read_source(path).text, None
    try:
        raw = path.read_bytes().decode("utf-8-sig")
        layout = read_notebook(raw).document.layout()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise InputError(f"is not valid UTF-8 text at byte {error.start}; save it as UTF-8") from None
    except NotebookError as error:
        raise InputError(f"cannot read the notebook: {error}") from None
    return layout.text, layout.barriers
