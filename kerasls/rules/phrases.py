"""How rules and hovers describe facts: class counts, label encodings, heads, related places."""

from __future__ import annotations

from ..engine import facts as F
from ..engine.facts import Encoding
from ..engine.heads import Head
from ..engine.values import Site


def k(labels: F.Labels | None) -> str:
    """The class count as a number, or K when unknown."""
    return str(labels.classes) if labels is not None and labels.classes is not None else "K"


def units(n: int | None) -> str:
    return "1 value" if n == 1 else f"{n} values"


def describe_labels(labels: F.Labels) -> str:
    count = labels.count
    if labels.encoding is Encoding.ONE_HOT:
        what = f"one-hot over {count.value} classes" if count.value else "one-hot over K classes (K unknown here)"
    elif labels.encoding is Encoding.INTEGER:
        what = f"integer class indices 0..{count.value - 1}" if count.value else "integer class indices"
    elif labels.encoding is Encoding.BINARY and count.value and count.value > 2:
        what = f"single-column labels 0..{count.value - 1}"
    else:
        what = labels.encoding.describe
    note = f" ({count.note})" if count.note else ""
    return f"{what}{note}, from {labels.origin}"


def labels_line(labels: F.Labels) -> str:
    """A message's line saying what the labels are and where they come from."""
    return f"Labels: {describe_labels(labels)}."


def label_shape(labels: F.Labels) -> str:
    if labels.encoding in (Encoding.ONE_HOT, Encoding.MULTI_HOT):
        return f"(None, {k(labels)})"
    return "(None, 1)" if labels.rank == 2 else "(None,)"


def head_text(head: Head) -> str:
    act = head.activation or "an unknown activation"
    if head.activation == "linear":
        act = "no activation"
    return f"{units(head.width) if head.width else 'an unknown number of values'} with {act}"


def labels_related(labels: F.Labels | None, role: str = "labels") -> list[tuple[Site | None, str]]:
    if labels is None:
        return []
    out: list[tuple[Site | None, str]] = [(labels.site, f"{role}: {describe_labels(labels)}")]
    out.extend(labels.details)
    return out


def head_related(head: Head | None) -> list[tuple[Site | None, str]]:
    if head is None:
        return []
    out: list[tuple[Site | None, str]] = [(head.site, f"final layer: {head_text(head)}")]
    if head.activation_layer is not None and head.activation_site is not None:
        out.append((head.activation_site, f"activation applied to the output: {head.activation}"))
    units_site = head.units_site
    if units_site is not None and head.layer is not None and not head.layer.site.span.contains(units_site.span.start):
        out.append((units_site, f"the output width {head.width} is set here"))
    return out


def loss_related(loss: F.Loss | None) -> list[tuple[Site | None, str]]:
    return [(loss.site, f"loss: {loss.written}")] if loss is not None else []


def fit_related(training) -> list[tuple[Site | None, str]]:
    return [(training.fit.site, "the model is trained on these labels here")] if training.fit is not None else []
