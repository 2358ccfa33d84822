"""KLS506: the data fed to fit, evaluate or predict does not have the shape the model's input declares."""

from __future__ import annotations

import libcst as cst

from ..engine.facts import Feed
from ..engine.shapes import ModelSummary, format_shape
from ..engine.values import site_of
from ..text.diagnostics import Severity
from . import edits
from . import shape_consequences as C
from .api import Context, Example, Rule, Training


class InputShapeMismatch(Rule):
    """
    ## What it does
    Compares the shape of one sample of the data given to `fit` (training and
    `validation_data`), `evaluate` and `predict` with the input the model declares
    (`Input(shape=...)`, `input_shape=`, `input_dim=`): numpy arrays whose shapes are known,
    `tf.data` pipelines, image pipelines.

    ## Why is this bad?
    Keras checks the input shape at the first batch and raises. Measured (Keras 3 and Keras 2
    alike): 20 features into an input of 10 raise `{measured.keras3.feature_size.error_type}`;
    flattened 784-pixel rows into `Input((28, 28, 1))` raise; `predict(x[0])` on a model with
    `Input((20,))` raises, because Keras reads the 20 values as a batch of 20 samples; a
    `validation_data` of the wrong width raises only after the first training epoch. Both
    lines add a missing trailing axis of size 1 themselves: `(N, 28, 28)` images into
    `Input((28, 28, 1))` train ({measured.keras3.missing_channel_axis.outcome}), so that is not flagged.

    ## Example
    ```python
    x = np.random.rand(500, 20)
    model = Sequential([Input((10,)), Dense(1)])
    model.fit(x, y)
    model.predict(x[0])
    ```

    ## Use instead
    ```python
    model = Sequential([Input((20,)), Dense(1)])
    model.fit(x, y)
    model.predict(x[0:1])
    ```
    """

    code = "KLS506"
    name = "input-shape-mismatch"
    severity = Severity.ERROR
    summary = "The data fed to fit/evaluate/predict does not have the model's input shape"

    VALID = [
        Example("""
import numpy as np
import keras
x = np.random.rand(500, 20)
y = np.random.rand(500)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
model.predict(x[0:1])
"""),
        Example("""
import keras
(x, y), _ = keras.datasets.mnist.load_data()
model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(x, y)
"""),
    ]
    INVALID = [
        Example("""
import numpy as np
import keras
x = np.random.rand(500, 20)
y = np.random.rand(500)
model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
"""),
        Example(
            """
import numpy as np
import keras
x = np.random.rand(500, 20)
y = np.random.rand(500)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
print(model.predict(x[0]))
""",
            fixed="""
import numpy as np
import keras
x = np.random.rand(500, 20)
y = np.random.rand(500)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
print(model.predict(x[0:1]))
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        if summary is None or summary.input_kind is None or summary.input is None:
            return  # a model built from the data it is fit on takes whatever it gets
        feeds = []
        if t.fit is not None:
            feeds += [("fit", t.fit.inputs, "feature_size"), ("validation", t.fit.validation_inputs, "validation")]
        for call in ctx.facts.data_calls:
            if call.model is t.model:
                feeds.append((call.method, call.inputs, "predict" if call.method == "predict" else "feature_size"))
        for role, feed, variant in feeds:
            if feed is None or getattr(feed.source, "image_size", None):
                continue  # image pipelines: KLS501 (size) and KLS502 (channels) say it with their own fixes
            if not _fits(feed.shape, summary.input):
                yield self._report(role, feed, variant, summary, ctx)

    def _report(self, role: str, feed: Feed, variant: str, summary: ModelSummary, ctx: Context):
        sample, expected = feed.shape[1:], summary.input[1:]
        single = role == "predict" and not sample
        if single:
            first = f"predict gets one sample of shape {format_shape(_whole(feed))} without a batch axis"
            detail = f"Keras reads its {_count(feed)} values as a batch of samples, not as one sample of {format_shape(expected)}."
            variant = "single_sample_predict"
        else:
            what = {"fit": "fit", "validation": "validation_data", "evaluate": "evaluate", "predict": "predict"}[role]
            first = (
                f"{what} feeds samples of shape {format_shape(sample)}; the model's input is {format_shape(expected)}"
            )
            detail = "The sizes differ." if len(sample) == len(expected) else "The ranks differ."
            if variant == "feature_size" and len(sample) != len(expected):
                variant = "flat_into_image"
            elif variant == "validation":
                variant = "validation_feature_size"
        when = {
            "validation_feature_size": "at the end of the first epoch, when it evaluates validation_data",
            "single_sample_predict": "in predict",
        }.get(variant, f"at the first {'batch' if role == 'fit' else role + ' batch'}")
        consequence = C.outcome(ctx, self.code, variant, raises=f"Keras raises {{error_type}} {when}", trains="it runs")
        message = f"{first}\n{detail}" + (f" {consequence}" if consequence else "")
        related = [(feed.site, f"{feed.what}: samples of shape {format_shape(sample)}")]
        if summary.input_site is not None:
            related.append((summary.input_site, f"the model's input: {format_shape(summary.input)}"))
        fixes = [fix] if single and (fix := _batch_of_one(feed)) is not None else []
        return self.diagnostic(feed.site, message, related, fixes)


def _fits(shape: tuple, expected: tuple) -> bool:
    """Whether samples of `shape` go into an input of `expected` (Keras adds a missing axis of size 1)."""
    if len(shape) == len(expected) - 1 and expected[-1] == 1:
        expected = expected[:-1]
    if len(shape) != len(expected):
        return False
    return all(a is None or b is None or a == b for a, b in zip(shape[1:], expected[1:]))


def _whole(feed: Feed) -> tuple:
    shape = getattr(feed.source, "shape", None)
    return shape if shape is not None else feed.shape


def _count(feed: Feed) -> str:
    shape = _whole(feed)
    return str(shape[0]) if shape and shape[0] is not None else "N"


def _batch_of_one(feed: Feed):
    """`x[0]` -> `x[0:1]`: the same sample, as a batch of one."""
    node = feed.site.node
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    index = node.slice[0].slice.value
    if not isinstance(index, cst.Integer):
        return None
    end = int(index.value.replace("_", ""), 0) + 1
    return edits.fix(
        f"Pass a batch of one sample: [{index.value}:{end}]",
        edits.replace(site_of(feed.site.chunk, index), f"{index.value}:{end}"),
        preferred=True,
    )
