"""KLS201: binary crossentropy on one-hot labels of several classes, with one output unit."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class BinaryCrossentropyOnOneHotLabels(Rule):
    """
    ## What it does
    Finds binary crossentropy used with one-hot labels over several classes while the
    model has a single output unit.

    ## Why is this bad?
    Binary crossentropy scores each label column as an independent yes/no question. With
    one-hot labels over K classes and one output, that one number is compared with all K
    columns; the cheapest answer is "no" everywhere, which matches K-1 of K columns.

    This is the setup of a widely read question: 42 classes, `class_mode='categorical'`,
    `Dense(1)`, `BinaryCrossentropy(from_logits=True)`, accuracy frozen at 0.9762 for
    hours. Measured with 42 classes: Keras 2 (tf_keras) with `flow_from_directory` trains
    without an error at {measured.tf_keras.directory_iterator.final.accuracy} training and
    {measured.tf_keras.directory_iterator.final.val_accuracy} validation accuracy, never moving; with
    numpy arrays it raises "{measured.tf_keras.arrays.error}". Keras 3 raises
    "{measured.keras3.arrays.error}" for arrays and `flow_from_directory`, but trains silently at
    {measured.keras3.tf_data_unknown_shape.final.accuracy} on a `tf.data` pipeline whose label shape
    is unknown. With `Dense(42)` and categorical crossentropy the same data reaches
    {measured.keras3.fixed.final.val_accuracy} validation accuracy.

    ## Example
    ```python
    train = gen.flow_from_directory(train_dir, class_mode="categorical")
    model = Sequential([..., Dense(1)])
    model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model = Sequential([..., Dense(train.num_classes)])
    model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    ```
    """

    code = "KLS201"
    name = "binary-crossentropy-on-one-hot-labels"
    severity = Severity.ERROR
    summary = "Binary crossentropy on one-hot multi-class labels with a single output"

    VALID = [
        Example("""
import numpy as np
import tensorflow as tf
y = np.random.randint(0, 2, size=(100,))
model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy", metrics=["accuracy"])
model.fit(np.zeros((100, 4)), y)
"""),
        Example("""
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator()
train = gen.flow_from_directory("data", class_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Dense(train.num_classes)])
model.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
model.fit(train)
"""),
    ]
    INVALID = [
        Example(
            """
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
train_gen = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data/train", class_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
model.fit(train_gen)
""",
            fixed="""
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
train_gen = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data/train", class_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
model.fit(train_gen)
""",
            folders={"data/train": [f"c{i}" for i in range(42)]},
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, loss = t.labels, t.loss
        if labels is None or loss is None or t.loss_family != "binary" or t.width != 1:
            return
        if labels.encoding is not Encoding.ONE_HOT:
            return
        K = P.k(labels)
        message = (
            f"Binary crossentropy scores the single output against {K} one-hot label columns\n"
            f"It treats them as {K} independent yes/no targets. {P.labels_line(labels)}"
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
            "Use integer labels ({param}={mode!r}) with sparse categorical crossentropy",
            with_loss="sparse_categorical_crossentropy",
        )
