"""Fixture programs carry their expectations inline (flake8-bugbear style).

A line ending in `# expect: KLS101` must get that finding (a diagnostic starting on the
line); every other line must stay free of errors and warnings. A first-line comment
`# kerasls-test: folders DIR=N ...` gives the fake machine DIR with N class folders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import check

from kerasls.analysis.documents import Document
from kerasls.analysis.fix_all import fix_all
from kerasls.text.diagnostics import Severity

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.py"))
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def folders_of(text: str) -> dict:
    first = text.splitlines()[0] if text else ""
    match = re.match(r"#\s*kerasls-test:\s*folders\s+(.*)", first)
    if not match:
        return {}
    folders = {}
    for item in match.group(1).split():
        name, count = item.split("=")
        folders[name] = [f"class_{i:02d}" for i in range(int(count))]
    return folders


def expectations(text: str) -> set[tuple[int, str]]:
    found = set()
    for number, line in enumerate(text.splitlines()):
        match = EXPECT.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(",") if code.strip())
    return found


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture(path: Path):
    text = path.read_text()
    analysis = check(text, folders=folders_of(text))
    assert analysis.syntax is None
    got = {(d.span.start.line, d.code) for d in analysis.diagnostics if d.severity <= Severity.WARNING}
    want = expectations(text)
    missing = sorted(want - got)
    unexpected = sorted(got - want)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_fix_all_is_clean(path: Path):
    """Applying every preferred fix leaves no fixable error behind and keeps the file parseable."""
    text = path.read_text()
    folders = folders_of(text)
    analysis = fix_all(Document.file(text), lambda t, barriers: check(t, folders=folders)).analysis
    assert analysis.syntax is None
    leftovers = [d for d in analysis.diagnostics if d.severity <= Severity.WARNING and d.fixes]
    assert not leftovers, [(d.code, d.message) for d in leftovers]
