"""Apply fixes to a whole text: the preferred fix of each finding, re-checking until stable."""
from __future__ import annotations

from typing import Callable

from .analysis import Analysis
from .diagnostics import Applicability, Diagnostic, TextEdit
from .fixes import apply_edits

MAX_PASSES = 8


def choose_edits(diagnostics: list[Diagnostic]) -> tuple[list[TextEdit], int]:
    """The preferred safe fix of each diagnostic, skipping fixes that overlap one already chosen."""
    chosen: list[TextEdit] = []
    count = 0
    for diagnostic in diagnostics:
        fix = diagnostic.preferred_fix
        if fix is None or fix.applicability is not Applicability.SAFE:
            continue
        if any(edit.span.overlaps(other.span) or edit.span == other.span for edit in fix.edits for other in chosen):
            continue
        chosen.extend(fix.edits)
        count += 1
    return chosen, count


def fix_text(text: str, analyze: Callable[[str], Analysis]) -> tuple[str, int, Analysis]:
    """Fix what can be fixed; returns the new text, how many findings were fixed, and its analysis.

    Fixes of one finding can make another appear or go away (a width fix, then a loss
    fix), so the text is analysed again after each pass. A pass that would break the
    syntax is rolled back.
    """
    analysis = analyze(text)
    fixed = 0
    seen = {text}
    for _ in range(MAX_PASSES):
        edits, count = choose_edits(analysis.diagnostics)
        if not edits:
            break
        candidate = apply_edits(text, edits)
        if candidate in seen:
            break  # fixes undoing each other (a loss shared by two models): stop where we are
        seen.add(candidate)
        result = analyze(candidate)
        if result.syntax is not None:
            break
        text, analysis, fixed = candidate, result, fixed + count
    return text, fixed, analysis
