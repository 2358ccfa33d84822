"""What a rule is (code, name, severity, doc, examples, a check over one training setup),
and the context every rule sees."""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from ..engine.facts import Facts, Model
from ..engine.runtime import Runtime
from ..engine.shapes import ModelSummary
from ..engine.trainings import Training
from ..engine.values import Site
from ..knowledge import Knowledge, keras
from ..text.diagnostics import Diagnostic, Fix, Related, Severity
from ..text.source import Source

DOCS_URL = "https://github.com/kerasls/kerasls/blob/main/docs/rules.md"


def rule_url(code: str) -> str:
    """Where a rule's documentation is (codeDescription.href, SARIF helpUri)."""
    return f"{DOCS_URL}#{code.lower()}"


@dataclass(frozen=True)
class Example:
    """A program for a rule's doc and tests; `fixed` is what the preferred fix makes of it."""

    code: str
    fixed: str | None = None
    folders: dict = field(default_factory=dict)  # directory -> class folder names, for the fake host


class Context:
    """What rules see besides one training: the whole program's facts, Keras knowledge, the runtime,
    model summaries, and how to write code in this file."""

    def __init__(
        self,
        source: Source,
        knowledge: Knowledge,
        runtime: Runtime,
        facts: Facts,
        trainings: list[Training],
        summaries: list[ModelSummary],
    ):
        self.source = source
        self.keras = knowledge
        self.runtime = runtime
        self.facts = facts
        self.trainings = trainings
        self._summaries = {id(s.model): s for s in summaries}

    def sharing_loss(self, training: Training) -> list[Training]:
        """Other trainings compiled with the same loss object or the same written loss."""
        loss = training.loss
        if loss is None:
            return []
        return [
            t
            for t in self.trainings
            if t is not training
            and t.loss is not None
            and (t.loss is loss or t.loss.site.node is loss.site.node)
            and t.model is not training.model
        ]

    def summary(self, model: Model) -> ModelSummary | None:
        return self._summaries.get(id(model))

    def on_keras(self, keras3: str, keras2: str) -> str:
        """The consequence on the user's Keras line, or both when it is unknown."""
        if self.runtime.keras == 3:
            return keras3
        if self.runtime.keras == 2:
            return keras2
        return (
            f"On Keras 3: {_lower_first(keras3)} On Keras 2 (tf.keras up to TF 2.15, tf_keras): {_lower_first(keras2)}"
        )

    def string(self, text: str) -> str:
        quote = self.source.quote
        return f"{quote}{text}{quote}"

    def measured(self, code: str, *path: str, default=None):
        node = self.keras.measured_for(code)
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    def module_path(self, submodule: str) -> str | None:
        """How this file can spell keras.<submodule> with the names it already imports."""
        return self.facts.module_path(submodule)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


class Rule:
    """Base class: subclasses set the class attributes and implement check()."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line for `kerasls rules`
    severity_varies: ClassVar[bool] = False  # the severity follows the user's Keras line or backend
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    def check(self, training: Training, ctx: Context) -> Iterable[Diagnostic]:
        """Findings about one model with its compile and labels."""
        return ()

    def check_module(self, ctx: Context) -> Iterable[Diagnostic]:
        """Findings about the module as a whole (deprecated calls), once per analysis."""
        return ()

    def diagnostic(
        self,
        site: Site,
        message: str,
        related: list[tuple[Site | None, str]] = (),
        fixes: list[Fix] = (),
        severity: Severity | None = None,
        training: Training | None = None,
    ) -> Diagnostic:
        """A finding at `site`. With `training`, it is about that training's configuration: its measured
        consequence is added once for all such findings (see `consequences`)."""
        seen = set()
        places = []
        for where, note in related:
            if where is None:
                continue
            span = where.span
            if (where.path, span, note) in seen or (where.path == site.path and span == site.span):
                continue
            seen.add((where.path, span, note))
            places.append(Related(span, note, where.path))
        severity = severity or self.severity
        message = "\n".join(line.strip() for line in message.strip().splitlines() if line.strip())
        return Diagnostic(
            self.code, self.name, severity, message, site.span, places, list(fixes), site.path, topic=training
        )

    @classmethod
    def doc(cls, knowledge: Knowledge | None = None) -> str:
        """The rule's documentation: its docstring with measured numbers filled in."""
        text = textwrap.dedent(inspect.getdoc(cls) or "")
        if knowledge is None:
            knowledge = keras()
        return _fill_measurements(text, knowledge.measured_for(cls.code))


_PLACEHOLDER = re.compile(r"\{measured(?:\.([\w.\-]+))\}")


def _fill_measurements(text: str, measured: dict) -> str:
    def lookup(match: re.Match) -> str:
        node = measured
        for key in match.group(1).split("."):
            if not isinstance(node, dict) or key not in node:
                return "(not measured)"
            node = node[key]
        if isinstance(node, float):
            text = f"{node:.5f}".rstrip("0")
            return text + "0" if text.endswith(".") else text
        if isinstance(node, list):
            return ", ".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in node)
        return str(node)

    return _PLACEHOLDER.sub(lookup, text)
