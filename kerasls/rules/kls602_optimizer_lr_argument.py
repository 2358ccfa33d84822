"""KLS602: optimizers given `lr=` instead of `learning_rate=`."""

from __future__ import annotations

import ast
import re

from ..text.diagnostics import Severity
from . import edits
from .api import Context, Example, Rule


class OptimizerLrArgument(Rule):
    """
    ## What it does
    Finds Keras optimizers created with the old `lr=` argument.

    ## Why is this bad?
    The argument is `learning_rate`. Keras 3 rejects `lr`: "{measured.keras3.invalid.error}".
    Keras 2's optimizers warn and then *ignore* it: measured, `Adam(lr=0.01)` trained with a
    learning rate of {measured.tf_keras.invalid.learning_rate}, the default, not 0.01.

    ## Example
    ```python
    model.compile(optimizer=keras.optimizers.Adam(lr=1e-4), loss="mse")
    ```

    ## Use instead
    ```python
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-4), loss="mse")
    ```
    """

    code = "KLS602"
    name = "optimizer-lr-argument"
    severity = Severity.WARNING
    severity_varies = True
    summary = "Optimizer created with lr= (rejected by Keras 3, ignored by Keras 2)"

    VALID = [
        Example("""
from tensorflow import keras
opt = keras.optimizers.Adam(learning_rate=1e-4)
"""),
    ]
    INVALID = [
        Example(
            """
from tensorflow import keras
opt = keras.optimizers.Adam(lr=1e-4)
""",
            fixed="""
from tensorflow import keras
opt = keras.optimizers.Adam(learning_rate=1e-4)
""",
        ),
    ]

    def check_module(self, ctx: Context):
        for call in ctx.facts.legacy:
            if call.kind != "optimizer_lr" or call.detail is None:
                continue
            severity = Severity.ERROR if ctx.runtime.keras == 3 else Severity.WARNING
            value = _lr_value(call.site.text)
            message = f"{call.name} takes `learning_rate`, not `lr`\n" + ctx.on_keras(
                f"It raises ValueError: \"Argument(s) not recognized: {{'lr': {value}}}\".",
                "It warns and ignores the value: training runs at the default learning rate.",
            )
            made = edits.fix("Rename lr to learning_rate", edits.replace(call.detail, "learning_rate"), preferred=True)
            yield self.diagnostic(call.detail, message, [], [made] if made else [], severity=severity)


def _lr_value(call: str) -> str:
    """The value as Python prints it in the error (a number written in the call), else `...`."""
    found = re.search(r"\blr\s*=\s*([^,)]+)", call)
    if found is None:
        return "..."
    try:
        return repr(ast.literal_eval(found.group(1).strip()))
    except (ValueError, SyntaxError):
        return "..."
