"""KLS304: categorical crossentropy on a single output unit."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class CategoricalCrossentropyOnSingleUnit(Rule):
    """
    ## What it does
    Finds categorical crossentropy on a model with one output unit, typically a binary
    classifier ending in `Dense(1, activation='sigmoid')`.

    ## Why is this bad?
    Categorical crossentropy first scales the outputs so that they sum to one. A single
    output scaled that way is always 1.0, and -log(1.0) = 0: the reported loss is exactly zero
    from the first step. What gradient remains pushes every prediction towards 0. Measured: loss
    {measured.keras3.invalid.history.loss} per epoch, predicted positive rate
    {measured.keras3.invalid.predicted_positive_rate}, accuracy {measured.keras3.invalid.final.accuracy}
    (the share of negatives); with binary crossentropy {measured.keras3.fixed.final.accuracy}.

    ## Example
    ```python
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy")
    ```
    """

    code = "KLS304"
    name = "categorical-crossentropy-on-single-unit"
    severity = Severity.ERROR
    summary = "Categorical crossentropy on one output unit: the loss is always 0"

    VALID = [
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
"""),
    ]
    INVALID = [
        Example(
            """
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
""",
            fixed="""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["accuracy"])
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        head, loss, labels = t.head, t.loss, t.labels
        if head is None or loss is None or head.width != 1 or t.loss_family != "categorical":
            return
        if labels is not None and labels.encoding is Encoding.ONE_HOT and (labels.classes or 3) > 1:
            return  # the width is what is wrong (KLS101)
        message = (
            "Categorical crossentropy on a single output: the loss is 0 whatever the model predicts\n"
            "It scales the outputs to sum to 1; one output scaled so is 1.0, and -log(1.0) = 0. "
            "A single output needs binary crossentropy."
        )
        related = P.head_related(head) + P.labels_related(labels) + P.fit_related(t)
        made = edits.fix(
            "Use binary crossentropy",
            *(fixers.replace_loss(loss, "binary_crossentropy", ctx) or [None]),
            preferred=True,
        )
        yield self.diagnostic(loss.site, message, related, [made] if made else [], training=t)
