"""KLS204: class_mode / label_mode 'binary' over more than two classes."""

from __future__ import annotations

from ..engine.facts import Encoding
from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class BinaryLabelModeWithManyClasses(Rule):
    """
    ## What it does
    Finds `class_mode='binary'` (`flow_from_directory`, `flow_from_dataframe`) or
    `label_mode='binary'` (`image_dataset_from_directory` and friends) on data with
    more than two classes.

    ## Why is this bad?
    Binary mode is for exactly two classes. `image_dataset_from_directory` refuses it:
    "{measured.keras3.image_dataset_binary.error}". `flow_from_directory` does not: with three
    class folders it yields the labels {measured.keras3.flow_from_directory_binary.label_values} as one
    column, binary crossentropy on a target of 2 goes negative (measured loss
    {measured.keras3.flow_from_directory_binary.final.loss}) and accuracy stays at
    {measured.keras3.flow_from_directory_binary.final.accuracy}, against
    {measured.keras3.fixed.final.accuracy} with `class_mode='categorical'` and a softmax head.

    ## Example
    ```python
    train = gen.flow_from_directory("bananas/", class_mode="binary")  # unripe, ripe, overripe
    ```

    ## Use instead
    ```python
    train = gen.flow_from_directory("bananas/", class_mode="categorical")
    # with Dense(train.num_classes, activation="softmax") and categorical_crossentropy
    ```
    """

    code = "KLS204"
    name = "binary-label-mode-with-many-classes"
    severity = Severity.ERROR
    summary = "class_mode/label_mode 'binary' on more than two classes"

    VALID = [
        Example("""
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator()
train = gen.flow_from_directory("data", class_mode="binary", classes=["clean", "dusty"])
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(train)
"""),
    ]
    INVALID = [
        Example(
            """
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator()
train = gen.flow_from_directory("bananas", class_mode="binary")
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(train)
""",
            fixed="""
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator()
train = gen.flow_from_directory("bananas", class_mode="categorical")
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(train)
""",
            folders={"bananas": ["overripe", "ripe", "unripe"]},
        ),
    ]

    def check(self, t: Training, ctx: Context):
        for labels in (t.labels, t.validation):
            if labels is None or labels.encoding is not Encoding.BINARY or labels.mode_param is None:
                continue
            if labels.classes is None or labels.classes <= 2:
                continue
            yield self._report(labels, t, ctx)

    def _report(self, labels, t: Training, ctx: Context):
        K = labels.classes
        function = labels.origin.split("(")[0]
        what = f"{labels.mode_param}='binary' is for 2 classes, but there are {K}\n"
        what += f"({labels.count.note or 'from the classes given'}) "
        if labels.mode_param == "label_mode":
            consequence = (
                f"{function} raises: 'When passing label_mode=\"binary\", there must be exactly 2 class_names.'"
            )
        else:
            consequence = f"{function} yields the class indices 0..{K - 1} as one column."
        site = labels.mode_site or labels.site
        related = P.labels_related(labels) + P.head_related(t.head) + P.loss_related(t.loss)
        made = edits.fix(
            f"Use one-hot labels ({labels.mode_param}='categorical')",
            fixers.set_label_mode(labels, "categorical", ctx),
            preferred=True,
        )
        training = t if labels is t.labels and labels.mode_param == "class_mode" else None
        return self.diagnostic(site, what + consequence, related, [made] if made else [], training=training)
