r"""IPython syntax in a notebook cell, masked into Python of the same line and column layout.

IPython runs a cell through ``IPython.core.inputtransformer2.TransformerManager.transform_cell``
before compiling it. This module follows the same rules, but instead of rewriting the special
syntax into ``get_ipython()`` calls it overwrites it *in place* with Python of the same length, so
that every character of real Python code keeps its line and column and a finding in the masked
text maps straight back to the cell. It imports nothing from IPython (the checker must start fast).

The rules, in IPython's order:

* leading blank lines are ignored (``leading_empty_lines``) and the indentation of the first line
  is taken off every line that starts with it (``leading_indent`` of IPython 7 and 8; IPython 9
  takes off only the margin common to all lines: the same code whenever IPython 9 accepts the
  cell, but it rejects ``"  x = 1\ny = 2"``, which the older ones run); a pasted console session
  loses its prompts (``classic_prompt``: ``>>>``/``...``, ``ipython_prompt``: ``In [1]:``/``...:``);
  the columns removed are reported per line in ``MaskedCell.shifts``;
* a first line ``%%name ...`` makes a cell magic (``cell_magic``): the cell is Python only for the
  magics that run their body as Python (``%%time``, ``%%capture`` ...); the magic line is masked and
  the body is masked again as a cell of its own (IPython transforms it again when the magic runs),
  except under ``%%python3`` and the like, whose interpreter gets it as it is; any other cell
  magic makes the cell not Python (``None``);
* then, logical line by logical line, as Python's tokenizer groups them (a line inside brackets,
  after a backslash continuation or inside a triple-quoted string never starts one):
  - ``obj?``, ``obj.attr??``, ``%magic?`` (``HelpEnd``): the logical line becomes a statement;
  - a logical line starting with ``%``, ``!``, ``!!``, ``?``, ``??``, ``/``, ``,`` or ``;``
    (``EscapedCommand``): that line and its backslash-continued lines become a statement;
  - ``lhs = !cmd`` and ``lhs = %magic args`` (``SystemAssign``, ``MagicAssign``, at the first ``=``
    outside brackets): the command, with its backslash-continued lines, becomes ``_``.

Masks: a statement is ``0#`` followed by the rest of the characters as a comment (``0`` when a
single character is masked), an assigned command is ``_`` padded with spaces, and a masked
continuation line is a comment (its first character becomes ``#``). A cell without IPython syntax
comes back unchanged, so a syntax error in plain Python is reported where it is.

Where this knowingly differs from IPython (all in cells rare in notebooks):

* lines break where Python breaks them (``\n``, ``\r\n``, ``\r``), not also at form feeds and
  Unicode separators as ``str.splitlines`` does;
* a backslash before ``\r\n`` continues a command and ``obj?\r\n`` is a help query (IPython only
  sees ``\n`` from the notebook front ends; the masking does not depend on the line endings);
* whitespace-only lines are kept (IPython 9's dedent empties them, which only changes the text of
  a multi-line string), so that a cell without IPython syntax comes back unchanged;
* Python's tokenizer changed in 3.12 and IPython with it (see ``_STOPS_AT_ERRORS``): this follows
  the Python it runs on, assuming the kernel runs on the same;
* of the prompts, only a cell whose first line starts with ``>>>`` is stripped of ``>>>`` and
  ``...`` (what IPython 8 and 9 agree on; IPython 9 also strips indented doctest prompts);
* ``;f a`` and ``,f a``/``/f a`` whose generated call would not compile are left unmasked (the
  cell does not compile in IPython either); number literals that Python 3.12 refuses to tokenize
  (``0b12``) are not looked at, so IPython syntax after them may be masked where 3.12 gives up.
"""

from __future__ import annotations

import re
import sys
import warnings
from dataclasses import dataclass

__all__ = ["MaskedCell", "PYTHON_CELL_MAGICS", "mask_cell"]


@dataclass(frozen=True)
class MaskedCell:
    text: str  # valid-Python stand-in for the cell, SAME number of lines as the cell source
    shifts: tuple[int, ...]  # per line of text: leading columns IPython removed (dedent, prompt); 0 otherwise


# Cell magics whose body IPython runs as Python: ExecutionMagics (the body goes through
# transform_cell or run_cell again, so it is masked as a cell of its own), the script magics that
# run a Python 3 interpreter (which gets the body as it is: no IPython syntax there), and two
# well-known extensions that time or profile the body (memory_profiler, snakeviz).
_SCRIPT_MAGICS = frozenset({"python", "python3", "pypy"})
PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "code_wrap", "memit", "snakeviz"} | _SCRIPT_MAGICS
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_WS = re.compile(r"[ \t\f]*")
_INDENT = re.compile(r"[ \t]*")
# The characters that change what the scanner has to know: strings, comments, brackets,
# backslash continuations and '='. Everything between them is skipped in bulk.
_STRUCT = re.compile(r"""['"#()\[\]{}\\=]""")
_NOT_PLAIN_EQ_BEFORE = frozenset("=<>!+-*/%@&|^:")
_NAME_START = re.compile(r"[^\W\d]")
_STRING_START = re.compile(r"(?:[rR][bBfF]|[bBfF][rR]|[rRbBuUfF])?['\"]")
_SINGLE_END = {q: re.compile(r"[^%s\\]*(?:\\.[^%s\\]*)*%s" % (q, q, q)) for q in "'\""}  # noqa: UP031  (braces are regex syntax here)
_SINGLE_OPEN_CONT = re.compile(r"(?:[^\\]|\\.)*\\\Z")  # a string whose line ends in an escaped newline
_TRIPLE_END = {q: re.compile(r"[^%s\\]*(?:(?:\\.|%s(?!%s%s))[^%s\\]*)*%s%s%s" % ((q,) * 8)) for q in "'\""}  # noqa: UP031  (braces are regex syntax here)
# IPython's _help_end_re: the help target right before the final '?' or '??'.
_HELP_END = re.compile(r"(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$")
_CELL_MAGIC_HELP = re.compile(r"%%\w+\?")
# Console prompts. IPython 9 also strips indented doctest prompts and keeps those inside
# docstrings; this takes only what IPython 8 and 9 agree on: a cell starting with '>>>'.
_CLASSIC_FIRST = re.compile(r">>>( |$)")
_CLASSIC_PROMPT = re.compile(r"(>>>|\.\.\.)( |$)")
_IPYTHON_FIRST = re.compile(r"((\[nav\]|\[ins\])? )?In \[\d+\]: ")
_IPYTHON_PROMPT = re.compile(r"((\[nav\]|\[ins\])? )?In \[\d+\]: |\s*\.{3,}: ?")
# Cheap tests for anything IPython could transform (besides a dedent): a line starting with an
# escape character or a prompt, a line ending in '?', or '=' followed by '!' or '%'.
_LINE_START_CANDIDATE = re.compile(r"[\r\n][ \t\f]*(?:[%!?,;/]|>>>|In \[|\[(?:nav|ins)\] In \[|\.{3,}:)")
_HELP_CANDIDATE = re.compile(r"\?(?:[\r\n]|\Z)")
_ASSIGN_CANDIDATE = re.compile(r"=[ \t\f]*(?:\\(?:\r\n|\r|\n)[ \t\f]*)*[!%]")
_ONLY_AST = 0x400  # ast.PyCF_ONLY_AST, without importing ast
# IPython groups tokens with Python's own tokenize, which changed in 3.12: the older one turns
# what it cannot read (an unterminated string, a stray backslash) into an error token and goes
# on, the newer one raises and IPython sees no tokens past that point; the newer one also never
# counts brackets below zero. The kernel usually runs on the Python the checker runs on, so this
# follows the running one. It only matters in cells that do not compile anyway, and in cells that
# end inside brackets right after 'obj?'.
_STOPS_AT_ERRORS = sys.version_info >= (3, 12)
# Python 3.12 also reads an f-string's replacement fields as code (PEP 701), so they may hold
# strings in the same quotes; before, an f-string was one string like any other.
_FSTRINGS_NEST = sys.version_info >= (3, 12)
_FSTRING_LITERAL = {q: re.compile(r"[\\{}%s]" % q) for q in "'\""}  # noqa: UP031  (braces are regex syntax here)
_FSTRING_CODE = re.compile(r"""['"()\[\]{}:#\\]""")


def mask_cell(source: str) -> MaskedCell | None:
    """None when the cell is not Python (a %%bash, %%writefile, %%html, ... cell magic)."""
    try:
        return _mask_cell(source)
    except Exception:  # pragma: no cover - a safety net; the property tests call _mask_cell itself
        lines = _split_lines(source)
        return MaskedCell(source, (0,) * len(lines))


def _split_lines(text: str) -> list[str]:
    """Lines as Python (and LSP) break them, on \\n, \\r\\n and \\r, endings kept; '' is one line."""
    return _LINE.findall(text) or [""]


def _mask_cell(source: str) -> MaskedCell | None:
    lines = _split_lines(source)
    count = len(lines)
    if not _may_change(source) and not _first_line_indented(lines):
        return MaskedCell(source, (0,) * count)
    bodies = [line.rstrip("\r\n") for line in lines]
    out = list(bodies)
    shifts = [0] * count
    if not _mask_block(bodies, 0, count, out, shifts):
        return None
    for i, body in enumerate(bodies):
        # A line all removed (blank, or only a prompt) must stay a line: the last one when it has
        # no ending, and one ending in '\n' after a line ending in a bare '\r'.
        if (
            body
            and not out[i]
            and (
                i == count - 1 and lines[i] == body or i and lines[i - 1].endswith("\r") and lines[i][len(body)] == "\n"
            )
        ):
            out[i] = body if body.isspace() else " " * len(body)
            shifts[i] = 0
    if out == bodies:
        return MaskedCell(source, (0,) * count)
    text = "".join(o + line[len(b) :] for o, b, line in zip(out, bodies, lines))
    return MaskedCell(text, tuple(shifts))


def _may_change(source: str) -> bool:
    return bool(
        _LINE_START_CANDIDATE.search("\n" + source)
        or ("?" in source and _HELP_CANDIDATE.search(source))
        or (("!" in source or "%" in source) and _ASSIGN_CANDIDATE.search(source))
    )


def _first_line_indented(lines: list[str]) -> bool:
    for line in lines:
        if line.strip():
            return line[0] in " \t"
    return False


def _mask_block(bodies: list[str], lo: int, hi: int, out: list[str], shifts: list[int]) -> bool:
    """Mask lines lo..hi-1 as one IPython cell; False when it is not Python (a cell magic).
    bodies are the lines as IPython sees them so far; shifts grow by what is removed here."""
    first = lo
    while first < hi and not bodies[first].strip():  # leading_empty_lines
        first += 1
    if first == hi:
        return True
    work = bodies
    indent = _INDENT.match(bodies[first]).group()  # leading_indent
    if indent:
        work = list(bodies)
        for i in range(first, hi):
            body = bodies[i]
            if body.startswith(indent):
                work[i] = out[i] = body[len(indent) :]
                shifts[i] += len(indent)
    prompt = _prompt(work, first, hi)  # classic_prompt, ipython_prompt
    if prompt is not None:
        work = list(work)
        for i in range(first, hi):
            m = prompt.match(work[i])
            if m and m.end():
                work[i] = out[i] = work[i][m.end() :]
                shifts[i] += m.end()
    line = work[first]
    if line.startswith("%%") and not _CELL_MAGIC_HELP.match(line):  # cell_magic
        name = line[2:].rstrip().partition(" ")[0]
        if name not in PYTHON_CELL_MAGICS:
            return False
        out[first] = _statement(line)
        if name in _SCRIPT_MAGICS:  # a Python subprocess gets the body as it is
            return True
        return _mask_block(work, first + 1, hi, out, shifts)  # the magic runs its body as a cell
    _scan(work, first, hi, out)
    return True


def _prompt(work: list[str], first: int, hi: int) -> re.Pattern[str] | None:
    """The prompts IPython strips from a pasted console session, if the cell starts with one:
    '>>> ' and '... ' (classic_prompt), 'In [1]: ' and '   ...: ' (ipython_prompt)."""
    line = work[first]
    if line.startswith(">>>") and _CLASSIC_FIRST.match(line):
        return _CLASSIC_PROMPT
    if _IPYTHON_FIRST.match(line) or (first + 1 < hi and _IPYTHON_PROMPT.match(work[first + 1])):
        return _IPYTHON_PROMPT
    return None


def _statement(segment: str) -> str:
    """Python statement of the same length: '0' and the rest as a comment."""
    return "0" if len(segment) == 1 else "0#" + segment[2:]


def _comment(body: str) -> str:
    """A masked continuation line: its first non-blank character becomes '#'."""
    start = _WS.match(body).end()
    return body if start == len(body) else body[:start] + "#" + body[start + 1 :]


def _continued_end(work: list[str], start: int, hi: int) -> int:
    """Last line of a command continued with trailing backslashes (find_end_of_continued_line)."""
    end = start
    while end < hi - 1 and work[end].endswith("\\"):
        end += 1
    return end


def _next_token(work: list[str], i: int, pos: int, hi: int) -> tuple[int, int] | None:
    """Where the next token starts, skipping blanks and backslash continuations; None at line end."""
    while True:
        line = work[i]
        pos = _WS.match(line, pos).end()
        if pos == len(line):
            return None
        if line[pos] == "\\" and pos == len(line) - 1:
            i += 1
            pos = 0
            if i >= hi:
                return None
            continue
        return i, pos


def _scan(work: list[str], lo: int, hi: int, out: list[str]) -> None:
    """Find IPython's token transforms logical line by logical line and mask them in out."""
    i = lo
    depth = 0  # the tokenizer's bracket depth (not clamped at 0, like tokenize's own parenlev)
    # A transform that fails where IPython finds it first stays first: IPython then never gets
    # to a later one of its kind (the cell does not compile anyway, but it is left as it is).
    help_blocked = escape_blocked = False
    after_backslash = False
    while i < hi:
        # The first token of the next logical line: blank and comment-only lines are groups of
        # their own, a line holding only a backslash continues to the next one.
        line = work[i]
        pos = _WS.match(line).end()
        if pos == len(line) or line[pos] == "#":
            i += 1
            after_backslash = False
            continue
        if line[pos] == "\\" and pos == len(line) - 1:
            i += 1
            after_backslash = True
            continue
        escape = _escape_at(line, pos)
        if pos and escape in ("!", "?") and (after_backslash or depth < 0) and not _STOPS_AT_ERRORS:
            escape = None  # the old tokenize reads a continued line's blanks before '!' as error tokens
        after_backslash = False
        group = _Group(work, i, pos, hi, depth)
        start_line, start_col = i, pos
        # Transform the group the way TransformerManager.do_one_token_transform would.
        failed_help = failed_escape = False
        if group.help_line >= 0 and not help_blocked:
            segment = work[group.help_line][start_col:] if group.help_line == start_line else work[group.help_line]
            if _HELP_END.search(segment):
                _mask_statement(work, out, start_line, start_col, group.help_line)
                i = group.help_line + 1
                continue
            failed_help = True
        if escape is not None and not escape_blocked:
            end = _continued_end(work, start_line, hi)
            verdict = _escape_verdict(work, start_line, start_col, end, escape)
            if verdict is True:
                _mask_statement(work, out, start_line, start_col, end)
                i = end + 1
                continue
            if verdict is False:  # IPython rewrites it into code that does not compile: leave it
                i = end + 1
                continue
            failed_escape = True
        if group.assign is not None:
            at_line, at_col = group.assign
            end = _continued_end(work, at_line, hi)
            segment = work[at_line]
            out[at_line] = segment[:at_col] + "_" + " " * (len(segment) - at_col - 1)
            for k in range(at_line + 1, end + 1):
                out[k] = _comment(work[k])
            i = end + 1
            depth = group.depth_at_eq
            continue
        if group.stop:  # Python 3.12+: the tokenizer stopped at an error, IPython sees no more
            return
        help_blocked = help_blocked or failed_help
        escape_blocked = escape_blocked or failed_escape
        i = group.end_line + 1
        depth = group.depth


class _Group:
    """One logical line as IPython groups tokens (make_tokens_by_line), scanned from its first
    token: where it ends, whether its last token is '?', where its first plain '=' is."""

    __slots__ = ("end_line", "depth", "help_line", "assign", "depth_at_eq", "stop")

    def __init__(self, work: list[str], i: int, start_col: int, hi: int, depth: int):
        start_line = i
        group_depth = 0  # brackets counted from the start of the logical line, clamped at 0
        eq_seen = False
        self.assign: tuple[int, int] | None = None  # where the '!' or '%' of 'lhs = !cmd' is
        self.depth_at_eq = depth
        self.help_line = -1  # the line whose last token is '?', when it is the group's last
        self.end_line = hi - 1
        self.stop = False
        closing = None  # closing pattern of a string that goes on on the next line
        single = False  # that string is a single-quoted one continued by a backslash
        pos = start_col
        while i < hi:
            if i != start_line and closing is None:
                pos = 0
            line = work[i]
            n = len(line)
            code_tail = True  # the line ends in code, not in a string or comment
            continued = False
            if closing is not None:
                m = closing.match(line, pos if i == start_line else 0)
                if m is not None:
                    pos = m.end()
                    closing = None
                elif not single or _SINGLE_OPEN_CONT.match(line):
                    i += 1
                    continue
                elif _STOPS_AT_ERRORS:  # an unterminated string: the tokenizer raises
                    self._stopped(i, depth)
                    return
                else:  # tokenize takes both lines for one error token and goes on, newline included
                    closing = None
                    i += 1
                    continue
            while True:
                m = _STRUCT.search(line, pos)
                if m is None:
                    break
                c = m.group()
                p = m.start()
                if c == "'" or c == '"':
                    if _FSTRINGS_NEST and _is_fstring(line, p):
                        found = _skip_fstring(work, i, p, hi)
                        if found is None:  # unterminated: the tokenizer raises
                            self._stopped(i, depth)
                            return
                        if found[0] != i:
                            i = found[0]
                            line = work[i]
                            n = len(line)
                        pos = found[1]
                        continue
                    if line.startswith(c * 3, p):
                        closing = _TRIPLE_END[c]
                        m2 = closing.match(line, p + 3)
                        if m2 is None:
                            single = False
                            break
                    else:
                        closing = _SINGLE_END[c]
                        m2 = closing.match(line, p + 1)
                        if m2 is None:
                            if _SINGLE_OPEN_CONT.match(line, p + 1):
                                single = True
                                break
                            closing = None
                            if _STOPS_AT_ERRORS:  # unterminated: the tokenizer raises
                                self._stopped(i, depth)
                                return
                            pos = p + 1  # tokenize takes the quote for an error token and goes on
                            continue
                    closing = None
                    pos = m2.end()
                    continue
                if c == "#":
                    code_tail = False
                    break
                if c in "([{":
                    depth += 1
                    group_depth += 1
                elif c in ")]}":
                    if depth > 0 or not _STOPS_AT_ERRORS:  # the C tokenizer never goes below 0
                        depth -= 1
                    if group_depth:
                        group_depth -= 1
                elif c == "\\":
                    if p == n - 1:
                        continued = True
                        break
                    if _STOPS_AT_ERRORS:  # a backslash that continues nothing: the tokenizer raises
                        self._stopped(i, depth)
                        return
                elif (
                    not eq_seen
                    and group_depth == 0
                    and (p == 0 or line[p - 1] not in _NOT_PLAIN_EQ_BEFORE)
                    and line[p + 1 : p + 2] != "="
                ):
                    # The first plain '=' outside brackets (_find_assign_op): is '!' or '%name' next?
                    eq_seen = True
                    self.depth_at_eq = depth
                    self.assign = _assigned_command(work, i, p, hi)
                pos = p + 1
            if closing is not None or continued:
                i += 1
                continue
            ends_in_help = code_tail and line.rstrip(" \t\f").endswith("?")  # '?' is the last token
            if depth > 0:  # NL inside brackets: the logical line goes on
                i += 1
                if i == hi and ends_in_help and not _STOPS_AT_ERRORS:
                    self.help_line = i - 1  # cut off by the end of the cell right after '?'
                continue
            self.end_line = i
            if ends_in_help:
                self.help_line = i
            break
        self.depth = depth

    def _stopped(self, line: int, depth: int) -> None:
        self.end_line = line
        self.depth = depth
        self.stop = True


def _is_fstring(line: str, quote: int) -> bool:
    """Whether the string opening at quote has an f prefix (one or two prefix letters)."""
    start = quote
    while start > 0 and quote - start < 2 and line[start - 1] in "rRbBuUfF":
        start -= 1
    if start > 0 and (line[start - 1].isalnum() or line[start - 1] == "_" or ord(line[start - 1]) > 127):
        return False  # the letters end a name: 'if"x"' is the name 'if' and a plain string
    return "f" in line[start:quote] or "F" in line[start:quote]


def _skip_fstring(work: list[str], i: int, p: int, hi: int) -> tuple[int, int] | None:
    """Where the f-string opening at (i, p) ends, reading its replacement fields as code the way
    the Python 3.12 tokenizer does (PEP 701: they may hold strings with the same quotes); None
    when it never ends."""
    line = work[i]
    quote = line[p] * 3 if line.startswith(line[p] * 3, p) else line[p]
    pos = p + len(quote)
    literal = _FSTRING_LITERAL[quote[0]]
    modes: list[int] = []  # for each open replacement field, its bracket depth; -1 in its format spec
    while True:
        if not modes or modes[-1] < 0:  # the string's text, or a format spec
            m = literal.search(line, pos)
            if m is None:
                if len(quote) == 1 and not line.endswith("\\"):
                    return None
                i += 1
                if i >= hi:
                    return None
                line, pos = work[i], 0
                continue
            c, p = m.group(), m.start()
            if c == "\\":
                pos = p + 2
            elif c == "{":
                if not modes and line.startswith("{{", p):
                    pos = p + 2
                else:
                    modes.append(0)
                    pos = p + 1
            elif c == "}":
                if modes:
                    modes.pop()
                pos = p + 2 if not modes and line.startswith("}}", p) else p + 1
            elif line.startswith(quote, p):
                return i, p + len(quote)
            else:
                pos = p + 1
            continue
        m = _FSTRING_CODE.search(line, pos)  # a replacement field
        if m is None:
            i += 1
            if i >= hi:
                return None
            line, pos = work[i], 0
            continue
        c, p = m.group(), m.start()
        pos = p + 1
        if c == "'" or c == '"':
            if _is_fstring(line, p):
                found = _skip_fstring(work, i, p, hi)
                if found is None:
                    return None
                if found[0] != i:
                    i = found[0]
                    line = work[i]
                pos = found[1]
            elif line.startswith(c * 3, p):
                closing = _TRIPLE_END[c]
                m2 = closing.match(line, p + 3)
                while m2 is None:
                    i += 1
                    if i >= hi:
                        return None
                    line = work[i]
                    m2 = closing.match(line)
                pos = m2.end()
            else:
                m2 = _SINGLE_END[c].match(line, p + 1)
                if m2 is None:
                    return None
                pos = m2.end()
        elif c in "([{":
            modes[-1] += 1
        elif c in ")]":
            modes[-1] = max(0, modes[-1] - 1)
        elif c == "}":
            if modes[-1]:
                modes[-1] -= 1
            else:
                modes.pop()
        elif c == ":":
            if modes[-1] == 0:
                modes[-1] = -1
        elif c == "#":
            pos = len(line)
        elif c == "\\":
            pos = p + 2


def _escape_at(line: str, pos: int) -> str | None:
    """The escape character if the token at pos is one of IPython's (not '%=', '!=', '//', '/=')."""
    c = line[pos]
    if c not in "%!?,;/":
        return None
    following = line[pos + 1 : pos + 2]
    if (c in "%!/" and following == "=") or (c == "/" and following == "/"):
        return None
    return c


def _assigned_command(work: list[str], i: int, p: int, hi: int) -> tuple[int, int] | None:
    """Where '!' (SystemAssign) or '%name' (MagicAssign) follows the '=' at (i, p), if it does."""
    found = _next_token(work, i, p + 1, hi)
    if found is None:
        return None
    li, lp = found
    line = work[li]
    c = line[lp]
    following = line[lp + 1 : lp + 2]
    if c == "!" and following != "=":
        return None if work[i].strip().startswith("=") else found
    if c == "%" and following != "=":
        name = _next_token(work, li, lp + 1, hi)
        if name is None:
            return None
        nl, np_ = name
        if _NAME_START.match(work[nl], np_) and not _STRING_START.match(work[nl], np_):
            return found
    return None


def _escape_verdict(work: list[str], start: int, col: int, end: int, escape: str) -> bool | None:
    """True: IPython turns the escaped line into valid code. False: into code that does not
    compile. None: the transform fails (IPython then tries the other transforms)."""
    if escape in "%!?":
        return True  # the command goes into a string literal: always valid
    parts = [work[start][col:]] + work[start + 1 : end + 1]
    text = " ".join([p.rstrip()[:-1] for p in parts[:-1]] + [parts[-1].rstrip()])
    name, _, args = text[1:].partition(" ")
    if escape == "/":
        if not name:
            return None
        call = "{}({})".format(name, ", ".join(args.split()))
    elif escape == ",":
        call = '{}("{}")'.format(name, '", "'.join(args.split()))
    else:
        call = f'{name}("{args}")'
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(call, "<ipython>", "eval", _ONLY_AST, dont_inherit=True)
    except Exception:
        return False
    return True


def _mask_statement(work: list[str], out: list[str], line: int, col: int, last: int) -> None:
    """Lines line..last hold one IPython command starting at (line, col): make it a statement."""
    body = work[line]
    out[line] = body[:col] + _statement(body[col:])
    for k in range(line + 1, last + 1):
        out[k] = _comment(work[k])
