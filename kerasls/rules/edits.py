"""Small, formatting-preserving edits rules build their fixes from.

Every edit replaces one node (a string literal, a name, an argument value) or inserts
an argument; nothing else on the line moves, so comments and layout survive.
"""

from __future__ import annotations

import libcst as cst

from ..engine.values import Site
from ..text.diagnostics import Applicability, Fix, Position, Span, TextEdit


def at(site: Site, span: Span, text: str) -> TextEdit:
    """An edit at `span` of the file `site` is in."""
    return TextEdit(span, text, site.path)


def full_span(site: Site) -> Span:
    """A node's span including the parentheses around it (libcst's positions leave them out)."""
    node = site.node
    lpar, rpar = getattr(node, "lpar", None), getattr(node, "rpar", None)
    if lpar and rpar:
        return Span(Site(site.chunk, lpar[0]).span.start, Site(site.chunk, rpar[-1]).span.end)
    return site.span


def replace(site: Site, text: str) -> TextEdit:
    """Replace a whole expression (with its parentheses) by `text`."""
    return at(site, full_span(site), text)


def replace_string(site: Site, value: str) -> TextEdit | None:
    """Replace a string literal's content, keeping its prefix and quotes."""
    node = site.node
    if not isinstance(node, cst.SimpleString):
        return None
    quote = node.quote
    prefix = node.prefix
    if quote in value or "\\" in value:
        return None
    return at(site, site.span, f"{prefix}{quote}{value}{quote}")


def rename_callee(site: Site, new_name: str) -> TextEdit | None:
    """Turn `losses.BinaryCrossentropy(...)` into `losses.CategoricalCrossentropy(...)`, touching one name."""
    node = site.node
    target = node.func if isinstance(node, cst.Call) else node
    if isinstance(target, cst.Attribute):
        return at(site, Site(site.chunk, target.attr).span, new_name)
    if isinstance(target, cst.Name):
        return at(site, Site(site.chunk, target).span, new_name)
    return None


def call_argument(site: Site, name: str, position: int | None) -> cst.Arg | None:
    call = site.node
    if not isinstance(call, cst.Call):
        return None
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    if position is not None and position < len(positional):
        return positional[position]
    return None


def set_argument(site: Site, name: str, value_code: str, position: int | None = None) -> TextEdit | None:
    """Set `name=value_code` in a call: replace the argument's value, or add it after the last one."""
    call = site.node
    if not isinstance(call, cst.Call):
        return None
    existing = call_argument(site, name, position)
    if existing is not None:
        return at(site, Site(site.chunk, existing.value).span, value_code)
    if any(arg.star for arg in call.args):
        return None
    if call.args:
        last = call.args[-1]
        end = Site(site.chunk, last.value).span.end
        return at(site, Span(end, end), f", {name}={value_code}")
    func_end = Site(site.chunk, call.func).span.end
    opening = _find_after(site, func_end, "(")
    if opening is None:
        return None
    point = Position(opening.line, opening.column + 1)
    return at(site, Span(point, point), f"{name}={value_code}")


def _find_after(site: Site, start: Position, char: str) -> Position | None:
    lines = site.chunk.text.splitlines(keepends=True)
    line = start.line - site.chunk.start_line
    column = start.column
    while 0 <= line < len(lines):
        index = lines[line].find(char, column)
        if index >= 0:
            return Position(line + site.chunk.start_line, index)
        line += 1
        column = 0
    return None


def fix(title: str, *edits: TextEdit | None, preferred: bool = False, safe: bool = True) -> Fix | None:
    """A fix from edits; None when any edit could not be made (the rule then offers no such fix)."""
    if not edits or any(edit is None for edit in edits):
        return None
    spans = sorted(edit.span for edit in edits)
    if any(a.overlaps(b) for a, b in zip(spans, spans[1:])):
        return None
    return Fix(title, tuple(edits), preferred, Applicability.SAFE if safe else Applicability.UNSAFE)
