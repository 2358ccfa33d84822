"""KLS306: sigmoid outputs trained with categorical crossentropy."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class SigmoidWithCategoricalCrossentropy(Rule):
    """
    ## What it does
    Finds a final layer of several sigmoid outputs trained with categorical crossentropy
    (`from_logits=False`).

    ## Why is this bad?
    Categorical crossentropy expects a probability distribution over the classes: outputs
    that sum to 1, as softmax makes them. Sigmoid outputs are independent numbers in (0, 1).
    Keras rescales them to sum to 1 inside the loss only, so the model is trained towards a
    distribution that `predict()` never returns. What fit then does for the exact
    configuration is measured and reported with the finding.

    ## Example
    ```python
    model.add(Dense(10, activation="sigmoid"))
    model.compile(loss="categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy")
    ```
    For labels known to be multi-hot (several classes per sample), the fix is the loss
    instead: keep the sigmoids and use binary crossentropy. With labels it cannot see, the
    fix to softmax is offered as unsafe (it assumes one class per sample).
    """

    code = "KLS306"
    name = "sigmoid-with-categorical-crossentropy"
    severity = Severity.WARNING
    summary = "Several sigmoid outputs trained with categorical crossentropy"

    VALID = [
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy")
"""),
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="sigmoid")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
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
y = np.random.randint(0, 2, size=(500, 6))
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(6, activation="sigmoid")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(np.random.rand(500, 20), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 2, size=(500, 6))
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(6, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(np.random.rand(500, 20), y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        head, loss = t.head, t.loss
        if head is None or loss is None or t.loss_family != "categorical" or loss.logits is not False:
            return
        if head.activation != "sigmoid" or head.width is None or head.width < 2:
            return
        message = (
            f"Categorical crossentropy on {head.width} sigmoid outputs, which need not sum to 1\n"
            "The loss expects a distribution over the classes (softmax); Keras rescales the sigmoid outputs "
            "to sum to 1 inside the loss only."
        )
        labels = t.labels
        if labels is not None and labels.encoding is Encoding.MULTI_HOT:
            message += " For multi-hot labels, binary crossentropy scores each class on its own."
            made = edits.fix(
                "Use binary crossentropy",
                *(fixers.replace_loss(loss, "binary_crossentropy", ctx) or [None]),
                preferred=True,
            )
        else:
            known = labels is not None and labels.encoding is Encoding.ONE_HOT
            made = edits.fix("Use softmax", fixers.set_activation(head, "softmax", ctx), preferred=True, safe=known)
        related = P.head_related(head) + P.labels_related(labels) + P.fit_related(t)
        yield self.diagnostic(head.activation_site or head.site, message, related, [made] if made else [], training=t)
