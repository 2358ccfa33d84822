"""What a shape mismatch does at training time, read from the rule's own measured experiments.

(The head/loss/label rules draw theirs from the experiment matrix: see `consequences`.)
`measured.json` records, per rule and per Keras line, what the invalid configuration did
when it was run (raised which error, or trained to which plateau), for several data
pipelines. A diagnostic picks the variant that matches the user's code and states that,
for the Keras the user has, or for both lines when it is unknown. Where no measured
variant matches, it says less rather than guess.
"""

from __future__ import annotations

from .api import Context

LINES = (("keras3", "Keras 3"), ("tf_keras", "Keras 2 (tf.keras up to TF 2.15, tf_keras)"))


def outcome_text(entry: dict, quote: str | None = None) -> str | None:
    """What the measured run did. An error text is quoted only as the rule renders it with the user's
    numbers (`quote`): the experiment's own message names the experiment's shapes."""
    if not isinstance(entry, dict) or "outcome" not in entry:
        return None
    if entry["outcome"] == "raises":
        error_type = entry.get("error_type", "an error")
        return (
            f'fit raises {error_type} at the first step: "{quote}"'
            if quote
            else f"fit raises {error_type} at the first step"
        )
    return "nothing raises; the model trains without learning the task"


def on_each_line(ctx: Context, code: str, variants: list[str], quotes: dict[str, str] | None = None) -> str | None:
    """The measured consequence on the user's Keras line (or on both), from the first variant measured;
    `quotes` are the error texts by line, rendered with the user's numbers."""
    parts = []
    for line, label in LINES:
        if ctx.runtime.keras == 3 and line != "keras3" or ctx.runtime.keras == 2 and line != "tf_keras":
            continue
        text = None
        for variant in variants:
            text = outcome_text(ctx.measured(code, line, variant), (quotes or {}).get(line))
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
