"""KLS207: single-label one-hot classes trained as multi-label (independent sigmoids, binary crossentropy)."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class OneHotTrainedAsMultiLabel(Rule):
    """
    ## What it does
    Finds labels known to be one-hot — exactly one 1 per row (`to_categorical`,
    `class_mode='categorical'`, `label_mode='categorical'`, `tf.one_hot`) — trained on one
    sigmoid output per class with binary crossentropy (or on logits with
    `BinaryCrossentropy(from_logits=True)`, which applies the sigmoids): the multi-label setup.

    ## Why is this bad?
    Independent sigmoids answer K separate yes/no questions and nothing makes the classes
    compete, while each sample has exactly one class. Binary crossentropy and binary accuracy
    then count every column alike, and in one-hot rows all but one column are 0: a model
    that answers "no" everywhere already scores (K-1)/K binary accuracy — 0.90 for 10
    classes — however badly it picks the class. Softmax with categorical crossentropy is the
    single-label setup. What fit then does for the exact configuration is measured and
    reported with the finding.

    ## Example
    ```python
    y = keras.utils.to_categorical(labels, 10)
    model.add(Dense(10, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", metrics=["binary_accuracy"])
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    ```
    """

    code = "KLS207"
    name = "one-hot-trained-as-multi-label"
    severity = Severity.WARNING
    summary = "One-hot (single-label) classes trained with independent sigmoids and binary crossentropy"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = np.random.randint(0, 2, size=(500, 6))  # multi-hot: several tags per sample
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(6, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["binary_accuracy"])
model.fit(np.random.rand(500, 20), y)
"""),
        Example("""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(np.random.rand(500, 20), y)
"""),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
model.fit(np.random.rand(500, 20), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.random.randint(0, 10, size=(500,)), 10)
model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["binary_accuracy"])
model.fit(np.random.rand(500, 20), y)
""",
        ),
        Example(
            """
import tensorflow as tf
train = tf.keras.utils.image_dataset_from_directory("data/train", label_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Rescaling(1 / 255), tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])
model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(train)
""",
            fixed="""
import tensorflow as tf
train = tf.keras.utils.image_dataset_from_directory("data/train", label_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Rescaling(1 / 255), tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(train)
""",
            folders={"data/train": ["a", "b", "c", "d", "e"]},
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, head, loss = t.labels, t.head, t.loss
        if labels is None or head is None or loss is None or t.loss_family != "binary":
            return
        if labels.encoding is not Encoding.ONE_HOT or labels.classes is None or labels.classes < 3:
            return
        sigmoids = (head.activation == "sigmoid" and loss.logits is False) or (
            head.activation == "linear" and loss.logits is True  # the loss applies the sigmoids
        )
        if not sigmoids or head.width != labels.classes:
            return
        K = labels.classes
        message = (
            f"{K} independent sigmoids with binary crossentropy, but each sample has one class (one-hot)\n"
            f"Nothing makes the classes compete, and binary accuracy over one-hot rows scores {K - 1}/{K} = "
            f"{(K - 1) / K:.4f} for answering no everywhere. {P.labels_line(labels)}"
        )
        related = P.labels_related(labels) + P.head_related(head) + P.loss_related(loss) + P.fit_related(t)
        loss_edits = fixers.replace_loss(loss, "categorical_crossentropy", ctx) or [None]
        if loss.logits:  # keep the logits: CategoricalCrossentropy(from_logits=True) applies the softmax
            made = edits.fix("Use categorical crossentropy (from logits)", *loss_edits, preferred=True)
        else:
            changes = [fixers.set_activation(head, "softmax", ctx), *loss_edits]
            made = edits.fix("Use softmax with categorical crossentropy", *changes, preferred=True)
        yield self.diagnostic(head.site, message, related, [made] if made else [], training=t)
