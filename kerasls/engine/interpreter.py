"""An abstract interpreter over libcst trees: it runs the program on values, not data.

It follows assignments, function calls (builder functions with their arguments),
branches and loops, and lets the library models (`library/`, reached through `dispatch`)
say what library calls return. Anything it
cannot follow becomes UNKNOWN. Branches whose condition is unknown run on copies of the
environment that are joined afterwards (a name keeps its value only if every branch
agrees), and mutations of older objects there (model.add, model.compile) are marked
as uncertain, so a rule never acts on something that may not happen.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import libcst as cst

from ..knowledge import Knowledge
from . import dispatch, memo, replay
from . import facts as F
from .calls import CallArgs
from .host import Answers, AskedHost, Host
from .modules import LIBRARIES, SUMMARIES, ModuleSummary, ModuleValue, imported, module_source
from .values import (
    CURRENT_FILE,
    ELLIPSIS_KEY,
    SOME_SLICE,
    UNKNOWN,
    ClassValue,
    Const,
    DictValue,
    Function,
    IndexTuple,
    Origin,
    PathValue,
    Ref,
    Seq,
    Site,
    Value,
    iterate,
    join,
    same_value,
    unpack,
)

if TYPE_CHECKING:
    from ..text.source import Chunk, Source

MAX_STEPS = 400_000  # expression evaluations per analysis: bounds time on pathological input
MAX_CALL_DEPTH = 8
MAX_UNROLL = 32
MAX_COMPREHENSION = 256  # items a comprehension over known values is evaluated for (class lists are long)


class BudgetExceeded(Exception):
    pass


def _ANY_ARGS() -> CallArgs:
    return CallArgs([], {}, [], {}, starred=True)


class Scope:
    __slots__ = ("vars", "parent", "is_module", "watch")

    def __init__(self, parent: Scope | None = None):
        self.vars: dict[str, Value] = {}
        self.parent = parent
        self.is_module = parent is None
        self.watch = None  # the module scope's: told of every read (see `replay`)

    def lookup(self, name: str) -> Value:
        scope = self
        while True:
            found = scope.vars
            if name in found:
                value = found[name]
                if scope.watch is not None:
                    scope.watch(name, value, True)
                return value
            if scope.parent is None:
                break
            scope = scope.parent
        if scope.watch is not None:
            scope.watch(name, None, False)
        return _BUILTINS.get(name, UNKNOWN)


_BUILTINS = {
    "True": Const(True),
    "False": Const(False),
    "None": Const(None),
    "__name__": Const("__main__"),
    "__file__": Const(CURRENT_FILE),
    **{
        name: Ref(f"builtins.{name}")
        for name in (
            "len",
            "int",
            "float",
            "str",
            "range",
            "list",
            "tuple",
            "sorted",
            "min",
            "max",
            "sum",
            "abs",
            "round",
            "print",
            "dict",
            "bool",
            "enumerate",
            "zip",
            "isinstance",
            "open",
        )
    },
}

_BINARY_OPS = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}
_AUGMENTED_OPS = {
    cst.AddAssign: operator.add,
    cst.SubtractAssign: operator.sub,
    cst.MultiplyAssign: operator.mul,
    cst.DivideAssign: operator.truediv,
    cst.FloorDivideAssign: operator.floordiv,
    cst.ModuloAssign: operator.mod,
    cst.PowerAssign: operator.pow,
}
_COMPARE_OPS = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b,
    cst.Is: lambda a, b: a is b,
    cst.IsNot: lambda a, b: a is not b,
}


@dataclass
class Frame:
    depth: int  # uncertainty depth at entry
    returns: list = field(default_factory=list)
    done: bool = False


class Interpreter:
    """Runs one module on abstract values; what it establishes accumulates in `facts`."""

    def __init__(
        self,
        source: Source,
        knowledge: Knowledge,
        host: Host,
        loading: frozenset = frozenset(),
        alone: bool = False,
        journal: replay.Journal | None = None,
        answers: Answers | None = None,
    ):
        self.source = source
        self.knowledge = knowledge
        self.host = host
        self.loading = loading  # modules being imported around this one (an import cycle stops there)
        self.alone = alone  # run for a module summary: its uncalled functions are left alone
        self.facts = F.Facts()
        self.answers = answers or Answers(host)  # the machine's answers in this analysis (imported modules' runs too)
        self.plan = replay.Plan(journal, source.chunks, self.answers)
        if self.plan.clean:  # replayed functions close over the scope they were made in: carry it on
            self.module_scope = journal.scope
            self.module_scope.vars = {}
            journal.handed_over = True
        else:
            self.module_scope = Scope()
        self.uncertain = 0
        self.chunk: Chunk | None = None
        self.frames: list[Frame] = []
        self.steps = 0
        self.calls: dict[Function, int] = {}  # how often the program calls each function
        self._active: list[Function] = []  # the call stack, to stop recursion
        self.recorder: replay.Recorder | None = None

    # -- driver -------------------------------------------------------------------------
    def run(self) -> F.Facts:
        """Run the module; `facts.journal` keeps what each top-level statement did, for the next run."""
        journal = replay.Journal(self.module_scope)
        recorder = None if self.alone else replay.Recorder(self, self.plan)
        self.recorder = recorder
        self.module_scope.watch = recorder.read if recorder is not None else None
        complete = True
        try:
            for index, chunk in enumerate(self.source.chunks):
                if self.plan.replays(index):
                    record = self.plan.replayed[index]
                    recorder.replay(index, record)
                    journal.records.append(record)
                    journal.replayed += 1
                    continue
                if chunk.module is None:
                    journal.records.append(replay.Record(chunk))
                    continue
                self.chunk = chunk
                try:
                    if recorder is None:
                        self.exec_block(chunk.module.body, self.module_scope)
                        continue
                    record = recorder.run(index, chunk, partial(self.exec_block, chunk.module.body, self.module_scope))
                except RecursionError:
                    self.frames.clear()  # absurdly deep code: what it would have defined stays unknown
                    self._active.clear()
                    self.uncertain = 0
                    complete = False  # a half-run statement: the next analysis starts afresh
                    journal.records.append(replay.Record(chunk, replayable=False))
                    continue
                self.plan.check_bound(index, record.writes)
                journal.records.append(record)
            if recorder is not None:
                journal.post = recorder.run(len(self.source.chunks), None, self._run_uncalled_functions)
            journal.complete = complete
        except BudgetExceeded:
            pass  # pathological input: what was established so far stands
        finally:
            self.module_scope.watch = None
            self.recorder = None
        self.facts.names = self.module_scope.vars
        self.facts.journal = journal
        return self.facts

    def _run_uncalled_functions(self) -> None:
        """A function nobody calls (a main() behind argparse, a train() in a library) still builds models.

        Runs are remembered across analyses of the document (see `memo`)."""
        self.fingerprints = memo.Fingerprints(self)
        try:
            for function in list(self.facts.functions):
                if self.calls.get(function, 0) == 0 and isinstance(function.node, cst.FunctionDef):
                    if self.recorder is not None:
                        self.recorder.runs_uncalled(function)
                    memo.run_remembered(self, function, lambda f=function: self.call_function(f, _ANY_ARGS(), None))
        finally:
            self.fingerprints = None  # it refers back to this interpreter: no cycle left for the collector

    def count_call(self, function: Function, times: int = 1) -> None:
        self.calls[function] = self.calls.get(function, 0) + times
        if self.recorder is not None:
            self.recorder.called(function, times)

    def tick(self, steps: int) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise BudgetExceeded()

    def site(self, node: cst.CSTNode) -> Site:
        sites = self.chunk.sites
        site = sites.get(node)
        if site is None:
            site = sites[node] = Site(self.chunk, node)
        return site

    # -- statements ---------------------------------------------------------------------
    def exec_block(self, body, scope: Scope) -> None:
        for statement in body:
            if self.frames and self.frames[-1].done:
                return
            self.exec_statement(statement, scope)

    def exec_statement(self, node: cst.CSTNode, scope: Scope) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if self.frames and self.frames[-1].done:
                    return
                self.exec_small(small, scope)
            return
        handler = _COMPOUND.get(type(node))
        if handler is not None:
            handler(self, node, scope)

    def exec_small(self, node: cst.CSTNode, scope: Scope) -> None:
        if isinstance(node, cst.Assign):
            value = self.eval(node.value, scope)
            for target in node.targets:
                self.assign(target.target, value, scope, node.value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, scope), scope, node.value)
        elif isinstance(node, cst.AugAssign):
            self.exec_aug_assign(node, scope)
        elif isinstance(node, cst.Expr):
            self.eval(node.value, scope)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            self.exec_import(node, scope)
        elif isinstance(node, cst.Return):
            value = self.eval(node.value, scope) if node.value is not None else Const(None)
            if self.frames:
                frame = self.frames[-1]
                frame.returns.append(value)
                if self.uncertain == frame.depth:
                    frame.done = True
        elif isinstance(node, cst.Del):
            self.exec_del(node.target, scope)
        elif isinstance(node, (cst.Raise, cst.Assert)):
            for child in node.children:
                if isinstance(child, cst.BaseExpression):
                    self.eval(child, scope)

    def exec_del(self, target: cst.CSTNode, scope: Scope) -> None:
        if isinstance(target, cst.Name):
            scope.vars.pop(target.value, None)
            if scope is self.module_scope and self.recorder is not None:
                self.recorder.bound(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.exec_del(element.value, scope)

    def exec_aug_assign(self, node: cst.AugAssign, scope: Scope) -> None:
        if not isinstance(node.target, cst.Name):
            self.eval(node.value, scope)
            self.assign(node.target, UNKNOWN, scope, None)  # `y[mask] -= 5` changes what y holds
            return
        current = scope.lookup(node.target.value)
        value = self.eval(node.value, scope)
        op = _AUGMENTED_OPS.get(type(node.operator))
        self.bind(node.target.value, dispatch.binary(op, current, value), scope)

    def exec_import(self, node: cst.Import | cst.ImportFrom, scope: Scope) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                if dotted is not None:
                    self._import(dotted, _asname(alias), scope)
            return
        level = len(node.relative)
        module = _dotted(node.module) if node.module is not None else ""
        if module is None:
            return
        own = self._project_module(module, level) if level or module else None
        if own is not None or (level and not module):  # `from . import models` works without an __init__.py
            self._import_from(own, module, level, node, scope)
            return
        if level or isinstance(node.names, cst.ImportStar):
            return  # a relative import we cannot follow, or * from a library
        dispatch.note_import(module, self)
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            local = _asname(alias) or name
            self.bind(local, Ref(f"{module}.{name}"), scope)
            if scope.is_module:
                self.facts.import_sites[local] = self.site(node)

    def _import(self, dotted: str, asname: str | None, scope: Scope) -> None:
        """`import x.y [as z]`: the project's module, or a library name."""
        own = self._project_module(dotted, 0)
        if own is not None:
            local = asname or dotted.split(".")[0]
            target = own if asname or local == dotted else self._project_module(local, 0)
            self.bind(local, ModuleValue(target, local) if target is not None else UNKNOWN, scope)
            return
        dispatch.note_import(dotted, self)
        if asname is not None:
            self.bind(asname, Ref(dotted), scope)
        else:
            root = dotted.split(".")[0]
            self.bind(root, Ref(root), scope)

    def _import_from(
        self, own: ModuleSummary | None, module: str, level: int, node: cst.ImportFrom, scope: Scope
    ) -> None:
        """`from models import build_model`: the module's values, as copies named for this program."""
        names = own.names if own is not None else {}
        if isinstance(node.names, cst.ImportStar):
            for name, value in names.items():
                if not name.startswith("_"):
                    self._bind_imported(name, value, scope)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            local = _asname(alias) or name
            if name in names:
                self._bind_imported(local, names[name], scope)
                continue
            submodule = self._project_module(f"{module}.{name}" if module else name, level)
            self.bind(local, ModuleValue(submodule, local) if submodule is not None else UNKNOWN, scope)

    def _bind_imported(self, local: str, value: Value, scope: Scope) -> None:
        copied = imported(value, local)
        if isinstance(copied, F.Model):
            self.facts.models.append(copied)
        self.bind(local, copied, scope)

    def _project_module(self, name: str, level: int) -> ModuleSummary | None:
        """The summary of one of the project's own modules, or None (a library, not found, a cycle)."""
        if not level and name.split(".")[0] in LIBRARIES:
            return None
        file = self.host.find_module(name, level)
        if file is None or file.path in self.loading:
            return None
        key = (file.path, file.text, id(self.knowledge))
        summary = SUMMARIES.get(key)
        if summary is None or not self.answers.same(summary.asked):
            host = AskedHost(self.host.for_module(file.path), file.path)
            loading = self.loading | {file.path}
            facts = Interpreter(module_source(file), self.knowledge, host, loading, True, answers=self.answers).run()
            summary = ModuleSummary(file, facts.names, {**facts.modules, file.path: file}, host.questions())
            SUMMARIES.put(key, summary)
        note = getattr(self.host, "note", None)
        if note is not None:
            note(summary.asked)  # the lookups behind this module's values count as this run's
        self.facts.modules.update(summary.modules)
        return summary

    def exec_FunctionDef(self, node: cst.FunctionDef, scope: Scope) -> None:
        defaults = {}
        for param in _all_params(node.params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, scope)
        function = Function(node, self.chunk, scope, defaults, node.name.value)
        self.facts.functions.append(function)
        self.bind(node.name.value, function, scope)

    def exec_ClassDef(self, node: cst.ClassDef, scope: Scope) -> None:
        """A class: its methods close over the enclosing scope (not the class body), as in Python."""
        bases = [self.eval(arg.value, scope) for arg in node.bases]
        body = Scope(parent=scope)
        methods = {}
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                defaults = {
                    param.name.value: self.eval(param.default, body)
                    for param in _all_params(statement.params)
                    if param.default is not None
                }
                method = Function(
                    statement, self.chunk, scope, defaults, statement.name.value, binding=_binding(statement)
                )
                self.facts.functions.append(method)
                methods[statement.name.value] = method
            else:
                self.exec_statement(statement, body)
        members = {**body.vars, **methods}
        self.bind(node.name.value, ClassValue(node, bases, node.name.value, members), scope)

    def exec_If(self, node: cst.If, scope: Scope) -> None:
        truth = self.truth(self.eval(node.test, scope))
        orelse = node.orelse
        if truth is True:
            self.exec_block(node.body.body, scope)
        elif truth is False:
            self._exec_else(orelse, scope)
        else:
            self.exec_branches([(self.exec_block, node.body.body), (self._exec_else, orelse)], scope)

    def _exec_else(self, orelse, scope: Scope) -> None:
        if orelse is None:
            return
        if isinstance(orelse, cst.If):
            self.exec_If(orelse, scope)
        else:
            self.exec_block(orelse.body.body, scope)

    def exec_For(self, node: cst.For, scope: Scope) -> None:
        iterable = self.eval(node.iter, scope)
        items = iterate(iterable)
        if items is not None and len(items) <= MAX_UNROLL and not self.breaks(node.body):
            for item in items:
                self.assign(node.target, item, scope, None)
                self.exec_block(node.body.body, scope)
            if node.orelse is not None:
                self.exec_block(node.orelse.body.body, scope)
            return

        self.exec_branches([(self._loop_body, node), None], scope)
        if node.orelse is not None:
            self.exec_branches([(self.exec_block, node.orelse.body.body), None], scope)

    def _loop_body(self, node: cst.For, scope: Scope) -> None:
        self.assign(node.target, UNKNOWN, scope, None)
        self.exec_block(node.body.body, scope)

    def breaks(self, block) -> bool:
        memo = self.chunk.memo
        key = ("breaks", block)
        if key not in memo:
            memo[key] = _breaks(block)
        return memo[key]

    def exec_While(self, node: cst.While, scope: Scope) -> None:
        self.eval(node.test, scope)
        self.exec_branches([(self.exec_block, node.body.body), None], scope)

    def exec_With(self, node: cst.With, scope: Scope) -> None:
        for item in node.items:
            self.eval(item.item, scope)  # `with strategy.scope():` runs its body for sure
            if item.asname is not None:
                self.assign(item.asname.name, UNKNOWN, scope, None)
        self.exec_block(node.body.body, scope)

    def exec_Try(self, node: cst.Try, scope: Scope) -> None:
        # The body may stop at any statement; handlers may run or not. Both are uncertain.
        branches = [(self.exec_block, node.body.body)]
        branches.extend((self.exec_block, handler.body.body) for handler in node.handlers)
        self.exec_branches(branches, scope, keep_first=True)
        if node.orelse is not None:
            self.exec_branches([(self.exec_block, node.orelse.body.body), None], scope)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, scope)

    exec_TryStar = exec_Try

    def exec_Match(self, node: cst.Match, scope: Scope) -> None:
        self.eval(node.subject, scope)
        branches = [(self.exec_block, case.body.body) for case in node.cases]
        self.exec_branches(branches + [None], scope)

    def exec_branches(self, branches: list, scope: Scope, keep_first: bool = False) -> None:
        """Run alternatives that may or may not happen, then keep what all of them agree on.

        branches: (method, node) pairs, called as method(node, scope); None is "nothing happens".

        keep_first: the first branch (a try body) almost always runs to the end; its
        bindings are kept when the other branches leave the name alone.
        """
        base = dict(scope.vars)
        outcomes = []
        frame_done = self.frames[-1].done if self.frames else False
        self.uncertain += 1
        try:
            for index, branch in enumerate(branches):
                scope.vars = dict(base)
                if self.frames:
                    self.frames[-1].done = frame_done
                if branch is None:
                    pass
                elif keep_first and index == 0:
                    self.uncertain -= 1
                    try:
                        branch[0](branch[1], scope)
                    finally:
                        self.uncertain += 1
                else:
                    branch[0](branch[1], scope)
                outcomes.append(scope.vars)
        finally:
            self.uncertain -= 1
        if self.frames:
            self.frames[-1].done = frame_done
        scope.vars = _merge(base, outcomes, keep_first)

    # -- binding ------------------------------------------------------------------------
    def bind(self, name: str, value: Value, scope: Scope) -> None:
        scope.vars[name] = value
        if scope is self.module_scope and self.recorder is not None:
            self.recorder.bound(name)
        dispatch.named(name, value, scope.is_module, self)

    def assign(self, target: cst.CSTNode, value: Value, scope: Scope, value_node) -> None:
        if isinstance(target, cst.Name):
            if isinstance(value, Const) and scope.is_module and value_node is not None:
                value = Const(value.value, Origin(value.origin.site, target.value))  # the program's own name for it
            elif isinstance(value, (Seq, DictValue)) and scope.is_module and value.origin.expr is None:
                value.origin = Origin(value.origin.site, target.value)  # the same object: mutations stay visible
            if isinstance(value, F.Model) and value.name_site is None:
                value.name_site = self.site(target)
            elif scope.is_module and getattr(value, "shape", None) is not None:  # an array, or labels in one
                self.facts.arrays.append((self.site(target), value))
            self.bind(target.value, value, scope)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = unpack(value, len(elements))
            starred = any(isinstance(element, cst.StarredElement) for element in elements)
            for index, element in enumerate(elements):
                item = UNKNOWN if items is None or starred else items[index]
                self.assign(element.value, item, scope, None)
        elif isinstance(target, cst.Subscript):
            container = self.eval(target.value, scope)
            dispatch.set_item(container, self._subscript_key(target, scope), value, self)
        elif isinstance(target, cst.Attribute):
            dispatch.set_attribute(self.eval(target.value, scope), target.attr.value, value, self)

    def _subscript_key(self, node: cst.Subscript, scope: Scope) -> Value:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return UNKNOWN
        return self.eval(node.slice[0].slice.value, scope)

    # -- expressions --------------------------------------------------------------------
    def eval(self, node: cst.BaseExpression | None, scope: Scope) -> Value:
        if node is None:
            return UNKNOWN
        self.steps += 1  # (tick, inlined: this is the hottest function)
        if self.steps > MAX_STEPS:
            raise BudgetExceeded()
        handler = _EVALUATORS.get(type(node))
        if handler is None:
            return UNKNOWN
        return handler(self, node, scope)

    def eval_Name(self, node: cst.Name, scope: Scope) -> Value:
        return scope.lookup(node.value)

    def literal(self, node: cst.CSTNode) -> Value:
        """A literal's value, made once per chunk (values are never mutated)."""
        literals = self.chunk.literals
        value = literals.get(node)
        if value is None:
            python_value = _literal_value(node)
            value = literals[node] = UNKNOWN if python_value is _NO else Const(python_value, Origin(self.site(node)))
        return value

    def eval_Integer(self, node: cst.Integer, scope: Scope) -> Value:
        return self.literal(node)

    eval_Float = eval_Integer
    eval_SimpleString = eval_Integer

    def eval_ConcatenatedString(self, node: cst.ConcatenatedString, scope: Scope) -> Value:
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        if (
            isinstance(left, Const)
            and isinstance(right, Const)
            and isinstance(left.value, str)
            and isinstance(right.value, str)
        ):
            return Const(left.value + right.value)
        return UNKNOWN

    def eval_FormattedString(self, node: cst.FormattedString, scope: Scope) -> Value:
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            value = self.eval(part.expression, scope)
            if part.format_spec or part.conversion or not isinstance(value, (Const, PathValue)):
                return UNKNOWN
            parts.append(str(value.value if isinstance(value, Const) else value.path))
        return Const("".join(parts))

    def eval_Attribute(self, node: cst.Attribute, scope: Scope) -> Value:
        base = self.eval(node.value, scope)
        if isinstance(base, Ref):
            return base.attr(node.attr.value)
        return dispatch.attribute(base, node.attr.value, node, self)

    def eval_Call(self, node: cst.Call, scope: Scope) -> Value:
        func = self.eval(node.func, scope)
        args = self.eval_args(node.args, scope)
        return self.call(func, args, node)

    def eval_args(self, arg_nodes, scope: Scope) -> CallArgs:
        """Evaluated arguments; `*args` of a known sequence and `**kwargs` of a known dict are expanded."""
        args = CallArgs([], {}, [], {}, starred=False)
        for arg in arg_nodes:
            value = self.eval(arg.value, scope)
            site = self.site(arg.value)
            if arg.star == "*":
                items = iterate(value)
                if items is None:
                    args.starred = True
                    continue
                for item in items:
                    args.positional.append(item)
                    args.positional_sites.append(_written_at(item) or site)
            elif arg.star == "**":
                if not (
                    isinstance(value, DictValue) and value.complete and all(isinstance(k, str) for k in value.items)
                ):
                    args.starred = True
                    continue
                for key, item in value.items.items():
                    args.keywords[key] = item
                    args.keyword_sites[key] = value.sites.get(key) or site
            elif arg.keyword is not None:
                args.keywords[arg.keyword.value] = value
                args.keyword_sites[arg.keyword.value] = site
            else:
                args.positional.append(value)
                args.positional_sites.append(site)
        return args

    def call(self, func: Value, args: CallArgs, node: cst.Call | None) -> Value:
        if isinstance(func, Function):
            return self.call_function(func, args, node)
        return dispatch.call(func, args, node, self)

    def call_function(self, function: Function, args: CallArgs, node) -> Value:
        self.count_call(function)
        if len(self.frames) >= MAX_CALL_DEPTH or any(f is function for f in self._active):
            return UNKNOWN
        scope = Scope(parent=function.scope)  # closures read their enclosing scopes' names
        self._bind_params(function, args, scope)
        frame = Frame(depth=self.uncertain)
        saved_chunk = self.chunk
        self.chunk = function.chunk
        self.frames.append(frame)
        self._active.append(function)
        try:
            body = function.node.body
            if isinstance(function.node, cst.Lambda):
                frame.returns.append(self.eval(body, scope))
            else:
                self.exec_block(body.body, scope)
                if not frame.done:
                    frame.returns.append(Const(None))
        finally:
            self.frames.pop()
            self._active.pop()
            self.chunk = saved_chunk
        result = frame.returns[0] if frame.returns else UNKNOWN
        for other in frame.returns[1:]:
            result = join(result, other)
        return result

    def _bind_params(self, function: Function, args: CallArgs, scope: Scope) -> None:
        params = function.node.params
        positional_params = list(params.posonly_params) + list(params.params)
        unknown_rest = args.starred
        for index, param in enumerate(positional_params):
            name = param.name.value
            if index < len(args.positional):
                value = args.positional[index]
            elif name in args.keywords:
                value = args.keywords[name]
            elif unknown_rest:
                value = UNKNOWN
            else:
                value = function.defaults.get(name, UNKNOWN)
            scope.vars[name] = value
        for param in params.kwonly_params:
            name = param.name.value
            if name in args.keywords:
                scope.vars[name] = args.keywords[name]
            else:
                scope.vars[name] = UNKNOWN if unknown_rest else function.defaults.get(name, UNKNOWN)
        if isinstance(params.star_arg, cst.Param):
            scope.vars[params.star_arg.name.value] = UNKNOWN
        if params.star_kwarg is not None:
            scope.vars[params.star_kwarg.name.value] = UNKNOWN

    def eval_Ellipsis(self, node: cst.Ellipsis, scope: Scope) -> Value:
        return ELLIPSIS_KEY

    def eval_Lambda(self, node: cst.Lambda, scope: Scope) -> Value:
        return Function(node, self.chunk, scope, {}, "<lambda>")

    def eval_Subscript(self, node: cst.Subscript, scope: Scope) -> Value:
        base = self.eval(node.value, scope)
        items = [self._subscript_item(element.slice, scope) for element in node.slice]
        key = items[0] if len(items) == 1 else IndexTuple(items)
        return dispatch.subscript(base, key, node, self)

    def _subscript_item(self, element, scope: Scope) -> Value:
        if isinstance(element, cst.Index):
            return self.eval(element.value, scope)
        bounds = [
            self.eval(part, scope) if part is not None else Const(None)
            for part in (element.lower, element.upper, element.step)
        ]
        if all(isinstance(b, Const) and (b.value is None or isinstance(b.value, int)) for b in bounds):
            return Const(slice(*(b.value for b in bounds)))
        return SOME_SLICE

    def eval_BinaryOperation(self, node: cst.BinaryOperation, scope: Scope) -> Value:
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        return dispatch.binary(_BINARY_OPS.get(type(node.operator)), left, right)

    def eval_UnaryOperation(self, node: cst.UnaryOperation, scope: Scope) -> Value:
        value = self.eval(node.expression, scope)
        if not isinstance(value, Const):
            return UNKNOWN
        try:
            if isinstance(node.operator, cst.Minus):
                return Const(-value.value)
            if isinstance(node.operator, cst.Plus):
                return Const(+value.value)
            if isinstance(node.operator, cst.Not):
                return Const(not value.value)
        except TypeError:
            return UNKNOWN
        return UNKNOWN

    def eval_BooleanOperation(self, node: cst.BooleanOperation, scope: Scope) -> Value:
        left = self.eval(node.left, scope)
        truth = self.truth(left)
        if isinstance(node.operator, cst.And):
            if truth is False:
                return left
            right = self.eval(node.right, scope)
            return right if truth is True else UNKNOWN
        if truth is True:
            return left
        right = self.eval(node.right, scope)
        return right if truth is False else UNKNOWN

    def eval_Comparison(self, node: cst.Comparison, scope: Scope) -> Value:
        left = self.eval(node.left, scope)
        result = True
        for target in node.comparisons:
            right = self.eval(target.comparator, scope)
            op = _COMPARE_OPS.get(type(target.operator))
            lv, rv = _python_value(left), _python_value(right)
            if op is None:
                return UNKNOWN
            if lv is _NO or rv is _NO:
                return dispatch.compare(op, left, right) if len(node.comparisons) == 1 else UNKNOWN
            try:
                if not op(lv, rv):
                    result = False
            except TypeError:
                return UNKNOWN
            left = right
        return Const(result)

    def eval_IfExp(self, node: cst.IfExp, scope: Scope) -> Value:
        truth = self.truth(self.eval(node.test, scope))
        if truth is True:
            return self.eval(node.body, scope)
        if truth is False:
            return self.eval(node.orelse, scope)
        return join(self.eval(node.body, scope), self.eval(node.orelse, scope))

    def eval_Tuple(self, node: cst.Tuple, scope: Scope) -> Value:
        return self._sequence(node, scope, "tuple")

    def eval_List(self, node: cst.List, scope: Scope) -> Value:
        return self._sequence(node, scope, "list")

    def _sequence(self, node, scope: Scope, kind: str) -> Value:
        items = []
        complete = True
        for element in node.elements:
            value = self.eval(element.value, scope)
            if isinstance(element, cst.StarredElement):
                expanded = iterate(value)
                if expanded is None:
                    complete = False
                    items.append(UNKNOWN)
                else:
                    items.extend(expanded)
            else:
                items.append(value)
        return Seq(items, kind, Origin(self.site(node)), complete, self.uncertain)

    def eval_Dict(self, node: cst.Dict, scope: Scope) -> Value:
        result = DictValue({}, origin=Origin(self.site(node)), depth=self.uncertain)
        for element in node.elements:
            value = self.eval(element.value, scope)
            if isinstance(element, cst.DictElement):
                key = self.eval(element.key, scope)
                if isinstance(key, Const):
                    result.items[key.value] = value
                    result.sites[key.value] = self.site(element.value)
                else:
                    result.complete = False
            elif isinstance(value, DictValue):  # {**common, "key": value}
                result.items.update(value.items)
                result.sites.update(value.sites)
                result.complete = result.complete and value.complete
            else:
                result.complete = False
        return result

    def eval_NamedExpr(self, node: cst.NamedExpr, scope: Scope) -> Value:
        value = self.eval(node.value, scope)
        self.assign(node.target, value, scope, node.value)
        return value

    def eval_comprehension(self, node, scope: Scope) -> Value:
        """A comprehension over known, short sequences, evaluated item by item (`{c: i for i, c in
        enumerate(CLASSES)}`); anything else is UNKNOWN."""
        results: list = []
        if not self._comprehend(node.for_in, node, Scope(parent=scope), results):
            return UNKNOWN
        if isinstance(node, cst.DictComp):
            keys = [key for key, _ in results]
            if not all(isinstance(key, Const) for key in keys):
                return UNKNOWN
            items = {key.value: value for key, value in results}
            return DictValue(items, origin=Origin(self.site(node)), depth=self.uncertain)
        if isinstance(node, cst.SetComp):
            return UNKNOWN
        return Seq(results, "list", Origin(self.site(node)), depth=self.uncertain)

    def _comprehend(self, clause: cst.CompFor, node, scope: Scope, results: list) -> bool:
        """Run one `for` clause (and the ones nested in it); False when something is not known."""
        items = iterate(self.eval(clause.iter, scope))
        if items is None or len(results) + len(items) > MAX_COMPREHENSION or clause.asynchronous is not None:
            return False
        for item in items:
            self.assign(clause.target, item, scope, None)
            keep = True
            for condition in clause.ifs:
                truth = self.truth(self.eval(condition.test, scope))
                if truth is None:
                    return False
                keep = keep and truth
            if not keep:
                continue
            if clause.inner_for_in is not None:
                if not self._comprehend(clause.inner_for_in, node, scope, results):
                    return False
            elif isinstance(node, cst.DictComp):
                results.append((self.eval(node.key, scope), self.eval(node.value, scope)))
            else:
                results.append(self.eval(node.elt, scope))
            if len(results) > MAX_COMPREHENSION:
                return False
        return True

    def eval_Await(self, node: cst.Await, scope: Scope) -> Value:
        self.eval(node.expression, scope)
        return UNKNOWN

    # -- helpers ------------------------------------------------------------------------
    def truth(self, value: Value) -> bool | None:
        if isinstance(value, Const):
            try:
                return bool(value.value)
            except Exception:
                return None
        if isinstance(value, Seq) and value.complete:
            return bool(value.items)
        return None

    @property
    def certain(self) -> bool:
        return self.uncertain == 0

    def mutation_is_certain(self, depth: int) -> bool:
        """Whether a mutation of an object made at `depth` happens for sure when this code runs."""
        return self.uncertain <= depth


_NO = object()


def _literal_value(node: cst.CSTNode):
    try:
        if isinstance(node, cst.Integer):
            return int(node.value.replace("_", ""), 0)
        if isinstance(node, cst.Float):
            return float(node.value.replace("_", ""))
        raw = node.value
        quote = raw[-1]
        if raw[0] == quote and "\\" not in raw and raw[:3] != quote * 3:
            return raw[1:-1]  # the common case, without libcst's literal_eval
        value = node.evaluated_value
    except Exception:  # malformed literals mid-edit
        return _NO
    return _NO if isinstance(value, bytes) else value


def _python_value(value: Value):
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq) and value.complete and all(isinstance(i, Const) for i in value.items):
        return tuple(i.value for i in value.items)
    return _NO


def _merge(base: dict, outcomes: list[dict], keep_first: bool) -> dict:
    names = set(base)
    for outcome in outcomes:
        names.update(outcome)
    merged = {}
    for name in names:
        values = [outcome.get(name, base.get(name, _MISSING)) for outcome in outcomes]
        if keep_first and all(v is base.get(name, _MISSING) for v in values[1:]):
            merged[name] = values[0]
            continue
        first = values[0]
        if first is _MISSING:
            continue
        if all(v is not _MISSING and same_value(first, v) for v in values[1:]):
            merged[name] = first
        else:
            merged[name] = UNKNOWN
    for name, value in list(merged.items()):
        if value is _MISSING:
            del merged[name]
    return merged


_MISSING = object()


def _written_at(value: Value) -> Site | None:
    """Where a known value was written, if it says."""
    origin = getattr(value, "origin", None)
    return origin.site if origin is not None else None


def _asname(alias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def _dotted(node) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _all_params(params: cst.Parameters):
    yield from params.posonly_params
    yield from params.params
    yield from params.kwonly_params


def _binding(node: cst.FunctionDef) -> str:
    for decorator in node.decorators:
        name = decorator.decorator
        name = name.attr.value if isinstance(name, cst.Attribute) else getattr(name, "value", None)
        if name in ("staticmethod", "classmethod", "property"):
            return {"staticmethod": "static", "classmethod": "class"}.get(name, name)
    return "method"


def _breaks(block) -> bool:
    """Whether a loop body may leave early (then unrolling it would claim too much)."""
    stack = list(block.body) if hasattr(block, "body") else []
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Break, cst.Return, cst.Raise, cst.Continue)):
            return True
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.For, cst.While)):
            continue
        stack.extend(node.children)
    return False


_EVALUATORS = {
    cst.Name: Interpreter.eval_Name,
    cst.Integer: Interpreter.eval_Integer,
    cst.Float: Interpreter.eval_Float,
    cst.SimpleString: Interpreter.eval_SimpleString,
    cst.ConcatenatedString: Interpreter.eval_ConcatenatedString,
    cst.FormattedString: Interpreter.eval_FormattedString,
    cst.Attribute: Interpreter.eval_Attribute,
    cst.Call: Interpreter.eval_Call,
    cst.Lambda: Interpreter.eval_Lambda,
    cst.Ellipsis: Interpreter.eval_Ellipsis,
    cst.Subscript: Interpreter.eval_Subscript,
    cst.BinaryOperation: Interpreter.eval_BinaryOperation,
    cst.UnaryOperation: Interpreter.eval_UnaryOperation,
    cst.BooleanOperation: Interpreter.eval_BooleanOperation,
    cst.Comparison: Interpreter.eval_Comparison,
    cst.IfExp: Interpreter.eval_IfExp,
    cst.Tuple: Interpreter.eval_Tuple,
    cst.List: Interpreter.eval_List,
    cst.Dict: Interpreter.eval_Dict,
    cst.NamedExpr: Interpreter.eval_NamedExpr,
    cst.ListComp: Interpreter.eval_comprehension,
    cst.SetComp: Interpreter.eval_comprehension,
    cst.DictComp: Interpreter.eval_comprehension,
    cst.GeneratorExp: Interpreter.eval_comprehension,
    cst.Await: Interpreter.eval_Await,
}

_COMPOUND = {
    cst.FunctionDef: Interpreter.exec_FunctionDef,
    cst.ClassDef: Interpreter.exec_ClassDef,
    cst.If: Interpreter.exec_If,
    cst.For: Interpreter.exec_For,
    cst.While: Interpreter.exec_While,
    cst.With: Interpreter.exec_With,
    cst.Try: Interpreter.exec_Try,
    cst.TryStar: Interpreter.exec_TryStar,
    cst.Match: Interpreter.exec_Match,
}
