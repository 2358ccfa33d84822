"""Source text split into top-level statements, each parsed with libcst once per text.

libcst is slow (a full parse with positions costs tens of ms per 100 lines), while a
keystroke changes one top-level statement. So the module is cut into chunks at
top-level statement boundaries with a cheap line scanner, and each chunk's parse is
cached by its text: an edit re-parses only the chunk it touched.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from .diagnostics import Position, Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Characters that can change the scanner's state; everything else is skipped in bulk.
_INTERESTING = re.compile(r"""[()\[\]{}#'"\\]""")
_CONTINUATION_KEYWORDS = re.compile(r"(else|elif|except|finally)\b")
_DEF_START = re.compile(r"(async\s+def|def|class)\b")
_STRING_PREFIX = re.compile(r"[rRbBuUfF]{1,2}$")


_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Split on the line breaks Python and LSP agree on, keeping them."""
    if not _OTHER_BREAKS.search(text):
        return text.splitlines(keepends=True) or [""]  # str.splitlines agrees when no other breaks occur
    lines = []
    start = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text) or not lines:
        lines.append(text[start:])
    return lines


@dataclass
class _ScanState:
    depth: int = 0
    quote: str | None = None  # the open string's delimiter, for strings spanning lines
    backslash: bool = False

    @property
    def clean(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.backslash


def _scan_line(line: str, state: _ScanState) -> None:
    """Advance bracket depth and string state over one line."""
    i = 0
    n = len(line)
    state.backslash = False
    if state.quote is not None:
        i = _skip_string(line, 0, state)
        if state.quote is not None:
            return
    while i < n:
        match = _INTERESTING.search(line, i)
        if match is None:
            return
        ch = match.group()
        i = match.end()
        if ch == "#":
            return
        if ch in "([{":
            state.depth += 1
        elif ch in ")]}":
            state.depth = max(0, state.depth - 1)
        elif ch == "\\":
            if line[i:].strip() == "":
                state.backslash = True
                return
            i += 1
        else:
            delim = ch * 3 if line.startswith(ch * 3, i - 1) else ch
            i = i - 1 + len(delim)
            state.quote = delim
            i = _skip_string(line, i, state)
            if state.quote is not None:
                if len(delim) == 1 and not line.rstrip("\r\n").endswith("\\"):
                    state.quote = None  # unterminated one-line string: a syntax error; resync
                return


def _skip_string(line: str, i: int, state: _ScanState) -> int:
    delim = state.quote
    assert delim is not None
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if line.startswith(delim, i):
            state.quote = None
            return i + len(delim)
        i += 1
    return n


def chunk_boundaries(lines: list[str], previous: tuple[list[str], list[int]] | None = None) -> list[int]:
    """Start lines (0-based) of the chunks: each top-level statement with what follows it."""
    return _with_first_line(statement_starts(lines, previous))


def _with_first_line(starts: list[int]) -> list[int]:
    return starts if starts and starts[0] == 0 else [0, *starts]


def statement_starts(lines: list[str], previous: tuple[list[str], list[int]] | None = None) -> list[int]:
    """Lines where a top-level statement begins.

    `previous` (the lines and starts of an earlier version) lets the scan start at the
    statement before the first changed line and stop as soon as it is back in step with
    the earlier scan after the last changed line.
    """
    if previous is None:
        return _scan(lines, 0, [], None)
    old_lines, old_starts = previous
    n, m = len(lines), len(old_lines)
    first = 0
    limit = min(n, m)
    while first < limit and lines[first] == old_lines[first]:
        first += 1
    if first == n == m:
        return list(old_starts)
    same_tail = 0
    while same_tail < limit - first and lines[n - 1 - same_tail] == old_lines[m - 1 - same_tail]:
        same_tail += 1
    restart = bisect.bisect_right(old_starts, first) - 1
    while restart > 0 and old_lines[old_starts[restart - 1]].startswith("@"):
        restart -= 1  # start before the decorators, whose state the scan would otherwise lose
    if restart <= 0:
        begin, kept = 0, []
    else:
        begin, kept = old_starts[restart], old_starts[:restart]
    # Back in step only at an old start that the old scan reached in a plain state: not the
    # first statement, and not right after a decorator line.
    in_step = {start for before, start in zip(old_starts, old_starts[1:]) if not old_lines[before].startswith("@")}
    return _scan(lines, begin, kept, (n - same_tail, n - m, old_starts, in_step))


def _scan(lines: list[str], begin: int, starts: list[int], resync, barriers: frozenset = frozenset()) -> list[int]:
    state = _ScanState()
    in_decorators = False
    old_set = resync[3] if resync else ()
    for number in range(begin, len(lines)):
        line = lines[number]
        if number in barriers:  # a notebook cell: compiled on its own, so it starts afresh
            state = _ScanState()
            in_decorators = False
            starts.append(number)
            _scan_line(line, state)
            in_decorators = line[:1] == "@"
            continue
        if resync and number >= resync[0] and state.clean and not in_decorators and (number - resync[1]) in old_set:
            shift = resync[1]
            tail = [start + shift for start in resync[2] if start >= number - shift]
            return starts + tail
        was_clean = state.clean
        _scan_line(line, state)
        if not was_clean:
            continue
        first = line[:1]
        if first in ("", " ", "\t", "#", "\n", "\r", "\x0c") or not line.strip():
            continue
        if _CONTINUATION_KEYWORDS.match(line) and starts:
            continue
        if in_decorators and (first == "@" or _DEF_START.match(line)):
            in_decorators = first == "@"
            continue
        starts.append(number)
        in_decorators = first == "@"
    return starts


@dataclass(frozen=True)
class SyntaxProblem:
    message: str
    span: Span


class _Parsed:
    """A chunk text's parse: shared by every document version that has this text."""

    __slots__ = ("module", "problem", "_positions", "memo")

    def __init__(self, text: str):
        self.module: cst.Module | None = None
        self.problem: SyntaxProblem | None = None
        self._positions = None
        self.memo: dict = {}  # facts about nodes that depend on the text only (e.g. whether a loop breaks)
        if len(text) > _CHECK_FIRST_ABOVE and _python_rejects(text):
            # libcst's native parser can overflow the C stack on input nested thousands deep
            # (a crash, not an exception); CPython's parser refuses such input politely first.
            self.problem = python_syntax_problem(text, ValueError("too deeply nested"))
            return
        try:
            self.module = cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError) as error:
            self.problem = python_syntax_problem(text, error)

    def positions(self):
        if self._positions is None and self.module is not None:
            wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
            self._positions = wrapper.resolve(PositionProvider)
        return self._positions


_CHECK_FIRST_ABOVE = 4000  # characters: shorter text cannot nest deep enough to matter


def _python_rejects(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<kerasls>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return False


class _ParseCache:
    """Parses by statement text, the least recently used dropped first.

    Bounded by the text it holds, not by entries: every keystroke makes a new statement text,
    and a parse tree weighs ~30 times its text, so a session of ten thousand edits would
    otherwise keep them all. Chunks in use hold their own parse; this only spares parsing a
    text again (an undo, another document with the same statement, a file the project imports).
    """

    def __init__(self, max_chars: int = 500_000):
        self.max_chars = max_chars
        self.chars = 0
        self._entries: OrderedDict[str, _Parsed] = OrderedDict()

    def get(self, text: str) -> _Parsed:
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
            return entry
        entry = _Parsed(text)
        self._entries[text] = entry
        self.chars += len(text)
        while self.chars > self.max_chars and len(self._entries) > 1:
            dropped, _ = self._entries.popitem(last=False)
            self.chars -= len(dropped)
        return entry


PARSE_CACHE = _ParseCache()


def python_syntax_problem(text: str, fallback: Exception) -> SyntaxProblem:
    """Describe a syntax error in Python's own words, at Python's position."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<kerasls>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as error:
        line = max((error.lineno or 1) - 1, 0)
        column = max((error.offset or 1) - 1, 0)
        end_line = (error.end_lineno or error.lineno or 1) - 1
        end_column = (error.end_offset or 0) - 1
        if end_line < line or (end_line == line and end_column <= column):
            end_line, end_column = line, column + 1
        lines = split_lines(text)
        if line < len(lines):
            width = len(lines[line].rstrip("\r\n"))
            column = min(column, width)
            if end_line == line:
                end_column = min(max(end_column, column + 1), max(width, column + 1))
        kind = type(error).__name__
        return SyntaxProblem(f"{kind}: {error.msg}", Span.of(line, column, end_line, end_column))
    except (RecursionError, MemoryError):
        return SyntaxProblem("the code is nested too deeply to parse", Span.of(0, 0, 0, 1))
    except ValueError as error:  # e.g. source code string cannot contain null bytes
        return SyntaxProblem(f"cannot parse: {error}", Span.of(0, 0, 0, 1))
    if isinstance(fallback, cst.ParserSyntaxError):
        line = max(fallback.raw_line - 1, 0)
        column = max(fallback.raw_column, 0)
        return SyntaxProblem(f"SyntaxError: {fallback.message}", Span.of(line, column, line, column + 1))
    return SyntaxProblem("the code is nested too deeply to parse", Span.of(0, 0, 0, 1))


class Chunk:
    """One top-level statement (with its decorators and trailing comments) in a document.

    A chunk outlives the analysis that made it when the next version of the document has the
    same text there (before the edited statements, or after them: then moved to its new line,
    its sites report the new positions), so what is memoised here (sites, literal values) is
    computed once per edit of the statement, not once per keystroke anywhere.
    """

    __slots__ = ("index", "start_line", "text", "_parsed", "sites", "literals", "runs", "path")

    def __init__(self, index: int, start_line: int, text: str, parsed: _Parsed, path: str | None = None):
        self.index = index
        self.start_line = start_line
        self.text = text
        self._parsed = parsed
        self.sites: dict = {}
        self.literals: dict = {}
        self.runs: dict = {}  # remembered runs of the functions it defines (see engine/memo.py)
        self.path = path  # the file, when not the document being analysed (an imported module)

    @property
    def memo(self) -> dict:
        return self._parsed.memo

    @property
    def module(self) -> cst.Module | None:
        return self._parsed.module

    @property
    def problem(self) -> SyntaxProblem | None:
        return self._parsed.problem

    def span(self, node: cst.CSTNode) -> Span:
        code_range: CodeRange = self._parsed.positions()[node]
        return Span(
            Position(code_range.start.line - 1 + self.start_line, code_range.start.column),
            Position(code_range.end.line - 1 + self.start_line, code_range.end.column),
        )

    def code(self, node: cst.CSTNode) -> str:
        assert self.module is not None
        return self.module.code_for_node(node)


class Source:
    """A document's text cut into parsed chunks.

    barriers: lines where a chunk must start whatever comes before (notebook cells, which
    Python compiles one at a time); a syntax error then stays inside its cell.
    """

    def __init__(
        self,
        text: str,
        cache: _ParseCache = PARSE_CACHE,
        previous: Source | None = None,
        barriers: list[int] | None = None,
        path: str | None = None,
    ):
        self.text = text
        self.path = path  # None for the document being analysed; a file path for an imported module
        self.lines = split_lines(text)
        self.barriers = frozenset(barriers or ())
        if self.barriers:
            self.starts = _scan(self.lines, 0, [], None, self.barriers)
        else:
            self.starts = statement_starts(
                self.lines, (previous.lines, previous.starts) if previous is not None else None
            )
        self.chunks = self._parse(_with_first_line(self.starts), cache, previous.chunks if previous is not None else [])

    def _parse(self, starts: list[int], cache: _ParseCache, before: list[Chunk]) -> list[Chunk]:
        """Chunks for the statements; those before and after the edited ones are the previous version's,
        moved to their new line (a line typed above them shifts them all)."""
        bounds = starts + [len(self.lines)]
        texts = ["".join(self.lines[start:end]) for start, end in zip(bounds, bounds[1:])]
        same_head = 0
        limit = min(len(texts), len(before))
        while same_head < limit and before[same_head].text == texts[same_head]:
            same_head += 1
        same_tail = 0
        while same_tail < limit - same_head and before[-1 - same_tail].text == texts[-1 - same_tail]:
            same_tail += 1
        chunks = []
        for index, (start, text) in enumerate(zip(bounds, texts)):
            if index < same_head:
                old = before[index]
            elif index >= len(texts) - same_tail:
                old = before[index - len(texts) + len(before)]
            else:
                chunks.append(Chunk(index, start, text, cache.get(text), self.path))
                continue
            old.index, old.start_line = index, start
            chunks.append(old)
        if any(chunk.problem for chunk in chunks) and len(chunks) > 1 and not self.barriers:
            chunks = self._resplit_with_ast(chunks, cache)
        return chunks

    def _resplit_with_ast(self, chunks: list[Chunk], cache: _ParseCache) -> list[Chunk]:
        """The scanner may cut exotic code wrongly; if Python parses the whole text, trust its cuts."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = compile(self.text, "<kerasls>", "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return chunks
        starts = [0]
        for stmt in tree.body:
            first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])]) - 1
            if first > starts[-1]:
                starts.append(first)
        bounds = starts + [len(self.lines)]
        return [
            Chunk(index, start, "".join(self.lines[start:end]), cache.get("".join(self.lines[start:end])), self.path)
            for index, (start, end) in enumerate(zip(bounds, bounds[1:]))
        ]

    @cached_property
    def syntax_problems(self) -> list[SyntaxProblem]:
        """Syntax errors, positioned in the document, in order."""
        return [
            SyntaxProblem(chunk.problem.message, chunk.problem.span.shifted(chunk.start_line))
            for chunk in self.chunks
            if chunk.problem is not None
        ]

    @property
    def syntax_problem(self) -> SyntaxProblem | None:
        """The first syntax error."""
        return self.syntax_problems[0] if self.syntax_problems else None

    @cached_property
    def quote(self) -> str:
        """The string quote the file mostly uses, for code a fix writes (docstrings aside)."""
        singles = self.text.count("'") - 3 * self.text.count("'''")
        doubles = self.text.count('"') - 3 * self.text.count('"""')
        return "'" if singles > doubles else '"'
