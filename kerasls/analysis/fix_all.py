"""Fix a whole document: the preferred safe fix of each finding, re-checking until stable.

One loop for files and notebooks alike (the CLI's `--fix`, the server's fix-all action): fixes
of one finding can make another appear or go away (a width fix, then a loss fix), so the
document is analysed again after each pass. A pass that breaks a part's syntax is not applied,
and fixes that undo each other (a loss shared by two models) stop the loop where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..text.diagnostics import Applicability, Diagnostic, TextEdit
from ..text.edits import apply_edits
from .analyze import Analysis
from .documents import Document, Layout

MAX_PASSES = 8

# Analyses a layout's text: text and the cells' first lines (None for a file) in, analysis out.
Analyzer = Callable[[str, "list[int] | None"], Analysis]


@dataclass
class FixResult:
    document: Document  # the document with the fixes applied
    fixed: int  # how many findings were fixed
    layout: Layout
    analysis: Analysis  # of the fixed document

    def changed(self, before: Document) -> dict[int, str]:
        """The parts whose source the fixes changed, with their new source."""
        return {i: new for i, (old, new) in enumerate(zip(before.sources, self.document.sources)) if old != new}


def choose_edits(diagnostics: list[Diagnostic]) -> tuple[list[TextEdit], int]:
    """The preferred safe fix of each diagnostic, skipping fixes that overlap one already chosen."""
    chosen: list[TextEdit] = []
    count = 0
    for diagnostic in diagnostics:
        fix = diagnostic.preferred_fix
        if fix is None or fix.applicability is not Applicability.SAFE:
            continue
        if any(edit.path is not None for edit in fix.edits):
            continue  # it edits an imported module: the editor's quick fix applies it, not a fix of this file
        if any(edit.span.overlaps(other.span) or edit.span == other.span for edit in fix.edits for other in chosen):
            continue
        chosen.extend(fix.edits)
        count += 1
    return chosen, count


def fix_all(document: Document, analyze: Analyzer) -> FixResult:
    layout = document.layout()
    analysis = analyze(layout.text, layout.barriers)
    fixed = 0
    seen = {document.sources}
    for _ in range(MAX_PASSES):
        edits, count = choose_edits(analysis.diagnostics)
        by_part = _by_part(edits, layout)
        if not by_part:
            break
        candidate = document.with_sources(
            {part: apply_edits(document.parts[part].source, part_edits) for part, part_edits in by_part.items()}
        )
        if candidate.sources in seen:
            break  # fixes undoing each other: stop where we are
        seen.add(candidate.sources)
        candidate_layout = candidate.layout()
        result = analyze(candidate_layout.text, candidate_layout.barriers)
        if result.syntax_errors > analysis.syntax_errors:
            break  # a fix that breaks the syntax is not applied
        document, layout, analysis, fixed = candidate, candidate_layout, result, fixed + count
    return FixResult(document, fixed, layout, analysis)


def _by_part(edits: list[TextEdit], layout: Layout) -> dict[int, list[TextEdit]]:
    """The edits in each part's own coordinates; none at all when one lies outside every part."""
    by_part: dict[int, list[TextEdit]] = {}
    for edit in edits:
        located = layout.locate_span(edit.span)
        if located is None:
            return {}
        by_part.setdefault(located[0], []).append(TextEdit(located[1], edit.new_text))
    return by_part
