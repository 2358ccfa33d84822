"""KLS203: sparse categorical crossentropy on one-hot labels."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class SparseCrossentropyOnOneHotLabels(Rule):
    """
    ## What it does
    Finds sparse categorical crossentropy used with one-hot labels (`to_categorical`,
    `class_mode='categorical'`, `label_mode='categorical'`, `pd.get_dummies`).

    ## Why is this bad?
    Sparse categorical crossentropy reads each label as one integer class index, shape
    `(batch,)`. One-hot labels have shape `(batch, K)`, so the loss cannot line them up
    with the output and training stops at the first step. Measured: Keras 3 raises
    "{measured.keras3.invalid.error}"; Keras 2 raises "{measured.tf_keras.invalid.error}".

    ## Example
    ```python
    y_train = to_categorical(y_train, 29)
    model.compile(loss="sparse_categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.compile(loss="categorical_crossentropy")
    ```
    """

    code = "KLS203"
    name = "sparse-crossentropy-on-one-hot-labels"
    severity = Severity.ERROR
    summary = "Sparse categorical crossentropy on one-hot labels"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 4)
model = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), y)
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 4)
model = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(np.load("x.npy"), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 4)
model = keras.Sequential([keras.layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(np.load("x.npy"), y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, loss = t.labels, t.loss
        if labels is None or loss is None or t.loss_family != "sparse" or labels.encoding is not Encoding.ONE_HOT:
            return
        message = (
            f"Sparse categorical crossentropy expects class indices (None,); these are one-hot (None, {P.k(labels)})\n"
            f"{P.labels_line(labels)}"
        )
        related = P.labels_related(labels) + P.head_related(t.head) + P.fit_related(t)
        yield self.diagnostic(loss.site, message, related, self._fixes(t, ctx), training=t)

    def _fixes(self, t: Training, ctx: Context):
        return fixers.loss_or_labels_fixes(
            t,
            ctx,
            "categorical_crossentropy",
            "Use categorical crossentropy (one-hot labels)",
            fixers.INTEGER_MODES,
            "Make the labels integers ({param}={mode!r})",
        )
