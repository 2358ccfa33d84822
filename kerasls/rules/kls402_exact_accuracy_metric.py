"""KLS402: keras.metrics.Accuracy() (exact equality) on a classifier's probabilities."""

from __future__ import annotations

from ..text.diagnostics import Severity
from . import edits
from . import phrases as P
from .api import Context, Example, Rule, Training


class ExactAccuracyMetricOnProbabilities(Rule):
    """
    ## What it does
    Finds `keras.metrics.Accuracy()` passed to `compile` for a classifier.

    ## Why is this bad?
    The `Accuracy` class counts how often the prediction *equals* the label exactly. A
    classifier predicts probabilities such as 0.93, which never equal a label of 1, so the
    metric stays near zero however well the model learns (measured:
    {measured.keras3.invalid.final.accuracy}, while the same training reached a categorical accuracy
    of {measured.keras3.fixed.final.categorical_accuracy}). The string `'accuracy'` is different:
    compile turns it into binary, categorical or sparse categorical accuracy.

    ## Example
    ```python
    model.compile(loss="categorical_crossentropy", metrics=[keras.metrics.Accuracy()])
    ```

    ## Use instead
    ```python
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    ```
    """

    code = "KLS402"
    name = "exact-accuracy-metric-on-probabilities"
    severity = Severity.WARNING
    summary = "keras.metrics.Accuracy() compares probabilities with labels for equality"

    VALID = [
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=[keras.metrics.CategoricalAccuracy()])
"""),
    ]
    INVALID = [
        Example(
            """
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=[keras.metrics.Accuracy()])
""",
            fixed="""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        classifier = (t.activation in ("softmax", "sigmoid")) or t.loss_family in ("binary", "categorical", "sparse")
        if not classifier:
            return
        for metric in t.metrics:
            if metric.name != "exact_accuracy":
                continue
            message = (
                f"{metric.written} counts outputs exactly equal to the label; probabilities almost never are\n"
                f"A classifier outputs probabilities, not 0 or 1, so this stays near 0 however well the model learns. "
                f"The string 'accuracy' picks the right classification accuracy."
            )
            related = P.head_related(t.head) + P.loss_related(t.loss)
            made = edits.fix("Use 'accuracy'", edits.replace(metric.site, ctx.string("accuracy")), preferred=True)
            yield self.diagnostic(metric.site, message, related, [made] if made else [])
