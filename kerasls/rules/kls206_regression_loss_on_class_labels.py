"""KLS206: class labels trained with a regression loss behind a softmax or sigmoid head."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training

_CROSSENTROPY = {Encoding.ONE_HOT: "categorical_crossentropy", Encoding.INTEGER: "sparse_categorical_crossentropy"}


class RegressionLossOnClassLabels(Rule):
    """
    ## What it does
    Finds class labels — one-hot (`to_categorical`, `class_mode='categorical'`) or integer
    class indices — trained with `mean_squared_error` or `mean_absolute_error` on a model
    that ends in softmax or sigmoid, i.e. a classifier.

    ## Why is this bad?
    A regression loss measures how far each output is from the target number. For classes
    that means squared (or absolute) differences between probabilities and 0/1 targets, or,
    for integer labels, between a probability and the class index itself: the gradients are
    weak or meaningless, and nothing pushes the right class above the others the way
    crossentropy does. What fit then does for the exact configuration is measured and
    reported with the finding.

    ## Example
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="mean_squared_error", metrics=["accuracy"])  # y = to_categorical(labels, 10)
    ```

    ## Use instead
    ```python
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    ```
    """

    code = "KLS206"
    name = "regression-loss-on-class-labels"
    severity = Severity.WARNING
    summary = "Class labels trained with mean squared or absolute error behind a softmax/sigmoid head"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(np.random.rand(500, 20), y)
"""),
        Example("""
import numpy as np
from tensorflow import keras
y = np.random.rand(500) * 100
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(1)])
model.compile(loss="mean_squared_error")
model.fit(np.random.rand(500, 20), y)
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="mean_squared_error", metrics=["accuracy"])
model.fit(np.random.rand(500, 20), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(np.random.rand(500, 20), y)
""",
        ),
        Example(
            """
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 5, size=(500,))
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(5, activation="softmax")])
model.compile(loss="mae")
model.fit(np.random.rand(500, 20), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 5, size=(500,))
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(5, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(500, 20), y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, head, loss = t.labels, t.head, t.loss
        if labels is None or head is None or loss is None or t.loss_family != "regression":
            return
        if labels.encoding not in _CROSSENTROPY or (labels.classes is not None and labels.classes < 3):
            return  # 0/1 labels with a sigmoid and squared error is a choice, not a mix-up
        if head.activation not in ("softmax", "sigmoid"):
            return  # a linear output on class indices may be an ordinal regression on purpose
        kind = "one-hot" if labels.encoding is Encoding.ONE_HOT else "integer class"
        message = (
            f"{kind.capitalize()} labels trained with {loss.function}, a regression loss\n"
            f"The model ends in {head.activation}: it is a classifier, and a regression loss only measures the "
            f"distance to each {'0/1 target' if kind == 'one-hot' else 'class index'}. {P.labels_line(labels)}"
        )
        related = P.labels_related(labels) + P.head_related(head) + P.loss_related(loss) + P.fit_related(t)
        function = _CROSSENTROPY[labels.encoding]
        changes = list(fixers.replace_loss(loss, function, ctx) or [])
        if changes and head.activation == "sigmoid" and head.width and head.width > 1:
            changes.append(fixers.set_activation(head, "softmax", ctx))  # one class per sample: they compete
        made = edits.fix(f"Use {function.replace('_', ' ')}", *changes, preferred=True) if changes else None
        yield self.diagnostic(loss.site, message, related, [made] if made else [], training=t)
