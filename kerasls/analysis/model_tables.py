"""Model summaries as tables: text like `model.summary()`, Markdown for hovers."""

from __future__ import annotations

from ..engine.shapes import ModelSummary, Row, format_shape


def _count(value: int | None) -> str:
    return f"{value:,}" if value is not None else "?"


def _title(summary: ModelSummary) -> str:
    kind = {"sequential": "Sequential", "functional": "Functional", "application": summary.model.application or "Model"}
    name = summary.name or "model"
    return f"{name} ({kind.get(summary.model.kind, summary.model.kind)})"


def _input_line(summary: ModelSummary) -> str:
    text = f"input {format_shape(summary.input)}"
    if summary.input_from:
        text += f" (from {summary.input_from})"
    return text


def render_text(summary: ModelSummary) -> str:
    rows = [(_row_label(row), format_shape(row.output), _count(row.params)) for row in summary.rows]
    widths = [
        max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("Layer (type)", "Output Shape", "Param #"))
    ]
    rule = "─" * (sum(widths) + 4)
    out = [f'Model: "{_title(summary)}", {_input_line(summary)}', rule]
    out.append(f"{'Layer (type)':<{widths[0]}}  {'Output Shape':<{widths[1]}}  {'Param #':>{widths[2]}}")
    out.append(rule)
    for label, shape, params in rows:
        out.append(f"{label:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}")
    out.append(rule)
    out.append(f"Total params: {_count(summary.total_params)}")
    out.append(f"Trainable params: {_count(summary.trainable_params)}")
    out.append(f"Non-trainable params: {_count(summary.non_trainable_params)}")
    return "\n".join(out)


def render_markdown(summary: ModelSummary) -> str:
    out = [f"**{_title(summary)}** — {_input_line(summary)}", "", "| Layer | Output shape | Params |", "|---|---|---:|"]
    for row in summary.rows:
        out.append(f"| {_row_label(row)} | `{format_shape(row.output)}` | {_count(row.params)} |")
    out.append("")
    out.append(
        f"Total params: **{_count(summary.total_params)}** (trainable {_count(summary.trainable_params)}, "
        f"non-trainable {_count(summary.non_trainable_params)})"
    )
    return "\n".join(out)


def _row_label(row: Row) -> str:
    return f"{row.name} ({row.kind})" if row.name else row.kind


def row_text(row: Row) -> str:
    """One layer for hovers: `Conv2D → (None, 150, 150, 16) · 448 params`."""
    text = f"`{row.kind}` → `{format_shape(row.output)}` · {_count(row.params)} params"
    if row.input is not None:
        text += f" (input `{format_shape(row.input)}`)"
    if row.problem:
        text += f"; {row.problem}"
    return text
