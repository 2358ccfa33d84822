"""The analysis core: source text in; facts, diagnostics and fixes out.

Pure: no printing, no LSP, no writes. What it needs from the machine comes from the
Host the caller passes in.
"""
from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, Severity
from .heads import head_of
from .host import Host, NullHost
from .interpreter import Interpreter
from .knowledge import Knowledge, keras
from .library import Library
from .rules import RULES, SYNTAX_ERROR
from .rules.base import Context, Training
from .runtime import Runtime, resolve
from .settings import Settings
from .shapes import summarize_models
from .source import Source, SyntaxProblem, _python_syntax_problem

_SUPPRESSION = re.compile(r"#\s*kerasls:\s*ignore(?:\[([^\]]*)\])?", re.IGNORECASE)


@dataclass
class RuleFailure:
    code: str
    error: BaseException


@dataclass
class Analysis:
    text: str
    diagnostics: list[Diagnostic]
    syntax: SyntaxProblem | None = None
    source: Source | None = None
    interpreter: Interpreter | None = None
    trainings: list[Training] = field(default_factory=list)
    runtime: Runtime | None = None
    failures: list[RuleFailure] = field(default_factory=list)
    shape_summaries: list | None = field(default=None, repr=False)  # filled on demand by shapes.summarize_all

    @property
    def uses_keras(self) -> bool:
        return self.interpreter is not None

    def release(self) -> None:
        """Free what only this analysis needs (call when a newer analysis replaces it)."""
        if self.interpreter is not None:
            self.interpreter.release()


def analyze(
    text: str,
    host: Host | None = None,
    settings: Settings | None = None,
    knowledge: Knowledge | None = None,
    previous: Analysis | None = None,
    barriers: list[int] | None = None,
) -> Analysis:
    """Analyse a module. `previous`, the analysis of an earlier version, lets unchanged
    statements keep what was computed for them. `barriers` are the first lines of notebook
    cells: each cell parses on its own, and a cell that does not parse is reported while the
    others are still analysed (as Jupyter runs them)."""
    host = host or NullHost()
    settings = settings or Settings()
    knowledge = knowledge or keras()
    if "keras" not in text and "tensorflow" not in text and not barriers:
        problem = _quick_syntax_check(text)
        return Analysis(text, _finish([_syntax_diagnostic(problem)] if problem else [], text, settings), problem)
    source = Source(text, previous=previous.source if previous is not None else None, barriers=barriers)
    syntax = [_syntax_diagnostic(problem) for problem in source.syntax_problems]
    if syntax and not barriers:
        problem = source.syntax_problem
        return Analysis(text, _finish(syntax[:1], text, settings), problem, source)
    library = Library(knowledge, host)
    interpreter = Interpreter(source, library)
    interpreter.run()
    runtime = resolve(host.installation(), library.imports, interpreter.environ)
    trainings = build_trainings(interpreter, knowledge)
    summaries = summarize_models(interpreter.models, trainings, knowledge, not interpreter.trainable_unknown)
    context = Context(source, knowledge, runtime, interpreter, {id(s.model): s for s in summaries})
    context.trainings = trainings
    diagnostics, failures = run_rules(trainings, context, settings)
    analysis = Analysis(text, _finish(syntax + diagnostics, text, settings), None, source, interpreter, trainings, runtime, failures)
    analysis.shape_summaries = summaries
    return analysis


def build_trainings(interpreter: Interpreter, knowledge: Knowledge) -> list[Training]:
    """Pair every model with the compile in force and the labels it is fit on."""
    heads = {}

    def head(model):
        if id(model) not in heads:
            heads[id(model)] = head_of(model, knowledge)
        return heads[id(model)]

    trainings: list[Training] = []
    seen: set[tuple] = set()
    fitted: set[int] = set()
    for fit in interpreter.fits:
        key = (id(fit.model), id(fit.compile), id(fit.labels))
        fitted.add(id(fit.model))
        if key in seen:
            continue
        seen.add(key)
        trainings.append(Training(fit.model, head(fit.model), fit.compile, fit.labels, fit.validation, fit))
    for model in interpreter.models:
        if id(model) not in fitted:  # compiled (or just built) but never fit: label-free rules still apply
            trainings.append(Training(model, head(model), model.current_compile, None, None, None))
    return trainings


def run_rules(trainings: list[Training], context: Context, settings: Settings):
    diagnostics: list[Diagnostic] = []
    failures: list[RuleFailure] = []
    seen: set[tuple] = set()
    for rule in RULES:
        if not settings.enabled(rule.code, rule.name):
            continue
        try:
            found = list(rule.check_module(context))
            for training in trainings:
                found.extend(rule.check(training, context))
        except Exception as error:  # a bug in one rule costs only that rule's findings
            failures.append(RuleFailure(rule.code, error))
            continue
        for diagnostic in found:
            key = (diagnostic.code, diagnostic.span)
            if key not in seen:
                seen.add(key)
                diagnostics.append(diagnostic)
    return diagnostics, failures


def _finish(diagnostics: list[Diagnostic], text: str, settings: Settings) -> list[Diagnostic]:
    """Apply selection, severity overrides and suppression comments; sort."""
    suppressed = _suppressions(text) if "kerasls" in text else {}
    kept = []
    for diagnostic in diagnostics:
        if not settings.enabled(diagnostic.code, diagnostic.name):
            continue
        if _is_suppressed(diagnostic, suppressed):
            continue
        diagnostic.severity = settings.severity_for(diagnostic.code, diagnostic.name, diagnostic.severity)
        kept.append(diagnostic)
    kept.sort(key=Diagnostic.sort_key)
    return kept


def _suppressions(text: str) -> dict[int, set[str] | None]:
    found: dict[int, set[str] | None] = {}
    for number, line in enumerate(text.splitlines()):
        match = _SUPPRESSION.search(line)
        if match is None:
            continue
        codes = match.group(1)
        found[number] = None if codes is None else {c.strip().upper() for c in codes.split(",") if c.strip()}
    return found


def _is_suppressed(diagnostic: Diagnostic, suppressed: dict[int, set[str] | None]) -> bool:
    for line in {diagnostic.span.start.line, diagnostic.span.end.line}:
        if line in suppressed:
            codes = suppressed[line]
            if codes is None or diagnostic.code in codes:
                return True
    return False


def _syntax_diagnostic(problem: SyntaxProblem) -> Diagnostic:
    return Diagnostic(SYNTAX_ERROR.code, SYNTAX_ERROR.name, Severity.ERROR, problem.message, problem.span)


def _quick_syntax_check(text: str) -> SyntaxProblem | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<kerasls>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return _python_syntax_problem(text, error)
    return None
