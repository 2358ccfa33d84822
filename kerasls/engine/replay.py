"""Top-level statements replayed from the analysis before, instead of run again.

Why: a script is a long run of top-level statements and a keystroke changes one of them, yet
every analysis ran them all: in a 2,000-line script that was most of what an edit cost. (The
builder functions nobody calls are remembered by `memo`.)

A run keeps a journal with, for each top-level statement: the module-level names it read and
which statement had bound each, the names it bound, what it added to the facts and what it asked
the machine. The next analysis replays a statement (binds the same names to the very same
objects, adds the same facts) when
  - it is the very chunk it was (the same text; lines added or removed above only move it) and
    the machine answers its questions as before;
  - no statement that bound a name it read runs again; and
  - it shares no object with a statement that runs again. Statements share an object when one
    reads, by name, something another bound that is not a plain value (a model, an array, a list,
    a data pipeline: anything a statement could change). Statements linked that way run again
    together or are replayed together, so a replayed object never sees a mutation twice.
The plan is made from the journal before anything runs. If a statement that runs then reads an
object of a replayed statement, or binds a name a replayed statement read, the plan was wrong
for this edit: the run stops (`Conflict`) and the analysis starts over without the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import facts as F
from .host import Answers, AskedHost, Questions
from .values import ELLIPSIS_KEY, SOME_SLICE, UNKNOWN, Const, Function, PathValue, Ref, Seq

if TYPE_CHECKING:
    from ..text.source import Chunk

UNBOUND = object()  # a name the statement deleted


class Conflict(Exception):
    """The journal's plan does not hold for this edit: analyse from scratch."""


def plain(value: Any, scope: Any) -> bool:
    """A value no statement can change, so statements may share it: constants, library names,
    paths, tuples of those, and functions at module level whose defaults are plain."""
    kind = type(value)
    if kind is Const or kind is Ref or kind is PathValue:
        return True
    if value is UNKNOWN or value is SOME_SLICE or value is ELLIPSIS_KEY:
        return True
    if kind is Seq:
        return value.kind == "tuple" and value.complete and all(plain(item, scope) for item in value.items)
    if kind is Function:
        return value.scope is scope and all(plain(default, scope) for default in value.defaults.values())
    return False


@dataclass(eq=False)
class Record:
    """What one run of a top-level statement did."""

    chunk: Chunk
    reads: dict[str, int | None] = field(default_factory=dict)  # name -> the statement that bound it
    links: set[int] = field(default_factory=set)  # statements whose objects it read
    writes: dict[str, Any] = field(default_factory=dict)  # name -> value after it (UNBOUND: deleted)
    added: F.Added = field(default_factory=F.Added)  # to the facts
    calls: dict = field(default_factory=dict)  # Function -> how often it called it
    steps: int = 0
    asked: Questions = ()  # what it asked the machine, and was told
    replayable: bool = True


@dataclass(eq=False)
class Journal:
    """One run's records, in statement order, and the module scope its functions close over."""

    scope: Any
    records: list[Record | None] = field(default_factory=list)
    post: Record | None = None  # the run of the functions nobody calls, after the statements
    complete: bool = False
    handed_over: bool = False  # a newer run replays from it (and uses its scope)
    replayed: int = 0  # how many of its statements were replayed rather than run


class Plan:
    """Which statements of the new text replay their record, worked out before anything runs.

    The journal is in the old statement order. A statement keeps its chunk across the edit (moved to
    its new place when lines were added or removed above it), so old and new positions are matched
    by chunk; the edited statements between are new."""

    def __init__(self, journal: Journal | None, chunks: list[Chunk], answers: Answers):
        self.replayed: dict[int, Record] = {}  # new position -> the record to replay there
        self.clean: set[int] = set()
        self.readers: dict[str, list[int]] = {}  # name -> replayed statements that read it
        self._wrote: dict[int, set[str]] = {}  # new position -> what that statement bound before
        self._edited_wrote: set[str] = set()  # what the statements that are gone or edited bound
        if journal is None or not journal.complete:
            return
        old = journal.records
        position = {id(chunk): index for index, chunk in enumerate(chunks)}
        moved = [position.get(id(record.chunk)) if record is not None else None for record in old]
        shifted = any(new != index for index, new in enumerate(moved) if new is not None)
        post = len(old)  # the uncalled functions' run: it always runs
        dirty = {
            index
            for index, record in enumerate(old)
            if moved[index] is None or not record.replayable or not answers.same(record.asked)
        }
        dirty.add(post)
        # What runs again makes run again the statements that read a name it bound, and those it
        # shares objects with (both ways).
        affected: dict[int, list[int]] = {}
        for index, record in enumerate([*old, journal.post]):
            if record is None:
                continue
            for bound_by in record.reads.values():
                if bound_by is not None:
                    affected.setdefault(bound_by, []).append(index)
            for other in record.links:
                affected.setdefault(other, []).append(index)
                affected.setdefault(index, []).append(other)
        todo = list(dirty)
        while todo:
            for index in affected.get(todo.pop(), ()):
                if index not in dirty:
                    dirty.add(index)
                    todo.append(index)
        for index, record in enumerate(old):
            if record is None:
                continue
            if moved[index] is None:
                self._edited_wrote.update(record.writes)
                continue
            self._wrote[moved[index]] = set(record.writes)
            if index not in dirty:
                self.replayed[moved[index]] = _renumbered(record, moved) if shifted else record
        self.clean = set(self.replayed)
        self._affected: dict[int, list[int]] = {}  # the same graph, among the replayed statements
        for index in sorted(self.clean):
            record = self.replayed[index]
            for name, bound_by in record.reads.items():
                self.readers.setdefault(name, []).append(index)
                if bound_by in self.clean:
                    self._affected.setdefault(bound_by, []).append(index)
            for other in record.links:
                self._affected.setdefault(other, []).append(index)
                self._affected.setdefault(index, []).append(other)

    def replays(self, index: int) -> bool:
        return index in self.clean

    def check_bound(self, index: int, names) -> None:
        """The statement at `index` ran and bound `names`. A later statement that read one it did not
        bind before would read this binding now: that one runs too (with what it shares, and what
        reads what it binds), unless some of that was replayed already."""
        before = self._wrote.get(index, self._edited_wrote)
        todo = [
            reader
            for name in names
            if name not in before
            for reader in self.readers.get(name, ())
            if reader > index and reader in self.clean
        ]
        while todo:
            reader = todo.pop()
            if reader not in self.clean:
                continue
            if reader < index:
                raise Conflict(reader)
            self.clean.discard(reader)
            todo.extend(self._affected.get(reader, ()))


def _renumbered(record: Record, moved: list[int | None]) -> Record:
    """The record with the statements it names at their new positions (itself when none moved)."""
    if all(b is None or moved[b] == b for b in record.reads.values()) and all(moved[o] == o for o in record.links):
        return record
    return replace(
        record,
        reads={name: (moved[b] if b is not None else None) for name, b in record.reads.items()},
        links={moved[o] for o in record.links},
    )


class Recorder:
    """Watches the module scope while one statement runs (or the uncalled functions do)."""

    def __init__(self, interp, plan: Plan):
        self.interp = interp
        self.plan = plan
        # name -> (the statement that bound it last in this run, the value it left); kept up to date
        # between statements only: inside one, a read may still see the value from before (a branch)
        self.binder: dict[str, tuple[int, Any]] = {}
        self.maker: dict[int, int] = {}  # id of a function -> the statement whose run defined it
        self.record: Record | None = None
        self.touched: set[str] = set()

    # -- while a statement runs ----------------------------------------------------------------
    def read(self, name: str, value: Any, found: bool) -> None:
        record = self.record
        if record is None:
            return
        bound_by, left = self.binder.get(name, (None, None))
        if name not in record.reads:
            record.reads[name] = bound_by  # (when the statement bound it itself first: a dependency too many)
        if found and value is left and not plain(value, self.interp.module_scope):
            if bound_by in self.plan.clean:
                raise Conflict(name)
            record.links.add(bound_by)

    def called(self, function: Function, times: int) -> None:
        if self.record is not None:  # (a statement being replayed has no record open: its calls are counted)
            self.record.calls[function] = self.record.calls.get(function, 0) + times

    def bound(self, name: str) -> None:
        if self.record is not None:
            self.touched.add(name)

    def runs_uncalled(self, function: Function) -> None:
        """The uncalled functions are run without reading their names: one that closes over a call's
        variables, or whose defaults are objects, reaches what the statement that made it reached."""
        if self.record is None or plain(function, self.interp.module_scope):
            return
        made_by = self.maker.get(id(function))
        if made_by is not None:
            if made_by in self.plan.clean:
                raise Conflict(function.name)
            self.record.links.add(made_by)

    # -- around a statement --------------------------------------------------------------------
    def run(self, index: int, chunk: Chunk | None, execute) -> Record:
        interp, facts = self.interp, self.interp.facts
        record = Record(chunk)
        mark, steps = facts.mark(), interp.steps
        host = interp.host
        asked = interp.host = AskedHost(host)
        self.record, self.touched = record, set()
        try:
            execute()
        except RecursionError:
            record.replayable = False
            raise
        finally:
            interp.host = host
            self.record = None
        record.asked, record.replayable = asked.questions(), not asked.other
        scope = interp.module_scope.vars
        record.writes = {name: scope.get(name, UNBOUND) for name in self.touched}
        for name, value in record.writes.items():
            self.binder[name] = (index, value)
        record.added = facts.added_since(mark)
        record.steps = interp.steps - steps
        self._made(index, record)
        return record

    def _made(self, index: int, record: Record) -> None:
        for function in record.added.functions:
            self.maker[id(function)] = index

    def replay(self, index: int, record: Record) -> None:
        interp, facts, binder = self.interp, self.interp.facts, self.binder
        scope = interp.module_scope.vars
        for name, value in record.writes.items():
            if value is UNBOUND:
                scope.pop(name, None)
            else:
                scope[name] = value
            binder[name] = (index, value)
        facts.add(record.added)
        for model in record.added.models:
            model.remembered = True  # it never changes again: its summaries are kept
        self._made(index, record)
        for function, count in record.calls.items():
            interp.count_call(function, count)
        interp.tick(record.steps)
