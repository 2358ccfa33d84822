"""Comments that silence findings on their line.

kerasls's own: `# kerasls: ignore[KLS101]` (codes separated by commas) or a bare `# kerasls: ignore`.
flake8's and ruff's: `# noqa: KLS203`, `# noqa: E501, KLS203` (codes of other tools are left to
them) or a bare `# noqa`, which silences everything on the line, as it does for them.
"""

from __future__ import annotations

import re

from ..text.diagnostics import Diagnostic

_SUPPRESSION = re.compile(r"#\s*kerasls:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)
# flake8's and ruff's grammar: the word, then optionally a colon and codes (letters then digits)
# separated by commas and/or spaces; anything else after the word makes it a bare one (all codes).
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def suppressions(text: str) -> dict[int, set[str] | None]:
    """Line → the codes silenced there (None: every code)."""
    lowered = text.lower()
    if "kerasls" not in lowered and "noqa" not in lowered:
        return {}
    found: dict[int, set[str] | None] = {}
    for number, line in enumerate(text.splitlines()):
        if "#" not in line:
            continue
        for codes in _codes_on(line):
            if codes is None or found.get(number, set()) is None:
                found[number] = None
            else:
                found.setdefault(number, set()).update(codes)
    return found


def _codes_on(line: str):
    """Each suppression comment on a line: a set of codes, or None for all."""
    for match in _SUPPRESSION.finditer(line):
        codes = match.group(1)
        yield None if codes is None else {c.strip().upper() for c in codes.split(",") if c.strip()}
    for match in _NOQA.finditer(line):
        codes = match.group("codes")
        yield None if codes is None else {c.upper() for c in re.split(r"[,\s]+", codes) if c}


def is_suppressed(diagnostic: Diagnostic, suppressed: dict[int, set[str] | None]) -> bool:
    """A finding is silenced by a comment on the line it starts or ends on."""
    for line in {diagnostic.span.start.line, diagnostic.span.end.line}:
        if line in suppressed:
            codes = suppressed[line]
            if codes is None or diagnostic.code in codes:
                return True
    return False
