"""KLS603: ImageDataGenerator, removed from the Keras 3 package and legacy in tf.keras."""

from __future__ import annotations

from ..text.diagnostics import Severity
from .api import Context, Example, Rule


class ImageDataGeneratorLegacy(Rule):
    """
    ## What it does
    Finds `ImageDataGenerator`. Reached through `import keras` on Keras 3, it no longer exists;
    through `tensorflow.keras` it is a legacy API kept for old code.

    ## Why is this bad?
    With the Keras 3 package, `keras.preprocessing.image.ImageDataGenerator` raises
    "{measured.keras3.import_keras.error}". Through `tf.keras` it still works, but it is
    deprecated, single-threaded Python, and needs scipy for its transforms.
    `keras.utils.image_dataset_from_directory` replaces `flow_from_directory`
    (`label_mode` = `class_mode`, with `'sparse'` called `'int'`), and preprocessing layers
    (`Rescaling`, `RandomFlip`, `RandomRotation`, `RandomZoom`) replace the augmentations.

    ## Example
    ```python
    train = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data/train", target_size=(150, 150))
    ```

    ## Use instead
    ```python
    train = keras.utils.image_dataset_from_directory("data/train", image_size=(150, 150), label_mode="categorical")
    # and keras.layers.Rescaling(1 / 255) as the model's first layer
    ```
    """

    code = "KLS603"
    name = "image-data-generator-legacy"
    severity = Severity.INFORMATION
    severity_varies = True
    summary = "ImageDataGenerator: gone from the Keras 3 package, legacy in tf.keras"

    VALID = [
        Example("""
import keras
train = keras.utils.image_dataset_from_directory("data/train", label_mode="categorical")
"""),
    ]
    INVALID = [
        Example("""
import keras
gen = keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
"""),
    ]

    def check_module(self, ctx: Context):
        calls = [call for call in ctx.facts.legacy if call.kind == "image_data_generator"]
        if not calls:
            return
        first = next((call for call in calls if call.name == "keras"), calls[0])  # the one that breaks, if any
        if first.name == "keras":
            severity = {3: Severity.ERROR, 2: Severity.INFORMATION}.get(ctx.runtime.keras, Severity.WARNING)
            message = "ImageDataGenerator is not in the Keras 3 package. " + ctx.on_keras(
                "It raises AttributeError: \"module 'keras.preprocessing.image' has no attribute 'ImageDataGenerator'\".",
                "It still works, as a deprecated API.",
            )
        else:
            severity = Severity.INFORMATION
            message = (
                "ImageDataGenerator is a legacy API (it still works through tf.keras). "
                "keras.utils.image_dataset_from_directory and preprocessing layers replace it."
            )
        related = [(call.site, "ImageDataGenerator is also used here") for call in calls if call is not first]
        yield self.diagnostic(first.site, message, related, [], severity=severity)
