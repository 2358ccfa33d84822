"""KLS503: the output keeps spatial axes because nothing flattens the features before Dense."""

from __future__ import annotations

import libcst as cst

from ..engine import facts as F
from ..engine.facts import Encoding
from ..engine.shapes import format_shape
from ..engine.values import Site
from ..text.diagnostics import Severity, Span, TextEdit
from . import edits
from . import phrases as P
from . import shape_consequences as C
from .api import Context, Example, Rule, Training

_POOLING = {3: "GlobalAveragePooling1D", 4: "GlobalAveragePooling2D", 5: "GlobalAveragePooling3D"}


class DenseOnUnflattenedFeatures(Rule):
    """
    ## What it does
    Finds models whose output still has spatial (or time) axes, because a `Dense` layer was
    applied to a convolutional feature map without `Flatten` or global pooling before it,
    while the labels have one row per sample.

    ## Why is this bad?
    `Dense` acts on the last axis only: on a `(batch, 8, 8, 128)` feature map it produces
    `(batch, 8, 8, units)`, one prediction per position. The labels are `(batch, K)`, and the
    loss cannot compare them. Measured: Keras 3 raises "{measured.keras3.invalid.error}";
    Keras 2 raises "{measured.tf_keras.invalid.error}".

    ## Example
    ```python
    model = Sequential([Conv2D(32, 3, input_shape=(80, 80, 3)), MaxPooling2D(), Dense(4, activation="softmax")])
    ```

    ## Use instead
    ```python
    model = Sequential([Conv2D(32, 3, input_shape=(80, 80, 3)), MaxPooling2D(), GlobalAveragePooling2D(),
                        Dense(4, activation="softmax")])
    ```
    """

    code = "KLS503"
    name = "dense-on-unflattened-features"
    severity = Severity.ERROR
    summary = "Dense on a feature map without Flatten or pooling: the output keeps spatial axes"

    VALID = [
        Example("""
import numpy as np
import keras
from keras import layers
y = keras.utils.to_categorical(np.load("y.npy"), 4)
model = keras.Sequential([keras.Input(shape=(80, 80, 3)), layers.Conv2D(8, 3), layers.Flatten(),
                          layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), y)
"""),
        Example("""
import numpy as np
import keras
from keras import layers
masks = np.load("masks.npy")
inputs = keras.Input(shape=(64, 64, 3))
x = layers.Conv2D(8, 3, padding="same")(inputs)
model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
model.compile(loss="binary_crossentropy")
model.fit(np.load("x.npy"), masks)
"""),
        Example("""
import numpy as np
import keras
from keras import layers
masks = keras.utils.to_categorical(np.load("masks.npy"), 5)
inputs = keras.Input(shape=(64, 64, 3))
x = layers.Conv2D(8, 3, padding="same")(inputs)
model = keras.Model(inputs, layers.Dense(5, activation="softmax")(x))
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), masks)
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
import keras
from keras import layers
y = keras.utils.to_categorical(np.load("y.npy"), 4)
model = keras.Sequential([keras.Input(shape=(80, 80, 3)), layers.Conv2D(8, 3), layers.MaxPooling2D(),
                          layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), y)
""",
            fixed="""
import numpy as np
import keras
from keras import layers
y = keras.utils.to_categorical(np.load("y.npy"), 4)
model = keras.Sequential([keras.Input(shape=(80, 80, 3)), layers.Conv2D(8, 3), layers.MaxPooling2D(),
                          layers.GlobalAveragePooling2D(), layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, summary = t.labels, ctx.summary(t.model)
        if labels is None or summary is None or summary.output is None or len(summary.output) <= 2:
            return
        if labels.encoding not in (Encoding.ONE_HOT, Encoding.INTEGER, Encoding.BINARY, Encoding.MULTI_HOT):
            return
        if not self._one_row_per_sample(labels, summary):
            return  # per-position labels (segmentation masks, tagged sequences) would fit this output
        first = next(
            (row for row in summary.rows if row.kind == "Dense" and row.input is not None and len(row.input) > 2), None
        )
        if first is None or not isinstance(first.layer, F.Layer):
            return
        output, target = format_shape(summary.output), P.label_shape(labels)
        message = (
            f"The model outputs {output} per batch, but the labels are {target}\n"
            f"The Dense layer on line {first.site.line + 1} gets the feature map {format_shape(first.input)} and keeps "
            f"its spatial axes. Flatten or global pooling before it makes one prediction per sample. "
        )
        quotes = None
        if (
            t.loss is not None and t.loss.function == "categorical_crossentropy"
        ):  # the loss the errors were measured with
            quotes = {
                "keras3": "Arguments `target` and `output` must have the same rank (ndim). "
                f"Received: target.shape={target}, output.shape={output}",
                "tf_keras": f"Shapes {target} and {output} are incompatible",
            }
        message += C.on_each_line(ctx, self.code, ["invalid"], quotes) or ""
        related = (
            [(first.site, f"Dense receives {format_shape(first.input)}")]
            + P.labels_related(labels)
            + P.loss_related(t.loss)
        )
        options = [
            edits.fix(
                f"Add {_POOLING.get(len(first.input), 'GlobalAveragePooling2D')} before this Dense",
                self._insert(first, _POOLING.get(len(first.input), "GlobalAveragePooling2D"), t, ctx),
                preferred=True,
            ),
            edits.fix("Add Flatten before this Dense", self._insert(first, "Flatten", t, ctx)),
        ]
        head = t.head.site if t.head is not None else first.site
        yield self.diagnostic(head, message, related, [f for f in options if f])

    @staticmethod
    def _one_row_per_sample(labels, summary) -> bool:
        """Labels of one row per sample: known from their rank, or, when their rank is unknown,
        because the output is coarser than the input (pooled), so it cannot be per-position."""
        output_rank = len(summary.output)
        if labels.rank is not None:
            labels_rank = labels.rank if labels.encoding in (Encoding.ONE_HOT, Encoding.MULTI_HOT) else labels.rank + 1
            return labels_rank < output_rank
        given, produced = summary.input, summary.output
        if given is None or len(given) != output_rank:
            return False
        spatial_in, spatial_out = given[1:-1], produced[1:-1]
        return all(i is not None and o is not None for i, o in zip(spatial_in, spatial_out)) and any(
            o < i for i, o in zip(spatial_in, spatial_out)
        )

    @staticmethod
    def _insert(row, layer_name: str, t: Training, ctx: Context) -> TextEdit | None:
        dense = row.layer
        func = dense.site.node.func if isinstance(dense.site.node, cst.Call) else None
        if isinstance(func, cst.Attribute):
            prefix = dense.site.chunk.code(func.value).strip() + "."
        elif isinstance(func, cst.Name) and ctx.facts.defines(layer_name):
            prefix = ""
        else:
            module = ctx.module_path("layers")
            if module is None:
                return None
            prefix = module + "."
        if t.model.kind == "sequential":
            start = dense.site.span.start
            return edits.at(dense.site, Span(start, start), f"{prefix}{layer_name}(), ")
        call = row.site.node if row.site is not None else None
        if isinstance(call, cst.Call) and len(call.args) == 1 and call.func is dense.site.node:
            argument = Site(row.site.chunk, call.args[0].value)
            return edits.at(argument, argument.span, f"{prefix}{layer_name}()({argument.code})")
        return None
