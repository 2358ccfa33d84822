"""What the program trains: each model with the compile in force and the labels it is fit on.

A rule looks at one Training at a time; any part may be missing (a model compiled but never
fit, a fit whose labels are unknown), and a rule only speaks about the parts it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge import LOSS_FAMILIES, Knowledge
from . import facts as F
from .heads import Head, head_of


@dataclass(eq=False)
class Training:
    """One model with the compile in force and the labels it is fit on (any part may be missing)."""

    model: F.Model
    head: Head | None
    compile: F.Compile | None
    labels: F.Labels | None
    validation: F.Labels | None
    fit: F.Fit | None

    @property
    def loss(self) -> F.Loss | None:
        if self.compile is None or self.compile.conditional:
            return None
        return self.compile.loss if isinstance(self.compile.loss, F.Loss) else None

    @property
    def loss_family(self) -> str | None:
        loss = self.loss
        return LOSS_FAMILIES.get(loss.function) if loss else None

    @property
    def metrics(self) -> list[F.Metric]:
        if self.compile is None or self.compile.conditional or not self.compile.metrics:
            return []
        return [m for m in self.compile.metrics if isinstance(m, F.Metric)]

    @property
    def width(self) -> int | None:
        return self.head.width if self.head else None

    @property
    def activation(self) -> str | None:
        return self.head.activation if self.head else None


def pair_trainings(facts: F.Facts, knowledge: Knowledge) -> list[Training]:
    """Pair every model with the compile in force and the labels it is fit on."""
    heads: dict[int, Head | None] = {}

    def head(model: F.Model) -> Head | None:
        if id(model) not in heads:
            heads[id(model)] = head_of(model, knowledge)
        return heads[id(model)]

    trainings: list[Training] = []
    seen: set[tuple] = set()
    fitted: set[int] = set()
    for fit in facts.fits:
        key = (id(fit.model), id(fit.compile), id(fit.labels))
        fitted.add(id(fit.model))
        if key in seen:
            continue
        seen.add(key)
        trainings.append(Training(fit.model, head(fit.model), fit.compile, fit.labels, fit.validation, fit))
    for model in facts.models:
        if id(model) not in fitted:  # compiled (or just built) but never fit: label-free rules still apply
            trainings.append(Training(model, head(model), model.current_compile, None, None, None))
    return trainings
