"""KLS601: fit_generator / evaluate_generator / predict_generator."""

from __future__ import annotations

from ..engine.values import Site
from ..text.diagnostics import Severity
from . import edits
from .api import Context, Example, Rule

_FIT_KEYWORDS = {
    "generator",
    "steps_per_epoch",
    "epochs",
    "verbose",
    "callbacks",
    "validation_data",
    "validation_steps",
    "validation_freq",
    "class_weight",
    "initial_epoch",
    "shuffle",
    "steps",
}
_REPLACEMENT = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}


class GeneratorMethodRemoved(Rule):
    """
    ## What it does
    Finds `model.fit_generator(...)`, `evaluate_generator` and `predict_generator`.

    ## Why is this bad?
    Keras 2 deprecated them (`Model.fit` accepts generators and `Sequence`s) and Keras 3
    removed them: "{measured.keras3.invalid.error}". On Keras 2 they still work, with the
    warning "{measured.tf_keras.invalid.warnings}".

    ## Example
    ```python
    model.fit_generator(train_gen, steps_per_epoch=100, epochs=10)
    ```

    ## Use instead
    ```python
    model.fit(train_gen, steps_per_epoch=100, epochs=10)
    ```
    """

    code = "KLS601"
    name = "generator-method-removed"
    severity = Severity.WARNING
    severity_varies = True
    summary = "fit_generator and friends: deprecated in Keras 2, removed in Keras 3"

    VALID = [
        Example("""
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.fit(tf.keras.utils.image_dataset_from_directory("d"), epochs=3)
"""),
    ]
    INVALID = [
        Example(
            """
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator().flow_from_directory("d", class_mode="binary")
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit_generator(generator=gen, steps_per_epoch=10, epochs=3)
""",
            fixed="""
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator().flow_from_directory("d", class_mode="binary")
model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(loss="binary_crossentropy")
model.fit(x=gen, steps_per_epoch=10, epochs=3)
""",
        ),
    ]

    def check_module(self, ctx: Context):
        for call in ctx.facts.legacy:
            if call.kind != "generator_method":
                continue
            new = _REPLACEMENT[call.name]
            keras3 = f"it raises AttributeError: the method was removed (\"'Sequential' object has no attribute '{call.name}'\")."
            keras2 = f"it still works but is deprecated; `{new}` accepts generators."
            severity = {3: Severity.ERROR, 2: Severity.INFORMATION}.get(ctx.runtime.keras, Severity.WARNING)
            message = f"`{call.name}` is gone in Keras 3\n" + ctx.on_keras(
                keras3[0].upper() + keras3[1:], keras2[0].upper() + keras2[1:]
            )
            yield self.diagnostic(call.detail or call.site, message, [], self._fixes(call, new), severity=severity)

    @staticmethod
    def _fixes(call, new: str):
        if call.detail is None or call.positional > 1 or not set(call.keywords) <= _FIT_KEYWORDS:
            return []
        changes = [edits.replace(call.detail, new)]
        if "generator" in call.keywords:
            keyword = next(
                a.keyword for a in call.site.node.args if a.keyword is not None and a.keyword.value == "generator"
            )
            changes.append(edits.at(call.site, Site(call.site.chunk, keyword).span, "x"))
        made = edits.fix(f"Use model.{new}", *changes, preferred=True)
        return [made] if made else []
