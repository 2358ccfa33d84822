"""KLS501: the image size the pipeline produces differs from the model's input size."""

from __future__ import annotations

from ..engine import facts as F
from ..engine.shapes import format_shape
from ..text.diagnostics import Severity
from . import edits
from . import shape_consequences as C
from .api import Context, Example, Rule, Training


class InputSizeMismatchPipeline(Rule):
    """
    ## What it does
    Compares the image size a data pipeline produces (`target_size=` of
    `flow_from_directory`/`flow_from_dataframe`, `image_size=` of
    `image_dataset_from_directory`, with their defaults of 256×256) with the height and width
    of the model's input (`input_shape=`, `keras.Input(shape=...)`, a pretrained base's
    `input_shape`).

    ## Why is this bad?
    The images reach the model at a size it was not built for. A functional model refuses
    them at the first step ("{measured.keras3.functional_input.error}"), as does every
    model on Keras 2 ("{measured.tf_keras.sequential_input_shape.error}"). A Keras 3
    Sequential model built with `input_shape=` does not check its input: it fails later at
    the first Dense after Flatten ("{measured.keras3.sequential_input_shape.error}"), or,
    with global pooling, trains silently on images of another size than intended.

    ## Example
    ```python
    train = gen.flow_from_directory("shelves/", target_size=(100, 100))
    model.add(Conv2D(32, 3, input_shape=(128, 128, 3)))
    ```

    ## Use instead
    ```python
    train = gen.flow_from_directory("shelves/", target_size=(128, 128))
    ```
    """

    code = "KLS501"
    name = "input-size-mismatch-pipeline"
    severity = Severity.ERROR
    summary = "The pipeline's image size differs from the model's input size"

    VALID = [
        Example("""
import tensorflow as tf
train = tf.keras.utils.image_dataset_from_directory("d", image_size=(128, 128))
model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(128, 128, 3)),
                             tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(3)])
model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
"""),
    ]
    INVALID = [
        Example(
            """
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
train = gen.flow_from_directory("shelves", target_size=(100, 100))
model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(128, 128, 3)),
                             tf.keras.layers.Flatten(), tf.keras.layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(train)
""",
            fixed="""
import tensorflow as tf
gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
train = gen.flow_from_directory("shelves", target_size=(128, 128))
model = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(128, 128, 3)),
                             tf.keras.layers.Flatten(), tf.keras.layers.Dense(4, activation="softmax")])
model.compile(loss="categorical_crossentropy")
model.fit(train)
""",
        ),
        Example(
            """
import keras
train = keras.utils.image_dataset_from_directory("bark")
inputs = keras.Input(shape=(224, 224, 3))
x = keras.layers.Conv2D(8, 3)(inputs)
outputs = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(x))
model = keras.Model(inputs, outputs)
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
""",
            fixed="""
import keras
train = keras.utils.image_dataset_from_directory("bark", image_size=(224, 224))
inputs = keras.Input(shape=(224, 224, 3))
x = keras.layers.Conv2D(8, 3)(inputs)
outputs = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(x))
model = keras.Model(inputs, outputs)
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(train)
""",
        ),
    ]

    def check(self, t: Training, ctx: Context):
        summary = ctx.summary(t.model)
        if t.fit is None or summary is None or summary.input_from is not None:
            return
        validation = t.fit.validation_inputs.source if t.fit.validation_inputs is not None else None
        for source, role in ((t.fit.source, "training"), (validation, "validation")):
            if (
                isinstance(source, F.DataSource)
                and source.image_size
                and (role == "training" or source is not t.fit.source)
            ):
                yield from self._check_source(source, role, t, summary, ctx)

    def _check_source(self, source: F.DataSource, role: str, t: Training, summary, ctx: Context):
        expected = summary.input
        if expected is None or len(expected) != 4 or None in expected[1:3]:
            return
        height, width = expected[1], expected[2]
        if tuple(source.image_size) == (height, width):
            return
        argument = "target_size" if source.kind.startswith("flow") else "image_size"
        written = "" if source.image_size_site is not None else " (the default)"
        size = f"{source.image_size[0]}x{source.image_size[1]}"
        message = (
            f"{source.kind} yields {size} images{written}, but the model's input is {height}x{width}\n"
            f"{'These are the validation images. ' if role == 'validation' else ''}"
            f"The model expects {format_shape(expected)}. "
        )
        message += C.on_each_line(ctx, self.code, [self._variant(summary)]) or ""
        related = [
            (summary.input_site, f"the model expects {format_shape(expected)}"),
            (source.site, f"the pipeline yields {source.image_size[0]}x{source.image_size[1]} images"),
        ]
        site = source.image_size_site or source.site
        options = [
            edits.fix(
                f"Resize the images to {height}x{width} in the pipeline",
                edits.replace(source.image_size_site, f"({height}, {width})")
                if source.image_size_site
                else edits.set_argument(source.site, argument, f"({height}, {width})"),
                preferred=True,
            )
        ]
        yield self.diagnostic(site, message, related, [f for f in options if f])

    @staticmethod
    def _variant(summary) -> str:
        if summary.model.kind != "sequential" or summary.input_kind == "Input":
            return "functional_input"
        flattened = any(row.kind == "Flatten" for row in summary.rows)
        return "sequential_input_shape" if flattened else "sequential_global_pooling"
