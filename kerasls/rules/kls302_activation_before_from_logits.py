"""KLS302: a softmax/sigmoid output fed to a loss told to expect logits."""

from __future__ import annotations

from ..text.diagnostics import Severity
from . import edits, fixers
from . import phrases as P
from .api import Context, Example, Rule, Training


class ActivationBeforeFromLogitsLoss(Rule):
    """
    ## What it does
    Finds a model whose output already passes through softmax or sigmoid, compiled with
    a crossentropy loss that has `from_logits=True`.

    ## Why is this bad?
    `from_logits=True` tells the loss that it receives raw scores and must apply the
    softmax or sigmoid itself. What happens then depends on the backend. On TensorFlow,
    Keras recognises the activation, warns and uses the values before it (measured:
    `{measured.keras3.softmax_from_logits.warnings}`; validation accuracy
    {measured.keras3.softmax_from_logits.final.val_accuracy} against
    {measured.keras3.fixed_softmax.final.val_accuracy} for the correct setup), so the mistake is
    harmless but fragile. On JAX the activation is applied twice without a warning: the loss is
    computed on softmax(softmax(z)) and reads {measured.keras3.jax.softmax_from_logits.final.loss}
    instead of {measured.keras3.jax.fixed_softmax.final.loss} for the same task, which distorts the
    gradients (accuracy {measured.keras3.jax.softmax_from_logits.final.val_accuracy} against
    {measured.keras3.jax.fixed_softmax.final.val_accuracy} here).

    ## Example
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ```

    ## Use instead
    ```python
    model.add(Dense(10, activation="softmax"))
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy())
    ```
    """

    code = "KLS302"
    name = "activation-before-from-logits-loss"
    severity = Severity.WARNING
    severity_varies = True
    summary = "Softmax/sigmoid output into a loss with from_logits=True"

    VALID = [
        Example("""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(10)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""),
    ]
    INVALID = [
        Example(
            """
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""",
            fixed="""
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        head, loss = t.head, t.loss
        if head is None or loss is None or loss.logits is not True or head.activation not in ("softmax", "sigmoid"):
            return
        if t.loss_family not in ("binary", "categorical", "sparse"):
            return
        act = head.activation
        backend = ctx.runtime.backend
        # Keras's TensorFlow backend looks through a softmax/sigmoid for the values before it (its
        # crossentropy functions check the op that made the output); the JAX and PyTorch backends do not.
        if backend == "tensorflow":
            detail, severity = (
                f"On the TensorFlow backend Keras uses the values before the {act}.",
                Severity.INFORMATION,
            )
        else:
            detail, severity = (
                f"Only the TensorFlow backend looks through the {act}; on JAX and PyTorch it is applied twice.",
                Severity.WARNING,
            )
        message = f"The output already goes through {act}, but the loss has from_logits=True\n{detail}"
        related = P.head_related(head) + P.labels_related(t.labels)
        logits_site = loss.arg_sites.get("from_logits")
        shared_with_logits = any(other.activation == "linear" for other in ctx.sharing_loss(t))
        options = [
            edits.fix(
                "Tell the loss it receives probabilities (from_logits=False)",
                *(fixers.set_from_logits(loss, False, ctx) or [None]),
                preferred=not shared_with_logits,
            ),
            edits.fix(
                f"Remove the {act} and output logits",
                fixers.set_activation(head, None, ctx),
                preferred=shared_with_logits,
            ),
        ]
        yield self.diagnostic(
            logits_site or loss.site, message, related, [f for f in options if f], severity=severity, training=t
        )
