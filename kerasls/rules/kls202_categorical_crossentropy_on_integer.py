"""KLS202: categorical crossentropy on integer class labels."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class CategoricalCrossentropyOnIntegerLabels(Rule):
    """
    ## What it does
    Finds categorical crossentropy used with labels that are integer class indices:
    `image_dataset_from_directory`'s default `label_mode='int'`, `class_mode='sparse'`,
    the `keras.datasets` loaders (CIFAR's labels have shape `(N, 1)`), `LabelEncoder`.

    ## Why is this bad?
    Categorical crossentropy needs one-hot labels with the same shape as the output,
    `(batch, K)`. Integer labels have shape `(batch,)` or `(batch, 1)`, so training
    stops at the first step. Measured with labels of shape `(N,)`: Keras 3 raises
    "{measured.keras3.invalid_rank1.error}"; Keras 2 raises "{measured.tf_keras.invalid_rank1.error}".
    With CIFAR-style `(N, 1)` labels Keras 3 raises "{measured.keras3.invalid_column.error}".

    ## Example
    ```python
    train_ds = keras.utils.image_dataset_from_directory("data/train")  # label_mode="int"
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ```
    """

    code = "KLS202"
    name = "categorical-crossentropy-on-integer-labels"
    severity = Severity.ERROR
    summary = "Categorical crossentropy on integer class labels"

    VALID = [
        Example("""
import keras
train_ds = keras.utils.image_dataset_from_directory("data/train", label_mode="categorical")
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(train_ds)
"""),
        Example("""
import keras
(x, y), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(x, y)
"""),
    ]
    INVALID = [
        Example(
            """
import keras
train_ds = keras.utils.image_dataset_from_directory("data/train")
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(train_ds)
""",
            fixed="""
import keras
train_ds = keras.utils.image_dataset_from_directory("data/train")
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy")
model.fit(train_ds)
""",
        ),
        Example(
            """
from tensorflow import keras
(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(loss=keras.losses.CategoricalCrossentropy())
model.fit(x_train, y_train)
""",
            fixed="""
from tensorflow import keras
(x_train, y_train), _ = keras.datasets.cifar10.load_data()
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy())
model.fit(x_train, y_train)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, loss = t.labels, t.loss
        if labels is None or loss is None or t.loss_family != "categorical":
            return
        if labels.encoding not in (Encoding.INTEGER, Encoding.BINARY) or t.width == 1:
            return  # a single output with categorical crossentropy is KLS304's finding
        shape = P.label_shape(labels)
        K = str(t.width) if t.width else P.k(labels)
        kind = "0/1 labels" if labels.encoding is Encoding.BINARY else "class indices"
        message = (
            f"Categorical crossentropy expects one-hot labels (None, {K}); these are {kind}, shape {shape}\n"
            f"{P.labels_line(labels)}"
        )
        related = P.labels_related(labels) + P.head_related(t.head) + P.fit_related(t)
        yield self.diagnostic(loss.site, message, related, self._fixes(t, ctx), training=t)

    def _fixes(self, t: Training, ctx: Context):
        return fixers.loss_or_labels_fixes(
            t,
            ctx,
            "sparse_categorical_crossentropy",
            "Use sparse categorical crossentropy (integer labels)",
            fixers.ONE_HOT_MODES,
            "Make the labels one-hot ({param}={mode!r})",
        )
