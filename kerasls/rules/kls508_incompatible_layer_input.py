"""KLS508: a layer gets a tensor it cannot take (its rank, a Reshape's size, a Concatenate's shapes)."""

from __future__ import annotations

from ..engine.shapes import format_shape
from ..text.diagnostics import Severity
from . import shape_consequences as C
from .api import Context, Example, Rule, Training

_VARIANTS = {"ndim": "recurrent_after_flatten", "reshape": "reshape_size", "merge": "concatenate_ranks"}


class IncompatibleLayerInput(Rule):
    """
    ## What it does
    Follows the tensor's shape from the model's input (or from the data it is fit on) and
    finds the layer that cannot take it: a recurrent layer after `Flatten` or `Dense`
    (it needs `(batch, steps, features)`), a `Conv2D` after a 2-D tensor, a `Reshape` whose
    target holds a different number of values, a `Concatenate` of tensors whose other axes differ.

    ## Why is this bad?
    Keras raises as soon as it builds the model: at the `Sequential(...)` line when the model
    declares its input, at the first `fit` when it is built from the data. Measured (Keras 3
    and Keras 2 alike): an LSTM after `Flatten` raises "expected ndim=3, found ndim=2"; a
    `Reshape((7, 7, 2))` of 100 values raises; a `Conv2D` model without an `Input` fit on
    `(N, 28, 28)` images raises "expected min_ndim=4, found ndim=3".

    ## Example
    ```python
    model = Sequential([Input((10, 4)), Flatten(), LSTM(8), Dense(1)])
    ```

    ## Use instead
    ```python
    model = Sequential([Input((10, 4)), LSTM(8), Dense(1)])
    ```
    """

    code = "KLS508"
    name = "incompatible-layer-input"
    severity = Severity.ERROR
    summary = "A layer gets a tensor of a rank or size it cannot take"

    VALID = [
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input((10, 4)), layers.LSTM(8), layers.Dense(1)])
"""),
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input((20,)), layers.Dense(98), layers.Reshape((7, 7, 2)), layers.Flatten(), layers.Dense(1)])
"""),
    ]
    INVALID = [
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input((10, 4)), layers.Flatten(), layers.LSTM(8), layers.Dense(1)])
"""),
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input((20,)), layers.Dense(100), layers.Reshape((7, 7, 2)), layers.Flatten(), layers.Dense(1)])
"""),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        if summary is None or t.model.kind not in ("sequential", "functional"):
            return
        for index, row in enumerate(summary.rows):
            fault = row.fault
            if fault is None or row.site is None:
                continue
            if fault.kind == "ndim":
                first = f"{row.kind} needs a {_rank_words(fault.expected)} input, but gets {format_shape(row.input)}"
                detail = f"Keras: expected {fault.expected}, found {fault.found}."
            elif fault.kind == "reshape":
                first = f"Reshape to {fault.expected.removeprefix('a total size of ')} values gets {fault.found}"
                detail = f"The target shape holds {fault.expected.removeprefix('a total size of ')} values, the input {fault.found}."
            else:
                first = f"{row.kind} cannot join {fault.found}"
                detail = "Keras requires matching shapes except on the concatenation axis."
            declared = summary.input_kind is not None
            built = "when it builds the model" if declared else "at the first fit step, when it builds the model"
            variant = _VARIANTS[fault.kind] if declared else "conv2d_on_data_without_channel"
            consequence = C.outcome(
                ctx, self.code, variant, raises=f"Keras raises {{error_type}} {built}", trains="the model builds"
            )
            message = f"{first}\n{detail}" + (f" {consequence}" if consequence else "")
            related = []
            if index > 0 and summary.rows[index - 1].site is not None:
                previous = summary.rows[index - 1]
                related.append((previous.site, f"{previous.kind} outputs {format_shape(previous.output)}"))
            if summary.input_site is not None:
                related.append((summary.input_site, f"the model's input is {format_shape(summary.input)}"))
            yield self.diagnostic(row.site, message, related)
            return  # the first layer that cannot build is the one to fix


def _rank_words(expected: str) -> str:
    how, rank = expected.split("=")
    dims = int(rank)
    return f"{dims}-D" if how == "ndim" else f"{dims}-D (or more)"
