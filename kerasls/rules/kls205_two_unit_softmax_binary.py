"""KLS205: two outputs (softmax or sigmoid) trained with binary crossentropy on one 0/1 label column."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class TwoUnitSoftmaxWithBinaryCrossentropy(Rule):
    """
    ## What it does
    Finds a final `Dense(2, activation='softmax')` trained with binary crossentropy on
    binary labels of shape `(batch,)` or `(batch, 1)` (`class_mode='binary'`, 0/1 arrays).

    ## Why is this bad?
    Binary crossentropy compares the label with every output column. The two softmax
    outputs always sum to one, and the single 0/1 label is broadcast against both, so
    the loss cannot mean anything. Measured: with numpy arrays Keras 3 raises
    "{measured.keras3.arrays.error}" and Keras 2 "{measured.tf_keras.arrays.error}"; through a
    `tf.data` pipeline that hides the label shape both train silently, report an accuracy of
    {measured.keras3.tf_data_unknown_shape.final.accuracy}, and pick the right class
    {measured.keras3.tf_data_unknown_shape.decision_accuracy} of the time (chance is 0.5).

    ## Example
    ```python
    model.add(Dense(2, activation="softmax"))
    model.compile(loss="binary_crossentropy")  # labels from class_mode="binary"
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy")
    ```
    """

    code = "KLS205"
    name = "two-outputs-on-a-binary-column"
    severity = Severity.ERROR
    summary = "Two outputs (softmax or sigmoid) trained with binary crossentropy on one 0/1 label column"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 2, size=(200,))
model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(np.zeros((200, 3)), y)
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 2, size=(200, 1))
model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
model.compile(loss="binary_crossentropy")
model.fit(np.zeros((200, 3)), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 2, size=(200, 1))
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(np.zeros((200, 3)), y)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, head = t.labels, t.head
        if labels is None or head is None or t.loss_family != "binary":
            return
        binary = labels.encoding is Encoding.BINARY or (labels.encoding is Encoding.INTEGER and labels.classes == 2)
        if not binary or (labels.classes or 2) != 2 or head.width != 2 or head.activation not in ("softmax", "sigmoid"):
            return
        act = head.activation
        message = (
            f"The final layer outputs 2 values ({act}), but the labels are one 0/1 column, shape {P.label_shape(labels)}\n"
            f"Binary crossentropy compares that one label with both outputs. {P.labels_line(labels)}"
        )
        related = P.labels_related(labels) + P.head_related(head) + P.loss_related(t.loss) + P.fit_related(t)
        one_sigmoid = [fixers.set_units_literal(head, 1)]
        if act != "sigmoid":
            one_sigmoid.append(fixers.set_activation(head, "sigmoid", ctx))
        options = [edits.fix("Use one sigmoid output", *one_sigmoid, preferred=True)]
        if act == "softmax":
            options.append(
                edits.fix(
                    "Use sparse categorical crossentropy",
                    *(fixers.replace_loss(t.loss, "sparse_categorical_crossentropy", ctx) or [None]),
                )
            )
        yield self.diagnostic(head.site, message, related, [f for f in options if f], training=t)
