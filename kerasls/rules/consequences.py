"""What a training's head/loss/label configuration does at fit time, as it was measured.

The experiment matrix (scripts/experiments/matrix.py, compiled into knowledge/outcomes.json)
ran every configuration — label kind, class count, final units and activation, loss and
`from_logits`, data pipeline — under Keras 3 and Keras 2, with each accuracy metric compiled.
A message states what fit does only for the configuration the analysis found (`setups`):
the entry measured for it, or, for a class count that was not measured, what the same
configuration's structure decides at every measured class count, when they all agree.
Error texts are quoted with the user's numbers, and only when their template was verified
at other numbers; what the entries do not all say is not said.

One root cause, one statement: when several rules fire on the same training, the first
(most severe, then by code) carries the consequence and the others point at it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from ..engine.trainings import Training
from ..knowledge import outcomes
from ..text.diagnostics import Diagnostic, Related, Severity
from .setups import Setup, setup_of

LINES = (("keras3", "Keras 3"), ("tf_keras", "Keras 2"))
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_USER_WORDS = {"batch": "batch", "last_batch": "batch", "val_last_batch": "batch", "N": "N", "N_val": "N"}
_STAGES = {"compile": "at compile", "first_step": "at the first step", "later": "after the first epoch"}
_LOSS_FLAGS = {
    "zero": "the loss is exactly 0 every epoch",
    "negative": "the loss goes negative",
    "nan": "the loss becomes NaN",
    "constant": "the loss does not move",
}
_METRIC_NAMES = {
    "binary_accuracy": "binary accuracy",
    "categorical_accuracy": "categorical accuracy",
    "sparse_categorical_accuracy": "sparse categorical accuracy",
}


@dataclass(frozen=True)
class Claim:
    """What fit does on one Keras line, as far as every entry standing for the setup agrees."""

    raises: tuple | None  # (stage, error type, rendered text or None, template)
    loss: frozenset = frozenset()
    metrics: tuple = ()  # (name as written, resolves to, constant value text or None, constant)
    learns: bool | None = None
    sums_to_one: bool | None = None


@lru_cache(maxsize=1)
def _measured_ks() -> tuple[int, ...]:
    found = set()
    for records in outcomes().get("lines", {}).values():
        for key in records:
            k = key.split(",K=", 1)[1].split(",", 1)[0]
            if k.isdigit() and int(k) > 2:
                found.add(int(k))
    return tuple(sorted(found))


def _entry(line: str, key: str) -> list | None:
    """One measured entry. The shipped file keeps each entry as a JSON string, read when first asked
    for: loading it then creates some ten thousand strings instead of half a million objects."""
    entry = outcomes().get("lines", {}).get(line, {}).get(key)
    return _decoded(entry) if isinstance(entry, str) else entry


@lru_cache(maxsize=4096)
def _decoded(text: str) -> list:
    return json.loads(text)


def entries(setup: Setup, line: str) -> list[tuple[Setup, list]]:
    """The measured entries that stand for a setup on a line (empty when none do)."""
    exact = _entry(line, setup.key())
    if exact is not None:
        return [(setup, exact)]
    if setup.K is None or setup.K <= 2 or setup.relation is None:
        return []
    found = []
    for K in _measured_ks():
        other = setup.at(K)
        if other.relation == setup.relation and (entry := _entry(line, other.key())) is not None:
            found.append((other, entry))
    return found


def claim(setup: Setup, line: str) -> Claim | None:
    """What every entry for the setup says fit does on this line, or None when they disagree or none exist.

    At a class count that was not measured, only what the configuration's structure decides
    carries over (which error, at which stage; a loss that is exactly 0; outputs that sum to 1
    or not). Where training ends up (plateaus, NaN, learning) depends on the run: re-measured at
    other class counts it changed, so it is stated only for measured ones.
    """
    found = entries(setup, line)
    if not found:
        return None
    claims = {entry_claim(setup, measured, entry) for measured, entry in found}
    if found[0][0] != setup:
        claims = {structural(c) for c in claims}
    return claims.pop() if len(claims) == 1 else None


def generalised(setup: Setup, line: str) -> bool:
    """Whether the claim for the setup comes from other class counts (it was not measured itself)."""
    found = entries(setup, line)
    return bool(found) and found[0][0] != setup


def structural(c: Claim) -> Claim:
    """The part of a claim that the configuration's structure decides, whatever the run."""
    if c.raises is not None:
        return c
    return Claim(None, c.loss & {"zero"}, (), None, c.sums_to_one)


def entry_claim(setup: Setup, measured: Setup, entry: list) -> Claim:
    if entry[0] == "raises":
        return Claim(_raised(setup, entry))
    _, flags, metrics, real = entry
    stated = []
    for name in setup.metrics:
        m = metrics.get(name)
        if m is None:
            continue
        if m[0] == "raises":  # compiling this metric makes fit raise: that is what happens first
            return Claim(_raised(setup, m))
        _, resolves, last, constant = m
        stated.append((name, resolves, _formula(last, measured.K, setup.K) if constant else None, bool(constant)))
    learns, sums, *_ = real
    if setup.activation != "sigmoid":
        sums = None  # logits and relu/tanh outputs are not meant to sum to 1: saying so would mislead
    return Claim(None, frozenset(flags), tuple(stated), learns, sums)


def _raised(setup: Setup, entry: list) -> tuple:
    _, stage, error_type, template, verified = entry
    text = render(template, setup) if verified and template else None
    return (stage, error_type, text, template if text else None)


def render(template: str, setup: Setup) -> str | None:
    """An error text with the user's numbers; None when it names a number of the experiment's own model."""
    numbers = {"K": setup.K, "units": setup.units, "K_minus_1": setup.K - 1 if setup.K else None}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if numbers.get(name) is not None:
            return str(numbers[name])
        if name in _USER_WORDS:
            return _USER_WORDS[name]
        raise KeyError(name)

    try:
        return _PLACEHOLDER.sub(fill, template)
    except KeyError:
        return None


def _formula(value, measured_k: int | None, k: int | None) -> str | None:
    """A metric stuck at a value its arithmetic explains, restated for the user's class count."""
    if value is None:
        return None
    if value == 0:
        return "0"
    if value == 1:
        return "1.0"
    if measured_k and k and measured_k > 1 and abs(value - (measured_k - 1) / measured_k) < 5e-4:
        return f"(K-1)/K = {k - 1}/{k} = {(k - 1) / k:.4f}"
    if measured_k and k and abs(value - 1 / measured_k) < 5e-4:
        return f"1/K = 1/{k} = {1 / k:.4f}"
    return None


def describe(c: Claim) -> str:
    if c.raises is not None:
        stage, error_type, text, _ = c.raises
        where = _STAGES.get(stage, "while training")
        return f'fit raises {error_type} {where}: "{text}"' if text else f"fit raises {error_type} {where}"
    flags = c.loss - {"constant"} if "zero" in c.loss else c.loss  # exactly 0 every epoch says it all
    parts = [_LOSS_FLAGS[flag] for flag in ("zero", "negative", "nan", "constant") if flag in flags]
    for name, resolves, value, constant in c.metrics:
        shown = f"'{name}'" + (f" ({_METRIC_NAMES.get(resolves, resolves)} here)" if resolves != name else "")
        if value is not None:
            parts.append(f"{shown} is stuck at {value}")
        elif constant:
            parts.append(f"{shown} does not move")
    if c.learns is False:
        parts.append("its predictions stayed at chance level in the measured run")
    if c.sums_to_one is False:
        parts.append("predict() returns outputs that do not sum to 1")
    if not parts:
        return "fit trains without an error"
    return "fit trains without an error, but " + _join(parts)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def statement(setup: Setup, keras: int | None) -> str | None:
    """The measured consequence on the user's Keras line (or on both when unknown); None if not measured."""
    described = []
    for line, label in LINES:
        if (keras == 3 and line != "keras3") or (keras == 2 and line != "tf_keras"):
            continue
        found = claim(setup, line)
        if found is None:
            return None
        described.append((label, describe(found)))
    if len(described) == 2 and described[0][1] == described[1][1]:
        return f"Measured on Keras 3 and Keras 2: {described[0][1]}."
    return " ".join(f"Measured on {label}: {text}." for label, text in described)


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFORMATION: 2, Severity.HINT: 3}


@dataclass(frozen=True)
class About:
    """What a finding is about once the analysis is done: the training's configuration (None when
    not known). Findings outlive their analysis in the server; the training itself would keep the
    whole interpreted program alive with them."""

    setup: Setup | None


def attach(diagnostics: list[Diagnostic], keras: int | None) -> None:
    """Put each training's measured consequence on one of its findings; the others point there."""
    groups: dict[int, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if isinstance(diagnostic.topic, Training):
            groups.setdefault(id(diagnostic.topic), []).append(diagnostic)
    for group in groups.values():
        setup = setup_of(group[0].topic)
        about = About(setup)
        for diagnostic in group:
            diagnostic.topic = about
        text = statement(setup, keras) if setup is not None else None
        if text is None:
            continue
        primary = min(group, key=lambda d: (_ORDER[d.severity], d.code))
        primary.message = f"{primary.message}\n{text}"
        line = primary.span.start.line + 1
        for other in group:
            if other is not primary:
                other.message = f"{other.message}\nWhat fit then does is under {primary.code} (line {line})."
                headline = primary.message.splitlines()[0]
                other.related.append(Related(primary.span, f"{primary.code}: {headline}", primary.path))
