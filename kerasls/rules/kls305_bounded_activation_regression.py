"""KLS305: a bounded activation on the output of a regression model."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training

_RANGES = {"sigmoid": "(0, 1)", "softmax": "(0, 1), summing to 1", "tanh": "(-1, 1)"}


class BoundedActivationOnRegressionTargets(Rule):
    """
    ## What it does
    Finds a regression loss (`mse`, `mae`, Huber, ...) on continuous targets while the
    output goes through sigmoid, softmax or tanh.

    ## Why is this bad?
    Those activations squash the output into a small range; targets outside it can never
    be predicted and the error stays large. Measured with targets in [0, 100] and a
    sigmoid output: the largest prediction was {measured.keras3.invalid.max_prediction},
    mean absolute error {measured.keras3.invalid.mae}; with a linear output
    {measured.keras3.fixed.mae}.

    ## Example
    ```python
    (x, y), _ = keras.datasets.boston_housing.load_data()
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="mse")
    ```

    ## Use instead
    ```python
    model.add(Dense(1))
    model.compile(loss="mse")
    ```
    """

    code = "KLS305"
    name = "bounded-activation-on-regression-targets"
    severity = Severity.WARNING
    summary = "Sigmoid/softmax/tanh output with a regression loss on continuous targets"

    VALID = [
        Example("""
from tensorflow import keras
(x, y), _ = keras.datasets.boston_housing.load_data()
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
"""),
    ]
    INVALID = [
        Example(
            """
from tensorflow import keras
(x, y), _ = keras.datasets.boston_housing.load_data()
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="mse")
model.fit(x, y)
""",
            fixed="""
from tensorflow import keras
(x, y), _ = keras.datasets.boston_housing.load_data()
model = keras.Sequential([keras.layers.Dense(1, activation=None)])
model.compile(loss="mse")
model.fit(x, y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        head, labels = t.head, t.labels
        if head is None or labels is None or labels.encoding is not Encoding.REGRESSION:
            return
        if t.loss_family != "regression" or head.activation not in _RANGES:
            return
        message = (
            f"The targets are continuous, but {head.activation} only outputs values in {_RANGES[head.activation]}\n"
            f"Targets outside that range can never be predicted. Targets: {labels.origin}."
        )
        related = P.head_related(head) + P.labels_related(t.labels) + P.loss_related(t.loss)
        made = edits.fix("Use a linear output", fixers.set_activation(head, None, ctx), preferred=True)
        yield self.diagnostic(head.activation_site or head.site, message, related, [made] if made else [], training=t)
