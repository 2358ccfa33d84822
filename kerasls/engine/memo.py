"""Runs of uncalled functions, remembered from one analysis of a document to the next.

Why: a model zoo defines a hundred builder functions nobody calls, and each is run to find the
models it builds. An edit to one of them changes nothing the others do, so re-running them all
on every keystroke is most of the time an edit costs.

A run is reused when the function's statement is the very chunk it was (the same text, so the
same parse and the same sites, wherever the chunk has moved) and every module-level name it can read,
directly or through the functions it calls, holds an equal value: what the run added to the
facts is added again, the very same objects. Equal means equal in content for values nothing
mutates or tells apart by identity (constants, library names, arrays and labels, tuples) and
the same definition for functions; any other value (a model, a data pipeline, a class) makes
the function run again. So does anything the run did that replaying would not redo: defining
functions, importing, declaring `global`, asking the machine anything but class folders.
"""

from __future__ import annotations

import dataclasses
import enum
import symtable
import warnings
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from . import facts as F
from .host import AskedHost, Questions
from .library.arrays import ArrayValue
from .values import (
    ELLIPSIS_KEY,
    NO_ORIGIN,
    SOME_SLICE,
    UNKNOWN,
    Const,
    DictValue,
    Function,
    Origin,
    PathValue,
    Ref,
    Seq,
    Site,
)

SELF = "<the function itself>"


class Unremembered(Exception):
    """This run cannot be reused: it reads something a replay could not tell has changed."""


class Same:
    """Compares by identity (a site, a parse node, a chunk): equal only to itself."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any):
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


_PLAIN = (int, float, complex, str, bool, bytes, type(None), slice)
_STRUCTURAL = (ArrayValue, F.Labels, F.ClassCount, PathValue, Seq, DictValue)
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _STRUCTURAL}


class Fingerprints:
    """Content fingerprints of module-level values, for one analysis (values do not change under it)."""

    def __init__(self, interp):
        self.interp = interp
        self._done: dict[int, tuple[Any, Any]] = {}  # id -> (value, fingerprint): the value keeps the id taken

    def of_names(self, function: Function) -> tuple[tuple, dict[str, Function]]:
        """What a run of `function` can read: each module-level name with its value's fingerprint,
        through the functions it calls; and those functions by name."""
        seen: dict[str, Any] = {}
        functions: dict[str, Function] = {}
        todo = [function]
        visited = {id(function)}
        while todo:
            current = todo.pop()
            for name in sorted(global_names(current)):
                if name in seen:
                    continue
                value = self.interp.module_scope.lookup(name)
                seen[name] = self.of(value)
                if isinstance(value, Function):
                    functions[name] = value
                    if id(value) not in visited:
                        visited.add(id(value))
                        todo.append(value)
        return tuple(sorted(seen.items())), functions

    def fresh(self, function: Function) -> tuple:
        """The same as `of_names`, not from what was computed before (a run may have changed a value)."""
        self._done.clear()
        return self.of_names(function)[0]

    def of(self, value: Any) -> Any:
        known = self._done.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        fingerprint = self._compute(value)
        self._done[id(value)] = (value, fingerprint)
        return fingerprint

    def _compute(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN or isinstance(value, enum.Enum):
            return (kind, value)
        if kind is Const:
            return ("const", self.of(value.value), self.of(value.origin))
        if kind is Origin:
            return NO_ORIGIN if value is NO_ORIGIN else ("origin", Same(value.site), value.expr)
        if kind is Site:
            return Same(value)
        if kind is Ref:
            return ("ref", value.qualname)
        if kind is Function:
            if value.scope is not self.interp.module_scope or not isinstance(value.node, cst.FunctionDef):
                raise Unremembered
            return ("function", Same(value.node), Same(value.chunk), self.of(value.defaults))
        if kind in (tuple, list):
            return (kind, tuple(self.of(item) for item in value))
        if kind is dict:
            return (dict, tuple((self.of(k), self.of(v)) for k, v in value.items()))
        if kind in _FIELDS:
            return (kind, tuple(self.of(getattr(value, name)) for name in _FIELDS[kind]))
        if value is UNKNOWN or value is SOME_SLICE or value is ELLIPSIS_KEY:
            return Same(value)
        raise Unremembered


def global_names(function: Function) -> frozenset[str]:
    """The module-level names a function's body (and what it nests) can read, by Python's scoping.

    Read from the chunk's own symbol table once per parse; `global` declarations make the
    function unremembered (it could write module names)."""
    memo = function.chunk.memo
    key = ("global names", function.node)
    names = memo.get(key)
    if names is None:
        names = memo[key] = _global_names(function)
    if names is False:
        raise Unremembered
    return names


def _global_names(function: Function) -> frozenset[str] | bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            top = symtable.symtable(function.chunk.text, "<chunk>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    found, tables = [], [top]
    while tables:
        table = tables.pop()
        if table.get_type() == "function" and table.get_name() == function.name:
            found.append(table)
        tables.extend(table.get_children())
    if len(found) > 1:  # the same name defined twice in one statement: the one at the function's line
        line = function.chunk.span(function.node.name).start.line - function.chunk.start_line + 1
        found = [table for table in found if table.get_lineno() == line]
    if len(found) != 1:
        return False
    names: set[str] = set()
    inner = [found[0]]
    while inner:
        current = inner.pop()
        if any(symbol.is_declared_global() or symbol.is_nonlocal() for symbol in current.get_symbols()):
            return False
        names.update(symbol.get_name() for symbol in current.get_symbols() if symbol.is_global())  # (class bodies too)
        inner.extend(current.get_children())
    return frozenset(names)


@dataclass
class Effects:
    """What one run did that a replay does again."""

    added: F.Added  # to the facts
    calls: dict[str, int] = field(default_factory=dict)  # module-level functions it called, how often
    steps: int = 0
    asked: Questions = ()  # the class folders it asked for, and the machine's answers


def run_remembered(interp, function: Function, run) -> None:
    """Run an uncalled function through the memo of its chunk: replay when nothing it reads changed."""
    if function.scope is not interp.module_scope or not isinstance(function.node, cst.FunctionDef):
        run()
        return
    fingerprints = interp.fingerprints
    try:
        key, called = fingerprints.of_names(function)
    except Unremembered:
        run()
        return
    called = {**called, SELF: function}  # calling it counts as a call of it
    runs = function.chunk.runs
    remembered = runs.get(function.node)
    if remembered is not None and remembered[0] == key and interp.answers.same(remembered[1].asked):
        _replay(interp, remembered[1], called)
        return
    runs.pop(function.node, None)
    effects = _record(interp, function, run, called, key)
    if effects is not None:
        runs[function.node] = (key, effects)


def _replay(interp, effects: Effects, called: dict[str, Function]) -> None:
    interp.facts.add(effects.added)
    for name, count in effects.calls.items():
        interp.count_call(called[name], count)
    interp.tick(effects.steps)  # the budget counts a replayed run as the run it was


def _record(interp, function: Function, run, called: dict[str, Function], key: tuple) -> Effects | None:
    facts = interp.facts
    mark = facts.mark()
    calls = [interp.calls.get(f, 0) for f in facts.functions]
    steps = interp.steps
    host = interp.host
    asked = interp.host = AskedHost(host)
    try:
        run()
    finally:
        interp.host = host
    added = facts.added_since(mark)
    questions = asked.questions()
    named = {id(f) for f in called.values()}
    if (
        asked.other
        or any(kind != "class_folders" for (kind, _), _ in questions)
        or added.functions
        or added.import_sites
        or added.modules
        or any(interp.calls.get(f, 0) != before and id(f) not in named for f, before in zip(facts.functions, calls))
        or interp.fingerprints.fresh(function) != key  # it changed something it reads
    ):
        return None
    before = dict(zip(map(id, facts.functions), calls))
    for model in added.models:
        model.remembered = True
    return Effects(
        added,
        calls={
            name: interp.calls.get(f, 0) - before[id(f)]
            for name, f in called.items()
            if interp.calls.get(f, 0) != before.get(id(f), interp.calls.get(f, 0))
        },
        steps=interp.steps - steps,
        asked=questions,
    )
