"""KLS303: raw scores (no softmax/sigmoid) fed to a loss expecting probabilities."""

from __future__ import annotations

from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class LogitsIntoProbabilityLoss(Rule):
    """
    ## What it does
    Finds a classification model whose output has no softmax or sigmoid (no activation,
    `linear`, `relu`, ...) compiled with a crossentropy loss that expects probabilities
    (`from_logits=False`, the default for strings, functions and loss classes).

    ## Why is this bad?
    With `from_logits=False` the loss takes the outputs as probabilities: binary
    crossentropy clips them to [1e-7, 1 - 1e-7], categorical crossentropy divides them by
    their sum. Raw scores are neither, so gradients vanish or point the wrong way and the
    model trains badly without any error. Measured on the same data with a linear output:
    validation accuracy {measured.keras3.invalid_linear.final.val_accuracy} with `from_logits=False`
    against {measured.keras3.fixed.final.val_accuracy} with `from_logits=True`; with a relu output the
    loss was NaN in {measured.keras3.invalid_relu.nan_epochs} of the epochs.

    ## Example
    ```python
    model.add(Dense(num_classes))
    model.compile(loss="sparse_categorical_crossentropy")
    ```

    ## Use instead
    ```python
    model.add(Dense(num_classes))
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ```
    """

    code = "KLS303"
    name = "logits-into-probability-loss"
    severity = Severity.WARNING
    summary = "Output without softmax/sigmoid into a loss expecting probabilities"

    VALID = [
        Example("""
import keras
model = keras.Sequential([keras.layers.Dense(5)])
model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
"""),
        Example("""
import keras
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(loss="mse")
"""),
    ]
    INVALID = [
        Example(
            """
import keras
model = keras.Sequential([keras.layers.Dense(5)])
model.compile(loss="categorical_crossentropy")
""",
            fixed="""
import keras
model = keras.Sequential([keras.layers.Dense(5)])
model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
""",
        ),
        Example(
            """
import keras
model = keras.Sequential([keras.layers.Dense(5, activation="relu")])
model.compile(loss="categorical_crossentropy")
""",
            fixed="""
import keras
model = keras.Sequential([keras.layers.Dense(5, activation="softmax")])
model.compile(loss="categorical_crossentropy")
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        head, loss = t.head, t.loss
        if head is None or loss is None or loss.logits is not False:
            return
        family = t.loss_family
        if family not in ("binary", "categorical", "sparse") or head.activation is None:
            return
        from ..knowledge import NON_PROBABILITY_ACTIVATIONS

        if head.activation not in NON_PROBABILITY_ACTIVATIONS:
            return
        if family == "categorical" and head.width == 1:
            return  # KLS304: the loss is 0 whatever the activation
        expected = "sigmoid" if family == "binary" else "softmax"
        act = "no activation" if head.activation == "linear" else f"{head.activation}"
        treatment = (
            "clips them to [1e-7, 1 - 1e-7], so scores outside that range get no gradient"
            if family == "binary"
            else "divides them by their sum, which is meaningless for scores that can be negative or zero"
        )
        message = (
            f"The output is raw scores ({act}), but the loss expects probabilities (from_logits=False)\n"
            f"{loss.written} {treatment}."
        )
        related = P.head_related(head) + P.labels_related(t.labels)
        to_logits = edits.fix(
            "Tell the loss it receives logits (from_logits=True)", *(fixers.set_from_logits(loss, True, ctx) or [None])
        )
        to_probabilities = edits.fix(f"Use {expected} on the final layer", fixers.set_activation(head, expected, ctx))
        shared_with_probabilities = any(other.activation in ("softmax", "sigmoid") for other in ctx.sharing_loss(t))
        if head.activation == "linear" and not shared_with_probabilities:
            options = [to_logits and _preferred(to_logits), to_probabilities]
        else:
            options = [to_probabilities and _preferred(to_probabilities), to_logits]
        yield self.diagnostic(loss.site, message, related, [f for f in options if f], training=t)


def _preferred(fix):
    from dataclasses import replace

    return replace(fix, preferred=True)
