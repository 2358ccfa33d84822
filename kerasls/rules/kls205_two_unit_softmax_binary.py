"""KLS205: a two-unit softmax trained with binary crossentropy on 0/1 labels."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import consequences as C
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
    name = "two-unit-softmax-with-binary-crossentropy"
    severity = Severity.ERROR
    summary = "Two-unit softmax with binary crossentropy on 0/1 labels"

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
        if not binary or (labels.classes or 2) != 2 or head.width != 2 or head.activation != "softmax":
            return
        message = (
            f"The model ends in 2 softmax outputs, but the labels are {P.describe_labels(labels)}, shape {P.label_shape(labels)}, "
            f"and binary crossentropy compares that one label with both columns. "
        )
        variants = [C.pipeline_variant(labels) + ("_rank1" if labels.rank == 1 and labels.container == "array" else "")]
        message += C.on_each_line(ctx, self.code, variants + [C.pipeline_variant(labels)]) or C.SHAPE_HEDGE
        related = P.labels_related(labels) + P.head_related(head) + P.loss_related(t.loss) + P.fit_related(t)
        return_fixes = [
            edits.fix(
                "Use one sigmoid output",
                fixers.set_units_literal(head, 1),
                fixers.set_activation(head, "sigmoid", ctx),
                preferred=True,
            ),
            edits.fix(
                "Use sparse categorical crossentropy",
                *(fixers.replace_loss(t.loss, "sparse_categorical_crossentropy", ctx) or [None]),
            ),
        ]
        yield self.diagnostic(head.site, message, related, [f for f in return_fixes if f])
