"""KLS101: the final layer's width differs from the number of classes."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class OutputUnitsMismatchClassCount(Rule):
    """
    ## What it does
    Compares the number of units in the model's final layer with the number of classes
    the labels have: the columns of one-hot labels (`class_mode='categorical'`,
    `to_categorical(y, K)`, `tf.one_hot`), or the range of integer labels.

    ## Why is this bad?
    One-hot labels of shape `(batch, K)` need an output of shape `(batch, K)`. With a
    different width, Keras 3 raises at the first training step, and Keras 2 either
    raises or, for a single output unit, broadcasts it against every label column and
    trains silently on nonsense. With integer labels and fewer units than classes, the
    largest labels fall outside the output: sparse crossentropy raises on CPU
    ("{measured.keras3.invalid_sparse.error}"); on a GPU, TensorFlow's documentation of
    `sparse_softmax_cross_entropy_with_logits` says the loss is NaN instead (not measured here).

    Measured with a 10-class problem and `Dense(9)`: Keras 3 raises
    "{measured.keras3.invalid_one_hot.error}", Keras 2 "{measured.tf_keras.invalid_one_hot.error}";
    with `Dense(10)` the same model reaches {measured.keras3.fixed.final.accuracy} accuracy.

    ## Example
    ```python
    train = gen.flow_from_directory("data/train", class_mode="categorical")  # 42 folders
    model = Sequential([..., Dense(1)])
    ```

    ## Use instead
    ```python
    model = Sequential([..., Dense(train.num_classes, activation="softmax")])
    ```
    """

    code = "KLS101"
    name = "output-units-mismatch-class-count"
    severity = Severity.ERROR
    summary = "The final layer's units differ from the number of classes in the labels"

    VALID = [
        Example("""
import numpy as np
from tensorflow import keras
y = keras.utils.to_categorical(np.load("y.npy"), 10)
model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(np.load("x.npy"), y)
"""),
        Example("""
import keras
(x, y), _ = keras.datasets.mnist.load_data()
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y)
"""),
        Example(
            """
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator()
train = gen.flow_from_directory("data/train", class_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Dense(train.num_classes, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(train)
""",
            folders={"data/train": ["a", "b", "c"]},
        ),
    ]
    INVALID = [
        Example(
            """
import numpy as np
from tensorflow import keras
NUM_CLASSES = 10
y = keras.utils.to_categorical(np.load("y.npy"), NUM_CLASSES)
model = keras.Sequential([keras.layers.Dense(9, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), y)
""",
            fixed="""
import numpy as np
from tensorflow import keras
NUM_CLASSES = 10
y = keras.utils.to_categorical(np.load("y.npy"), NUM_CLASSES)
model = keras.Sequential([keras.layers.Dense(NUM_CLASSES, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(np.load("x.npy"), y)
""",
        ),
        Example(
            """
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Flatten
train = ImageDataGenerator().flow_from_directory("data/train", class_mode="categorical")
model = Sequential([Flatten(), Dense(1, activation="sigmoid")])
model.compile(loss="categorical_crossentropy")
model.fit(train)
""",
            fixed="""
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Flatten
train = ImageDataGenerator().flow_from_directory("data/train", class_mode="categorical")
model = Sequential([Flatten(), Dense(train.num_classes, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(train)
""",
            folders={"data/train": ["cat", "dog", "fox"]},
        ),
    ]

    def check(self, t: Training, ctx: Context):
        labels, head = t.labels, t.head
        if labels is None or head is None or head.width is None or head.layer is None:
            return
        width, classes = head.width, labels.classes
        if labels.encoding is Encoding.ONE_HOT:
            if classes is not None and classes >= 2 and width != classes:
                problem = "one-hot"
            elif classes is None and width == 1:
                problem = "one-hot"
            else:
                return
        elif labels.encoding is Encoding.INTEGER and classes is not None and classes > 2 and width < classes:
            if t.loss_family not in ("sparse", "binary", "categorical"):
                return  # integer targets with a regression loss may be ordinal on purpose
            problem = "integer"
        else:
            return
        message = self._message(problem, width, t)
        related = P.labels_related(labels) + P.head_related(head) + P.loss_related(t.loss) + P.fit_related(t)
        yield self.diagnostic(head.site, message, related, self._fixes(t, ctx), training=t)

    def _message(self, problem: str, width: int, t: Training) -> str:
        labels = t.labels
        if problem == "integer":
            return (
                f"The final layer outputs {P.units(width)}, but the integer labels go up to {labels.classes - 1}\n"
                f"Labels {width}..{labels.classes - 1} have no output unit. {P.labels_line(labels)}"
            )
        return (
            f"The final layer outputs {P.units(width)}, but the labels are one-hot over {P.k(labels)} classes\n"
            f"{P.labels_line(labels)}"
        )

    def _fixes(self, t: Training, ctx: Context):
        head, labels = t.head, t.labels
        units_edit = fixers.set_units(head, labels)
        if units_edit is None:
            return []
        changes = [units_edit]
        title = f"Make the final layer output {units_edit.new_text} values"
        if head.activation == "sigmoid":  # one label per sample: the classes compete, so softmax
            changes.append(fixers.set_activation(head, "softmax", ctx))
            title += " through softmax"
        made = edits.fix(title, *changes, preferred=True)
        return [made] if made else []
