"""Comments that silence findings on their line: `# kerasls: ignore[KLS101]` or a bare `# kerasls: ignore`."""

from __future__ import annotations

import re

from ..text.diagnostics import Diagnostic

_SUPPRESSION = re.compile(r"#\s*kerasls:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


def suppressions(text: str) -> dict[int, set[str] | None]:
    """Line → the codes silenced there (None: every code)."""
    if "kerasls" not in text:
        return {}
    found: dict[int, set[str] | None] = {}
    for number, line in enumerate(text.splitlines()):
        match = _SUPPRESSION.search(line)
        if match is None:
            continue
        codes = match.group(1)
        found[number] = None if codes is None else {c.strip().upper() for c in codes.split(",") if c.strip()}
    return found


def is_suppressed(diagnostic: Diagnostic, suppressed: dict[int, set[str] | None]) -> bool:
    """A finding is silenced by a comment on the line it starts or ends on."""
    for line in {diagnostic.span.start.line, diagnostic.span.end.line}:
        if line in suppressed:
            codes = suppressed[line]
            if codes is None or diagnostic.code in codes:
                return True
    return False
