"""KLS504: convolutions or pooling shrink a spatial dimension to zero or below."""

from __future__ import annotations

from ..engine.shapes import format_shape
from ..text.diagnostics import Severity
from . import shape_consequences as C
from .api import Context, Example, Rule, Training


class NonPositiveSpatialDimension(Rule):
    """
    ## What it does
    Follows the feature map's size through the model and finds the layer where a
    'valid' convolution or a pooling layer would shrink it to zero or below.

    ## Why is this bad?
    Keras cannot build the model: each 'valid' 3×3 convolution takes 2 pixels off, each
    2×2 pooling halves the size, and small inputs run out. Measured: Keras 3 raises
    "{measured.keras3.pool_to_zero.error}"; Keras 2 "{measured.tf_keras.pool_to_zero.error}".

    ## Example
    ```python
    model = Sequential([Input(shape=(8, 8, 1)), Conv2D(8, 3), MaxPooling2D(), Conv2D(8, 3), MaxPooling2D()])
    ```

    ## Use instead
    ```python
    model = Sequential([Input(shape=(8, 8, 1)), Conv2D(8, 3, padding="same"), MaxPooling2D(),
                        Conv2D(8, 3, padding="same"), MaxPooling2D()])
    ```
    """

    code = "KLS504"
    name = "non-positive-spatial-dimension"
    severity = Severity.ERROR
    summary = "A convolution or pooling layer shrinks a spatial dimension to zero or below"

    VALID = [
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(8, 3, padding="same"), layers.MaxPooling2D(),
                          layers.Conv2D(8, 3, padding="same"), layers.MaxPooling2D()])
"""),
    ]
    INVALID = [
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(8, 3), layers.MaxPooling2D(),
                          layers.Conv2D(8, 3), layers.MaxPooling2D()])
"""),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        if summary is None:
            return
        for row in summary.rows:
            if row.problem is None or row.site is None:
                continue
            variant = "pool_to_zero" if "Pool" in row.kind else "conv_to_negative"
            consequence = C.on_each_line(ctx, self.code, [variant]) or ""
            message = (
                f"{row.kind} gets {format_shape(row.input)} and would output {format_shape(row.output)}\n"
                f"The input is too small for this many 'valid' convolutions and poolings. {consequence}"
            )
            related = [(summary.input_site, f"the model's input is {format_shape(summary.input)}")]
            yield self.diagnostic(row.site, message, related)
            return  # the first impossible layer is the one to fix; the rest follow from it
