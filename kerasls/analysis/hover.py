"""What kerasls inferred at a position, for hovers: Markdown, or plain text for editors without it."""

from __future__ import annotations

import re
from fractions import Fraction

from ..engine import facts as F
from ..engine.facts import Encoding
from ..engine.shapes import format_shape
from ..engine.trainings import Training
from ..knowledge import LOSS_FAMILIES
from ..rules import phrases as P
from ..text.diagnostics import Position, Span
from .analyze import Analysis
from .model_tables import render_markdown, render_text, row_text


def hover_at(analysis: Analysis, position: Position, markdown: bool = True) -> tuple[str, Span] | None:
    """What is known about the innermost fact under `position`, with the span it covers."""
    best: tuple[Span, str] | None = None
    for span, text in _candidates(analysis, markdown):
        if span.contains(position) and (best is None or _size(span) < _size(best[0])):
            best = (span, text)
    if best is None:
        return None
    return (best[1] if markdown else _plain(best[1])), best[0]


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _plain(text: str) -> str:
    """The Markdown of a hover as plain text (tables are rendered as text before they get here)."""
    return _BOLD.sub(r"\1", text).replace("`", "")


def _size(span: Span) -> tuple[int, int]:
    return (span.end.line - span.start.line, span.end.column - span.start.column)


def _candidates(analysis: Analysis, markdown: bool = True):
    seen: set[tuple[int, int, int, int, str]] = set()
    for training in analysis.trainings:
        for site, text in [*_training_facts(training, analysis), *_fit_facts(training, analysis)]:
            if site is None:
                continue
            span = site.span
            key = (span.start.line, span.start.column, span.end.line, span.end.column, text)
            if key not in seen:
                seen.add(key)
                yield span, text
    feeds = _feeds_by_model(analysis)
    for site, text in _data_facts(analysis, feeds):
        yield site.span, text
    for summary in analysis.summaries:
        if not summary.rows:
            continue
        table = render_markdown(summary) if markdown else render_text(summary)
        fed = feeds.get(id(summary.model))
        if fed is not None:
            table += f"\n\nFed by `{fed.site.text}`: samples of shape `{format_shape(fed.shape[1:])}` ({fed.what})"
        for site in (summary.model.name_site, summary.model.site):
            if site is not None:
                yield site.span, table
        for row in summary.rows:
            if row.site is not None and row.kind != "InputLayer":
                yield row.site.span, row_text(row)


def _feeds_by_model(analysis: Analysis) -> dict:
    """The training data each model is fit on (the first fit's)."""
    feeds = {}
    for t in analysis.trainings:
        if t.fit is not None and t.fit.inputs is not None:
            feeds.setdefault(id(t.model), t.fit.inputs)
    return feeds


def _data_facts(analysis: Analysis, feeds: dict):
    """On a data array (where it is made, and where it is fed): its shape and where it comes from."""
    seen = set()
    arrays = [(site, value) for site, value in analysis.facts.arrays] if analysis.facts is not None else []
    for t in analysis.trainings:
        if t.fit is not None:
            for feed, role in (
                (t.fit.inputs, "inputs"),
                (t.fit.targets, "targets"),
                (t.fit.validation_inputs, "validation inputs"),
            ):
                if feed is not None:
                    arrays.append((feed.site, (role, feed)))
    for site, value in arrays:
        if id(site) in seen:
            continue
        seen.add(id(site))
        if isinstance(value, tuple):
            role, feed = value
            whole = getattr(feed.source, "shape", None) or feed.shape
            yield site, f"**{role}**: shape `{format_shape(whole)}`, from `{feed.what}`"
            continue
        shape = getattr(value, "shape", None)
        if shape is not None:
            yield (
                site,
                f"**array**: shape `{format_shape(shape)}`, from `{value.site.text}` on line {value.site.line + 1}",
            )


def _fit_facts(t: Training, analysis: Analysis):
    """On model.fit: what flows in and out."""
    if t.fit is None:
        return
    summary = next((s for s in analysis.summaries if s.model is t.model), None)
    parts = []
    if summary is not None:
        parts.append(
            f"inputs `{format_shape(summary.input)}` → {t.model.name or 'model'} "
            f"→ outputs `{format_shape(summary.output)}`"
        )
    if t.labels is not None:
        parts.append(f"labels {_labels_text(t.labels, 'labels').split(': ', 1)[1]}")
    if t.loss is not None:
        parts.append(f"loss `{t.loss.function}`")
    if parts:
        yield t.fit.site, "**fit**: " + "; ".join(parts)


def _training_facts(t: Training, analysis: Analysis):
    model = f"`{t.model.name}`" if t.model.name else "the model"
    if t.labels is not None:
        yield t.labels.site, _labels_text(t.labels, "labels")
    if t.validation is not None and t.validation is not t.labels:
        yield t.validation.site, _labels_text(t.validation, "validation labels")
    if t.head is not None:
        yield t.head.site, f"**final layer** of {model}: {P.head_text(t.head)} per sample" + _trained_with(t)
        if t.head.activation_layer is not None:
            yield t.head.activation_site, f"**output activation** of {model}: {t.head.activation}"
    loss = t.loss
    if loss is not None:
        yield loss.site, _loss_text(loss, t)
    for metric in t.metrics:
        yield metric.site, _metric_text(metric, t, analysis)


def _labels_text(labels: F.Labels, role: str) -> str:
    parts = [f"**{role}**: {labels.encoding.describe}"]
    if labels.classes is not None and labels.encoding not in (Encoding.REGRESSION, Encoding.VECTOR):
        parts.append(f"{labels.classes} classes")
    if labels.encoding is Encoding.ONE_HOT:
        parts.append(f"shape (None, {P.k(labels)})")
    elif labels.rank is not None:
        parts.append(f"shape {P.label_shape(labels)}")
    text = ", ".join(parts) + f", from `{labels.origin}` on line {labels.site.line + 1}"
    if labels.count.note:
        text += f" ({labels.count.note})"
    return text


def _trained_with(t: Training) -> str:
    bits = []
    if t.loss is not None:
        bits.append(f"loss `{t.loss.function}`")
    if t.labels is not None:
        bits.append(f"{t.labels.encoding.describe} labels")
    return f"; trained with {' and '.join(bits)}" if bits else ""


def _loss_text(loss: F.Loss, t: Training) -> str:
    family = LOSS_FAMILIES.get(loss.function, "other")
    expects = {
        "binary": "one 0/1 target per output column (sigmoid outputs or logits)",
        "categorical": "one-hot labels with one column per output unit",
        "sparse": "one integer class index per sample",
        "regression": "continuous targets",
    }.get(family, "targets of the output's shape")
    logits = loss.logits
    mode = (
        " with `from_logits=True` (expects raw scores)"
        if logits
        else " on probabilities (`from_logits=False`)"
        if logits is False
        else ""
    )
    return f"**loss**: `{loss.function}`{mode}; expects {expects}"


def _metric_text(metric: F.Metric, t: Training, analysis: Analysis) -> str:
    if metric.name != "accuracy" or t.width is None:
        return f"**metric**: `{metric.name}`"
    labels = t.labels
    line = "tf_keras" if analysis.runtime is not None and analysis.runtime.keras == 2 else "keras3"
    if labels is None:
        shape = (None, t.width)
    elif labels.encoding is Encoding.ONE_HOT:
        shape = (None, labels.classes or max(t.width, 2))
    else:
        shape = (None, 1) if labels.rank == 2 else (None,)
    resolved = analysis.knowledge.resolve_accuracy(line, shape, t.width)
    if resolved is None:
        return f"**metric**: {metric.written}"
    text = f"{metric.written} resolves to `{resolved}` here (output width {t.width}"
    text += f", labels {P.label_shape(labels)})" if labels is not None else ")"
    if resolved == "binary_accuracy" and labels is not None and labels.encoding is Encoding.ONE_HOT and labels.classes:
        K = labels.classes
        text += f"; all-zero predictions score {K - 1}/{K} = {float(Fraction(K - 1, K)):.4f}"
    return text
