"""The shape of every message: a short first line without a full stop, then the explanation.

Editors show the first line in lists and hovers' titles, CI annotations show it alone; it
must state the mismatch with the user's numbers in at most 100 characters. Checked over
every rule's examples, the fixture programs and the shipped examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import check

from kerasls.analysis import analyze
from kerasls.filesystem import FileSystemHost
from kerasls.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = 100


def _rule_examples():
    for rule in RULES:
        for example in rule.INVALID:
            yield pytest.param(lambda e=example: check(e.code, folders=e.folders), id=f"{rule.code}-example")


def _files():
    for path in sorted((ROOT / "tests" / "fixtures").glob("*.py")) + sorted((ROOT / "examples").glob("*.py")):
        yield pytest.param(
            lambda p=path: analyze(p.read_text(), host=FileSystemHost(p)), id=str(path.relative_to(ROOT))
        )


@pytest.mark.parametrize("run", [*_rule_examples(), *_files()])
def test_first_line_is_short_and_every_line_has_words(run):
    diagnostics = run().diagnostics
    for d in diagnostics:
        lines = d.message.split("\n")
        assert len(lines[0]) <= HEADLINE, (d.code, lines[0])
        assert not lines[0].endswith("."), (d.code, lines[0])  # a headline, like ruff's and pyflakes'
        assert all(line.strip() == line and line for line in lines), (d.code, d.message)


def test_the_examples_have_findings_to_check():
    found = {
        d.code
        for path in (ROOT / "examples").glob("*.py")
        for d in analyze(path.read_text(), host=FileSystemHost(path)).diagnostics
    }
    assert len(found) >= 3
