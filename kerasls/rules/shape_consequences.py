"""What a mismatch does at training time, read from the measured experiments.

`measured.json` records, per rule and per Keras line, what the invalid configuration did
when it was run (raised which error, or trained to which plateau), for several data
pipelines. A diagnostic picks the variant that matches the user's code and states that,
for the Keras the user has, or for both lines when it is unknown. Where no measured
variant matches, it says less rather than guess.
"""

from __future__ import annotations

import re

from ..engine import facts as F
from .api import Context

LINES = (("keras3", "Keras 3"), ("tf_keras", "Keras 2 (tf.keras up to TF 2.15, tf_keras)"))


def pipeline_variant(labels: F.Labels) -> str:
    """How the labels reach fit: arrays, a directory iterator, or a tf.data pipeline."""
    if labels.container == "iterator":
        return "directory_iterator"
    if labels.container == "dataset":
        return "tf_data_known_shape" if labels.shape_known else "tf_data_unknown_shape"
    return "arrays"


def adapt(text: str, measured_k: int | None, k: int | None) -> str:
    """Put the user's class count into a message measured with another one."""
    if measured_k is None or measured_k == k:
        return text
    return re.sub(rf"\b{measured_k}\b", str(k) if k is not None else "K", text)


def outcome_text(entry: dict, k: int | None = None) -> str | None:
    if not isinstance(entry, dict) or "outcome" not in entry:
        return None
    if entry["outcome"] == "raises":
        error = adapt(entry.get("error", ""), entry.get("K"), k)
        return f'fit raises at the first step with {entry.get("error_type", "an error")}: "{error}"'
    plateau = entry.get("plateau")
    if plateau is not None:
        if k is None:
            value = "(K-1)/K"
        else:
            value = f"{plateau:.4f}" if entry.get("K") == k else f"{(k - 1) / k:.4f}"
        return f"nothing raises, and accuracy sits at {value} on train and validation from the first epoch"
    return "nothing raises; the model trains without learning the task"


def on_each_line(ctx: Context, code: str, variants: list[str], k: int | None = None) -> str | None:
    """The measured consequence on the user's Keras line (or on both), from the first variant measured."""
    parts = []
    for line, label in LINES:
        if ctx.runtime.keras == 3 and line != "keras3" or ctx.runtime.keras == 2 and line != "tf_keras":
            continue
        text = None
        for variant in variants:
            text = outcome_text(ctx.measured(code, line, variant), k)
            if text:
                break
        if text is None:
            return None
        parts.append((label, text))
    if len(parts) == 1:
        return f"On {parts[0][0]}, {parts[0][1]}."
    if len(parts) == 2 and parts[0][1] == parts[1][1]:
        return f"On Keras 3 and Keras 2 alike, {parts[0][1]}."
    return " ".join(f"On {label}, {text}." for label, text in parts)


def single_output_on_one_hot(labels: F.Labels, loss: F.Loss | None, activation: str | None) -> list[str]:
    """Which measured KLS201 setup matches one output unit trained on one-hot labels."""
    pipeline = pipeline_variant(labels)
    if loss is None or loss.logits:
        return [pipeline]
    if activation == "sigmoid":
        return [{"arrays": "arrays_sigmoid", "directory_iterator": "directory_iterator_sigmoid"}.get(pipeline, "")]
    if activation == "linear" and pipeline == "arrays":
        return ["arrays_linear_probabilities"]
    return []


SHAPE_HEDGE = (
    "Depending on the Keras version and on whether it can see the label shape, fit either raises at the "
    "first step or trains without an error while learning nothing."
)


def outcome(ctx: Context, code: str, variant: str, *, raises: str, trains: str) -> str | None:
    """The measured outcome of one configuration on the user's Keras line (or on both), in the
    caller's words: `raises` (with {error_type}) when the experiment raised, `trains` when it trained.
    None when the configuration was not measured on a line: then the message claims nothing."""
    parts = []
    for line, label in LINES:
        if (ctx.runtime.keras == 3 and line != "keras3") or (ctx.runtime.keras == 2 and line != "tf_keras"):
            continue
        entry = ctx.measured(code, line, variant)
        if not isinstance(entry, dict) or entry.get("outcome") not in ("raises", "trains"):
            return None
        text = raises.format(error_type=entry.get("error_type", "an error")) if entry["outcome"] == "raises" else trains
        parts.append((label, text))
    if len(parts) == 1:
        return f"On {parts[0][0]}, {parts[0][1]}."
    if parts[0][1] == parts[1][1]:
        return f"On Keras 3 and Keras 2 alike, {parts[0][1]}."
    return " ".join(f"On {label}, {text}." for label, text in parts)
