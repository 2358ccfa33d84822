"""Cutting a module into top-level statements: agrees with Python's parser, incrementally too."""

from __future__ import annotations

import ast

from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from kerasls.text.source import Source, split_lines, statement_starts

TEXTS = [p.read_text() for p in sorted((REPO / "tests" / "fixtures").glob("*.py"))] + [
    (REPO / "examples" / "leaf_species_cnn.py").read_text(),
    'x = """\nnot a statement\n"""\n@dec\n@dec2(a,\n  b)\ndef f():\n    pass\nif x:\n    y = 1\nelif z:\n    pass\nelse:\n    w = 2\n'
    "try:\n    a = (1,\n2)\nexcept E:\n    pass\nfinally:\n    pass\nz = 'a#b' \\\n  + 'c'\nclass C:\n    '''doc'''\n",
]
PIECES = st.sampled_from(
    ["(", ")", "\n", "    ", '"""', "'", "#", "@dec\n", "def f():\n", "else:\n", "x = 1\n", "\\\n", "[", "]", "é🌿"]
)


def ast_starts(text: str) -> list[int]:
    tree = ast.parse(text)
    return [min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", [])]) - 1 for s in tree.body]


def test_starts_match_pythons_statements():
    for text in TEXTS:
        assert statement_starts(split_lines(text)) == ast_starts(text)


def test_split_lines_follows_lsp_line_breaks():
    assert split_lines("a\r\nb\rc\nd") == ["a\r\n", "b\r", "c\n", "d"]
    assert split_lines("a\x0cb\u2028c\n") == ["a\x0cb\u2028c\n"]
    assert split_lines("") == [""]


@settings(max_examples=300, deadline=None)
@given(
    source=st.sampled_from(TEXTS),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 30), st.lists(PIECES, max_size=3)), min_size=1, max_size=4
    ),
)
def test_incremental_scan_equals_a_full_scan(source, edits):
    text = source
    for where, length, pieces in edits:
        old = text
        start = int(where * len(text))
        text = text[:start] + "".join(pieces) + text[start + length :]
        old_lines, new_lines = split_lines(old), split_lines(text)
        assert statement_starts(new_lines, (old_lines, statement_starts(old_lines))) == statement_starts(new_lines)


def test_unchanged_statements_keep_their_chunks():
    text = TEXTS[0]
    first = Source(text)
    lines = text.splitlines(keepends=True)
    edited = "".join(lines[:-1] + [lines[-1].replace("(", "( ", 1)])
    second = Source(edited, previous=first)
    assert second.chunks[0] is first.chunks[0]
    assert second.chunks[-1] is not first.chunks[-1]
