"""KLS301: softmax over a single output unit."""

from __future__ import annotations

from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class SoftmaxOnSingleUnit(Rule):
    """
    ## What it does
    Finds a model whose output is one unit passed through softmax, whether as
    `Dense(1, activation='softmax')`, a following `Activation('softmax')` or `Softmax()`.

    ## Why is this bad?
    Softmax normalises its inputs so that they sum to one; over a single value it is
    always exactly 1.0, so the model predicts 1.0 for every sample. Measured: every prediction
    was {measured.keras3.invalid.output_constant} and accuracy stayed at the share of positive labels
    ({measured.keras3.invalid.final.accuracy}) in every epoch, against
    {measured.keras3.fixed.final.accuracy} with a sigmoid output. The reported loss is misleading:
    on the TensorFlow backend Keras computes it from the values before the softmax, so it falls
    (to {measured.keras3.invalid.final.loss}) while the predictions never change; on JAX it stays at
    {measured.keras3.jax.invalid.final.loss}.

    ## Example
    ```python
    model.add(Dense(1, activation="softmax"))
    model.compile(loss="binary_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy")
    ```
    """

    code = "KLS301"
    name = "softmax-on-single-unit"
    severity = Severity.ERROR
    summary = "Softmax over a single output unit is always 1.0"

    VALID = [
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
"""),
    ]
    INVALID = [
        Example(
            """
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="softmax")])
model.compile(loss="binary_crossentropy")
""",
            fixed="""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
""",
        ),
        Example(
            """
import keras
from keras import layers
inputs = keras.Input(shape=(20,))
x = layers.Dense(1)(inputs)
outputs = layers.Activation("softmax")(x)
model = keras.Model(inputs, outputs)
""",
            fixed="""
import keras
from keras import layers
inputs = keras.Input(shape=(20,))
x = layers.Dense(1)(inputs)
outputs = layers.Activation("sigmoid")(x)
model = keras.Model(inputs, outputs)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        head = t.head
        if head is None or head.width != 1 or head.activation != "softmax":
            return
        site = head.activation_site if head.activation_layer is not None and head.activation_site else head.site
        message = (
            "Softmax over a single unit always outputs exactly 1.0, whatever the input\n"
            "Softmax divides by the sum of its outputs; one output divided by itself is 1. "
            "One output needs sigmoid; softmax needs one unit per class."
        )
        related = P.head_related(head) + P.loss_related(t.loss) + P.labels_related(t.labels)
        name = None if t.loss is not None and t.loss.logits else "sigmoid"
        title = "Output logits (the loss has from_logits=True)" if name is None else "Use sigmoid for a single output"
        made = edits.fix(title, fixers.set_activation(head, name, ctx), preferred=True)
        yield self.diagnostic(site, message, related, [made] if made else [], training=t)
