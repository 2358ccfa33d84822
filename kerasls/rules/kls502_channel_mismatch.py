"""KLS502: grayscale images into a model expecting colour (or the reverse)."""

from __future__ import annotations

from ..engine.shapes import format_shape
from ..text.diagnostics import Severity
from . import edits
from . import shape_consequences as C
from .api import Context, Example, Rule, Training

_MODES = {1: "grayscale", 3: "rgb", 4: "rgba"}


class ChannelMismatchColorMode(Rule):
    """
    ## What it does
    Compares the number of channels the pipeline produces (`color_mode='grayscale'` gives 1,
    `'rgb'` 3, `'rgba'` 4) with the channels of the model's input.

    ## Why is this bad?
    The first convolution's weights are sized for the channels the model declares; other
    images cannot pass through it. Measured: Keras 3 raises "{measured.keras3.arrays_grayscale.error}";
    Keras 2 with `flow_from_directory` fails inside the convolution: "{measured.tf_keras.directory_grayscale.error}".

    ## Example
    ```python
    train = keras.utils.image_dataset_from_directory("xrays/", color_mode="grayscale")
    model = keras.Sequential([keras.Input(shape=(256, 256, 3)), ...])
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input(shape=(256, 256, 1)), ...])
    ```
    """

    code = "KLS502"
    name = "channel-mismatch-color-mode"
    severity = Severity.ERROR
    summary = "The pipeline's colour channels differ from the model's input channels"

    VALID = [
        Example("""
import keras
train = keras.utils.image_dataset_from_directory("xrays", color_mode="grayscale")
model = keras.Sequential([keras.Input(shape=(256, 256, 1)), keras.layers.Conv2D(8, 3),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
"""),
    ]
    INVALID = [
        Example(
            """
import keras
train = keras.utils.image_dataset_from_directory("xrays", color_mode="grayscale")
model = keras.Sequential([keras.Input(shape=(256, 256, 3)), keras.layers.Conv2D(8, 3),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
""",
            fixed="""
import keras
train = keras.utils.image_dataset_from_directory("xrays", color_mode="rgb")
model = keras.Sequential([keras.Input(shape=(256, 256, 3)), keras.layers.Conv2D(8, 3),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        source = t.fit.source if t.fit is not None else None
        summary = ctx.summary(t.model)
        if source is None or source.channels is None or summary is None or summary.input_from is not None:
            return
        expected = summary.input
        if expected is None or len(expected) != 4 or expected[-1] is None or expected[-1] == source.channels:
            return
        mode = _MODES.get(source.channels, "?")
        message = (
            f"{source.kind} yields {mode} images with {source.channels} channel{'s' if source.channels != 1 else ''}, "
            f"but the model's input has {expected[-1]}\nThe model expects {format_shape(expected)}. "
        )
        variant = "directory_grayscale" if source.kind.startswith("flow") else "arrays_grayscale"
        message += C.on_each_line(ctx, self.code, [variant]) or ""
        related = [
            (summary.input_site, f"the model expects {format_shape(expected)}"),
            (source.site, f"the pipeline yields {mode} images"),
        ]
        site = source.channels_site or source.site
        wanted = _MODES.get(expected[-1])
        options = []
        if wanted:
            edit = (
                edits.replace_string(source.channels_site, wanted)
                if source.channels_site is not None
                else edits.set_argument(source.site, "color_mode", ctx.string(wanted))
            )
            options.append(edits.fix(f"Load the images as {wanted}", edit, preferred=True))
        yield self.diagnostic(site, message, related, [f for f in options if f])
