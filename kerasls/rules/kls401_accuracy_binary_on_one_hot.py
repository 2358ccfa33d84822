"""KLS401: 'accuracy' silently becomes binary accuracy over one-hot columns."""

from __future__ import annotations

from fractions import Fraction

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits
from . import phrases as P
from .api import Context, Example, Rule, Training


class AccuracyResolvesToBinaryAccuracy(Rule):
    """
    ## What it does
    Works out which metric `metrics=['accuracy']` (or `'acc'`) becomes at compile time and
    flags it when that is binary accuracy on one-hot labels of several classes.

    ## Why is this bad?
    Keras picks the accuracy from the output width and the label shape: one output unit
    means binary accuracy (`y_pred` width 1 → `binary_accuracy`, read from Keras's own
    resolution code). Binary accuracy over K one-hot columns counts each column as a
    separate yes/no answer, so a model that predicts "no" everywhere scores (K-1)/K without
    learning anything. That is the 0.9762 = 41/42 of the 42-class question this project
    started from. Measured with 42 classes: accuracy {measured.tf_keras.invalid_k42.plateau} in every
    epoch; with 3 classes
    {measured.tf_keras.invalid_k3.final.accuracy} (2/3). Keras 3 shows the same numbers when the
    pipeline hides the label shape; otherwise the loss raises before the metric is computed.

    ## Example
    ```python
    model.add(Dense(1))
    model.compile(loss=BinaryCrossentropy(from_logits=True), metrics=["accuracy"])  # one-hot labels
    ```

    ## Use instead
    ```python
    model.add(Dense(num_classes))
    model.compile(loss=CategoricalCrossentropy(from_logits=True), metrics=["categorical_accuracy"])
    ```
    """

    code = "KLS401"
    name = "accuracy-resolves-to-binary-accuracy"
    severity = Severity.WARNING
    summary = "'accuracy' resolves to binary accuracy on one-hot multi-class labels"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 5)
model = keras.Sequential([keras.layers.Dense(5, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(np.load("x.npy"), y)
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 5)
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["accuracy"])
model.fit(np.load("x.npy"), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 5)
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["categorical_accuracy"])
model.fit(np.load("x.npy"), y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, width = t.labels, t.width
        if labels is None or width is None or labels.encoding is not Encoding.ONE_HOT:
            return
        line = "tf_keras" if ctx.runtime.keras == 2 else "keras3"
        resolved = ctx.keras.resolve_accuracy(line, (None, labels.classes or 42), width)
        if resolved != "binary_accuracy":
            return
        for metric in t.metrics:
            if metric.name != "accuracy":
                continue
            yield self._report(metric, t, ctx)

    def _report(self, metric, t: Training, ctx: Context):
        labels = t.labels
        K = labels.classes
        if K:
            plateau = f"{K - 1}/{K} = {float(Fraction(K - 1, K)):.4f}"
        else:
            plateau = "(K-1)/K"
        message = (
            f"{metric.written} is binary accuracy here: predicting 0 everywhere scores {plateau}\n"
            f"With {P.units(t.width)} per sample and one-hot labels, Keras resolves it to binary accuracy over "
            f"the {P.k(labels)} label columns, where all but one are 0."
        )
        related = P.labels_related(labels) + P.head_related(t.head) + P.loss_related(t.loss)
        made = edits.fix(
            "Use 'categorical_accuracy'", edits.replace_string(metric.site, "categorical_accuracy"), preferred=True
        )
        return self.diagnostic(metric.site, message, related, [made] if made else [], training=t)
