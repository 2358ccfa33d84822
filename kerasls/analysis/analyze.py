"""The analysis core: source text in; facts, diagnostics and fixes out.

Pure: no printing, no LSP, no writes. What it needs from the machine comes from the
Host the caller passes in.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from ..engine import interpret
from ..engine.facts import Facts
from ..engine.host import Host, NullHost
from ..engine.modules import LIBRARIES
from ..engine.runtime import Runtime, resolve
from ..engine.shapes import ModelSummary, summarize_models
from ..engine.trainings import Training, pair_trainings
from ..knowledge import Knowledge, keras
from ..rules import RULES, SYNTAX_ERROR, consequences
from ..rules.api import Context
from ..text.diagnostics import Diagnostic, Severity
from ..text.source import Source, SyntaxProblem, python_syntax_problem
from .settings import Settings
from .suppressions import is_suppressed, suppressions


@dataclass
class RuleFailure:
    code: str
    error: BaseException


@dataclass
class Analysis:
    text: str
    diagnostics: list[Diagnostic]
    syntax: SyntaxProblem | None = None  # the whole text did not parse: nothing else was analysed
    source: Source | None = None
    facts: Facts | None = None  # None when the text does not use Keras, or did not parse
    trainings: list[Training] = field(default_factory=list)
    summaries: list[ModelSummary] = field(default_factory=list)
    runtime: Runtime | None = None
    knowledge: Knowledge | None = None
    failures: list[RuleFailure] = field(default_factory=list)

    @property
    def uses_keras(self) -> bool:
        return self.facts is not None

    @property
    def syntax_errors(self) -> int:
        """How many parts of the text do not parse (a notebook's cells each count)."""
        if self.source is not None:
            return len(self.source.syntax_problems)
        return int(self.syntax is not None)

    def release(self) -> None:
        """Free what only this analysis needs (call when a newer analysis replaces it)."""
        if self.facts is not None:
            self.facts.release()


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
    if "keras" not in text and "tensorflow" not in text and not barriers and not _imports_project(text, host):
        problem = _quick_syntax_check(text)
        return Analysis(text, _finish([_syntax_diagnostic(problem)] if problem else [], text, settings), problem)
    source = Source(text, previous=previous.source if previous is not None else None, barriers=barriers)
    syntax = [_syntax_diagnostic(problem) for problem in source.syntax_problems]
    if syntax and not barriers:
        return Analysis(text, _finish(syntax[:1], text, settings), source.syntax_problem, source)
    facts = interpret(source, knowledge, host, previous.facts if previous is not None else None)
    runtime = resolve(host.installation(), facts.imports, facts.environ)
    trainings = pair_trainings(facts, knowledge)
    summaries = summarize_models(facts.models, trainings, knowledge, not facts.trainable_unknown)
    context = Context(source, knowledge, runtime, facts, trainings, summaries)
    diagnostics, failures = run_rules(context, settings)
    kept = _finish(syntax + diagnostics, text, settings, {path: file.text for path, file in facts.modules.items()})
    consequences.attach(kept, runtime.keras)  # after selection and suppression: on a finding the user sees
    return Analysis(
        text,
        kept,
        None,
        source,
        facts,
        trainings,
        summaries,
        runtime,
        knowledge,
        failures,
    )


def run_rules(context: Context, settings: Settings) -> tuple[list[Diagnostic], list[RuleFailure]]:
    diagnostics: list[Diagnostic] = []
    failures: list[RuleFailure] = []
    seen: set[tuple] = set()
    for rule in RULES:
        if not settings.enabled(rule.code, rule.name):
            continue
        try:
            found = list(rule.check_module(context))
            for training in context.trainings:
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


def _finish(
    diagnostics: list[Diagnostic], text: str, settings: Settings, others: dict[str, str] | None = None
) -> list[Diagnostic]:
    """Apply selection, severity overrides and suppression comments (in the file each finding is in); sort."""
    suppressed = {None: suppressions(text)}
    kept = []
    for diagnostic in diagnostics:
        if not settings.enabled(diagnostic.code, diagnostic.name):
            continue
        path = diagnostic.path
        if path not in suppressed:
            suppressed[path] = suppressions((others or {}).get(path, ""))
        if is_suppressed(diagnostic, suppressed[path]):
            continue
        diagnostic.severity = settings.severity_for(diagnostic.code, diagnostic.name, diagnostic.severity)
        kept.append(diagnostic)
    kept.sort(key=Diagnostic.sort_key)
    return kept


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import|import[ \t]+([\w.]+))", re.MULTILINE)


def _imports_project(text: str, host: Host) -> bool:
    """Whether a file that never names Keras imports one of the project's own modules (which may)."""
    for dots, module, name in _IMPORT.findall(text):
        target = module if dots or module else name
        if not dots and target.split(".")[0] in LIBRARIES:
            continue
        if host.find_module(target, len(dots)) is not None:
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
        return python_syntax_problem(text, error)
    return None
