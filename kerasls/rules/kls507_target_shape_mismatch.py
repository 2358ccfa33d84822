"""KLS507: the targets' shape differs from the model's output under a loss that compares them value by value."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..engine.shapes import format_shape
from ..text.diagnostics import Severity
from . import phrases as P
from . import shape_consequences as C
from .api import Context, Example, Rule, Training

_ELEMENTWISE = {"regression", "count"}


class TargetShapeMismatch(Rule):
    """
    ## What it does
    Compares the shape of the targets given to `fit` with the model's output shape, for
    losses that compare them value by value (mean squared or absolute error, Huber, log-cosh,
    Poisson), and one-hot labels with an extra axis (`(N, 1, K)`) for crossentropy.

    ## Why is this bad?
    Where the shapes broadcast, Keras trains without an error on the wrong comparison:
    `Dense(4)` with MSE against one target column trains all four outputs towards the same
    value; `Dense(1)` against four target columns trains one output towards their mean; a
    `return_sequences=True` output `(None, steps, 1)` against one target per sample compares
    every step with it. Measured: all three train on Keras 3 and Keras 2 alike
    (losses {measured.keras3.units_vs_column.loss}). Where they do not, Keras raises:
    `Dense(3)` against 5 target columns raises on both lines, `(N, 1, 3)` one-hot labels
    against `(None, 3)` raise "{measured.tf_keras.extra_axis_one_hot.error_type}". `Dense(4)` against
    targets of shape `(N,)` raises on Keras 3 and trains silently on Keras 2.

    ## Example
    ```python
    y = df[["price"]].values            # (N, 1)
    model = Sequential([Input((13,)), Dense(64, activation="relu"), Dense(4)])
    model.compile(loss="mse")
    ```

    ## Use instead
    ```python
    model = Sequential([Input((13,)), Dense(64, activation="relu"), Dense(1)])
    ```
    """

    code = "KLS507"
    name = "target-shape-mismatch"
    severity = Severity.WARNING
    severity_varies = True  # an error where the measured configuration raises, a warning where it trains
    summary = "The targets' shape differs from the model's output shape"

    VALID = [
        Example("""
import numpy as np
import keras
x, y = np.random.rand(500, 20), np.random.rand(500, 4)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(4)])
model.compile(loss="mse")
model.fit(x, y)
"""),
        Example("""
import numpy as np
import keras
x, y = np.random.rand(500, 20), np.random.rand(500)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1)])
model.compile(loss="mae")
model.fit(x, y)
"""),
    ]
    INVALID = [
        Example("""
import numpy as np
import keras
x, y = np.random.rand(500, 20), np.random.rand(500, 1)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(4)])
model.compile(loss="mse")
model.fit(x, y)
"""),
        Example("""
import numpy as np
import keras
x, y = np.random.rand(500, 10, 4), np.random.rand(500)
model = keras.Sequential([keras.Input((10, 4)), keras.layers.LSTM(8, return_sequences=True), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
"""),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        if t.fit is None or t.fit.targets is None or summary is None or summary.output is None or t.loss is None:
            return
        target, output = t.fit.targets.shape[1:], summary.output[1:]
        if any(d is None for d in target + output):
            return
        variant = _variant(target, output, t)
        if variant is None:
            return
        raises = "Keras raises {error_type} at the first step"
        trains = "nothing raises: the loss compares the broadcast shapes and the model learns the wrong thing"
        consequence = C.outcome(ctx, self.code, variant, raises=raises, trains=trains)
        first = f"Targets of shape {format_shape(target)} against an output of {format_shape(output)}"
        message = f"{first} under {t.loss.function}\n{_arithmetic(variant, target, output)}"
        message += f" {consequence}" if consequence else ""
        severity = Severity.ERROR if consequence and "raises" in consequence else Severity.WARNING
        related = [(t.fit.targets.site, f"targets: {t.fit.targets.what}, shape {format_shape(t.fit.targets.shape)}")]
        related += P.head_related(t.head) + P.loss_related(t.loss)
        yield self.diagnostic(t.fit.targets.site, message, related, severity=severity)


def _variant(target: tuple, output: tuple, t: Training) -> str | None:
    family = t.loss_family
    labels = t.labels
    if family in ("categorical", "binary") and labels is not None and labels.encoding is Encoding.ONE_HOT:
        if len(target) == 2 and target[0] == 1 and output == target[1:]:
            return "extra_axis_one_hot"
        return None
    if family not in _ELEMENTWISE:
        return None
    if labels is not None and labels.encoding in (Encoding.INTEGER, Encoding.ONE_HOT, Encoding.BINARY):
        return None  # class labels with a regression loss: another rule's subject
    if target == output or (target == () and output == (1,)):
        return None
    if len(output) == 2 and output[-1] == 1 and target in ((), (1,)):
        return "sequence_output"
    if len(output) == 1 and len(target) == 1:
        if output[0] > 1 and target[0] == 1:
            return "units_vs_column"
        if output[0] == 1 and target[0] > 1:
            return "single_vs_columns"
        return "columns_differ"
    if target == () and len(output) == 1 and output[0] > 1:
        return "units_vs_vector"
    return None


def _arithmetic(variant: str, target: tuple, output: tuple) -> str:
    if variant == "units_vs_column":
        return f"Each of the {output[0]} outputs is trained towards the same target column."
    if variant == "single_vs_columns":
        return f"The one output is compared with each of the {target[0]} target columns: it learns their mean."
    if variant == "columns_differ":
        return f"{output[0]} outputs cannot be compared with {target[0]} target columns."
    if variant == "units_vs_vector":
        return f"{output[0]} outputs per sample against one target value per sample."
    if variant == "sequence_output":
        return f"The output keeps its {output[0]} steps (return_sequences=True); each step is compared with the target."
    return "The labels have an extra axis of size 1 (one-hot made from (N, 1) indices)."
