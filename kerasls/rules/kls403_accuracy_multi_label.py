"""KLS403: 'accuracy' on a multi-label head resolves to categorical accuracy."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits
from . import phrases as P
from .api import Context, Example, Rule, Training


class AccuracyOnMultiLabelOutput(Rule):
    """
    ## What it does
    Notes `metrics=['accuracy']` on a multi-label model: several sigmoid outputs trained
    with binary crossentropy on labels known to be multi-hot (`MultiLabelBinarizer`,
    random 0/1 matrices). It stays silent when the labels are unknown: for single-label
    one-hot labels the advice below would inflate the score (see KLS207).

    ## Why is this bad?
    With more than one output and labels of the same shape, compile turns `'accuracy'`
    into categorical accuracy: it checks whether the single highest-scoring tag is one of
    the true tags. That says little about a multi-label model, which must get every tag
    right (measured: `'accuracy'` became {measured.keras3.accuracy_and_binary_accuracy.resolved_metric}
    = {measured.keras3.accuracy_and_binary_accuracy.final.accuracy} while binary accuracy was
    {measured.keras3.accuracy_and_binary_accuracy.final.binary_accuracy}). This is a
    note, not an error: the training itself is right.

    ## Example
    ```python
    y = MultiLabelBinarizer().fit_transform(tags)
    model.add(Dense(6, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss="binary_crossentropy", metrics=["binary_accuracy", keras.metrics.AUC(multi_label=True)])
    ```
    """

    code = "KLS403"
    name = "accuracy-on-multi-label-output"
    severity = Severity.INFORMATION
    summary = "'accuracy' on a multi-label sigmoid head means categorical accuracy"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 2, (100, 6))
model = keras.Sequential([keras.layers.Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["binary_accuracy"])
model.fit(np.random.rand(100, 8), y)
"""),
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["accuracy"])
"""),
    ]
    INVALID = [
        Example(
            """
from sklearn.preprocessing import MultiLabelBinarizer
from tensorflow import keras
y = MultiLabelBinarizer().fit_transform(tags)
model = keras.Sequential([keras.layers.Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y)
""",
            fixed="""
from sklearn.preprocessing import MultiLabelBinarizer
from tensorflow import keras
y = MultiLabelBinarizer().fit_transform(tags)
model = keras.Sequential([keras.layers.Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["binary_accuracy"])
model.fit(x, y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        width, labels = t.width, t.labels
        if width is None or width < 2 or t.activation != "sigmoid" or t.loss_family != "binary":
            return
        if labels is None or labels.encoding is not Encoding.MULTI_HOT:
            return  # unknown labels may be one-hot, where binary accuracy flatters (KLS207)
        for metric in t.metrics:
            if metric.name != "accuracy":
                continue
            message = (
                f"{metric.written} is categorical accuracy on this {width}-output sigmoid head\n"
                f"It only checks whether the top-scoring tag is a true tag. For multi-label output, "
                f"'binary_accuracy' or AUC/precision/recall say more."
            )
            made = edits.fix(
                "Use 'binary_accuracy'", edits.replace_string(metric.site, "binary_accuracy"), preferred=True
            )
            yield self.diagnostic(
                metric.site, message, P.head_related(t.head) + P.loss_related(t.loss), [made] if made else []
            )
