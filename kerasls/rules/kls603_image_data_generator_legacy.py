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
    With the Keras 3 package, `from keras.preprocessing.image import ImageDataGenerator` raises
    {measured.keras3.from_import.error_type} ("{measured.keras3.from_import.error}") and
    `keras.preprocessing.image.ImageDataGenerator` raises {measured.keras3.import_keras.error_type}
    ("{measured.keras3.import_keras.error}"). Through `tf.keras` it still works, but it is
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
        related = [(call.site, "ImageDataGenerator is also used here") for call in calls if call is not first]
        if first.name != "keras":
            message = (
                "ImageDataGenerator is a legacy API (it still works through tf.keras)\n"
                "keras.utils.image_dataset_from_directory and preprocessing layers replace it."
            )
            yield self.diagnostic(first.site, message, related, [], severity=Severity.INFORMATION)
            return
        imported = self._from_import(first, ctx)
        site = imported or first.site
        if imported is not None:
            related.append((first.site, "ImageDataGenerator is used here"))
        if ctx.runtime.keras == 2:  # the keras package itself is 2.x (TensorFlow up to 2.15)
            message = (
                "ImageDataGenerator is gone from the Keras 3 package (this environment has Keras 2)\n"
                "keras.utils.image_dataset_from_directory and preprocessing layers replace it."
            )
            yield self.diagnostic(site, message, related, [], severity=Severity.INFORMATION)
            return
        variant = "from_import" if imported is not None else "import_keras"
        error_type = ctx.measured(self.code, "keras3", variant, "error_type")
        error = ctx.measured(self.code, "keras3", variant, "error")
        what = "the import" if imported is not None else "this line"
        measured = f'Measured with Keras 3: {what} raises {error_type}: "{error}".' if error else ""
        message = (
            f"The Keras 3 package has no ImageDataGenerator in keras.preprocessing.image\n{measured} "
            "keras.utils.image_dataset_from_directory and preprocessing layers replace it."
        )
        severity = Severity.ERROR if ctx.runtime.keras == 3 else Severity.WARNING
        yield self.diagnostic(site, message, related, [], severity=severity)

    @staticmethod
    def _from_import(call, ctx: Context):
        """The `from keras.preprocessing.image import ImageDataGenerator` the call's name comes from, if any."""
        name = call.site.text.split("(")[0].strip()
        site = ctx.facts.import_sites.get(name)
        if site is not None and "keras.preprocessing" in site.text and "ImageDataGenerator" in site.text:
            return site
        return None
