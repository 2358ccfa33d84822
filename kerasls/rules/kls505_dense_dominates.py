"""KLS505: one Dense layer after Flatten holds most of the model's parameters."""

from __future__ import annotations

from ..engine.shapes import format_shape
from ..text.diagnostics import Severity
from . import edits
from .api import Context, Example, Rule, Training

_POOLING = {3: "GlobalAveragePooling1D", 4: "GlobalAveragePooling2D", 5: "GlobalAveragePooling3D"}


class DenseLayerDominatesParameters(Rule):
    """
    ## What it does
    Notes a Dense layer right after `Flatten` that holds most (over half) of a model's
    parameters, when the model has more than a million of them.

    ## Why is this bad?
    Flatten hands every position of the feature map to the Dense layer, so its weight
    matrix grows with the image area. In the 42-class question this project began with,
    `Dense(512)` after `Flatten` held 10,617,344 of the model's 10,641,441 parameters: slow,
    memory-hungry and quick to overfit. Global average pooling keeps one value per channel
    and usually generalises better. This is a suggestion (information), not an error.

    ## Example
    ```python
    model = Sequential([..., Conv2D(64, 3, padding="same"), MaxPooling2D(), Flatten(), Dense(512)])
    ```

    ## Use instead
    ```python
    model = Sequential([..., Conv2D(64, 3, padding="same"), MaxPooling2D(), GlobalAveragePooling2D(), Dense(512)])
    ```
    """

    code = "KLS505"
    name = "dense-layer-dominates-parameters"
    severity = Severity.INFORMATION
    summary = "A Dense layer after Flatten holds most of the parameters"

    VALID = [
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(150, 150, 3)), layers.Conv2D(64, 3, padding="same"),
                          layers.GlobalAveragePooling2D(), layers.Dense(512), layers.Dense(10)])
"""),
    ]
    INVALID = [
        Example("""
import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(150, 150, 3)), layers.Conv2D(64, 3, padding="same"),
                          layers.MaxPooling2D(), layers.Flatten(), layers.Dense(512), layers.Dense(10)])
"""),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        total = summary.total_params if summary is not None else None
        if total is None or total <= 1_000_000:
            return
        for previous, row in zip(summary.rows, summary.rows[1:]):
            if row.kind != "Dense" or previous.kind != "Flatten" or row.params is None or row.params * 2 <= total:
                continue
            feature_map = previous.input
            channels = feature_map[-1] if feature_map else None
            pooled = (
                channels * (row.output[-1] if row.output else 0) + (row.output[-1] if row.output else 0)
                if channels
                else None
            )
            message = (
                f"This Dense layer holds {row.params:,} of the model's {total:,} parameters ({100 * row.params / total:.1f}%)\n"
                f"Flatten hands it all {previous.output[-1]:,} values of the {format_shape(feature_map)} feature map. "
            )
            if pooled is not None:
                message += f"Global average pooling instead of Flatten would give it {channels} values ({pooled:,} parameters)."
            pooling = _POOLING.get(len(feature_map) if feature_map else 0)
            options = []
            if pooling and previous.layer is not None:
                edit = edits.rename_callee(previous.layer.site, pooling)
                options.append(edits.fix(f"Use {pooling} instead of Flatten", edit, preferred=True, safe=False))
            yield self.diagnostic(
                row.site,
                message,
                [(previous.site, f"Flatten outputs {format_shape(previous.output)}")],
                [f for f in options if f],
            )
            return
