"""KLS603 image-data-generator-legacy: ImageDataGenerator under Keras 3."""

import importlib

from .common import attempt, fit, image_dir, keras, layers, seed

SETUP = (
    "`import keras; keras.preprocessing.image.ImageDataGenerator(rescale=1/255).flow_from_directory(...)` "
    "(3 class folders of 8x8 PNGs), the same through `tf.keras.preprocessing.image`, and the import "
    "`from keras.preprocessing.image import ImageDataGenerator`."
)
FIX = "keras.utils.image_dataset_from_directory(...) (+ a Rescaling layer)."


def run():
    root = image_dir(3, per_class=10)

    def model():
        seed()
        return keras.Sequential([keras.Input((8, 8, 3)), layers.Flatten(), layers.Dense(3, activation="softmax")])

    def generator_from(module_name):
        def fn(rec):
            module = importlib.import_module(module_name)  # "keras" is Keras 3 even when TF_USE_LEGACY_KERAS=1
            cls = module.preprocessing.image.ImageDataGenerator
            rec["resolved_class"] = f"{cls.__module__}.{cls.__name__}"
            it = cls(rescale=1 / 255).flow_from_directory(root, target_size=(8, 8), batch_size=16, seed=0)
            m = model()
            m.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
            rec.update(fit(m, it, epochs=1))

        return fn

    def from_import(rec):
        namespace = {}
        try:
            exec("from keras.preprocessing.image import ImageDataGenerator", namespace)  # the line as users write it
        except ImportError as error:  # without the " (/path/to/site-packages/...)" Python appends
            raise ImportError(str(error).split(" (/")[0]) from None
        rec["resolved_class"] = namespace["ImageDataGenerator"].__module__

    def fixed(rec):
        ds = keras.utils.image_dataset_from_directory(root, image_size=(8, 8), batch_size=16, label_mode="categorical")
        m = model()
        m.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
        rec.update(fit(m, ds.map(lambda a, b: (a / 255, b)), epochs=1))

    return {
        "import_keras": attempt(generator_from("keras")),
        "from_import": attempt(from_import),
        "tf_keras_namespace": attempt(generator_from("tensorflow.keras")),
        "fixed": attempt(fixed),
    }
