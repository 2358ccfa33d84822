"""KLS506 input-shape-mismatch: the data fed to fit/evaluate/predict does not fit the model's input."""

import numpy as np

from .common import attempt, keras, layers, seed

SETUP = "64 samples; models declared with keras.Input; fit(batch_size=16, epochs=2), predict, validation_data."
FIX = "Feed data of the declared shape (reshape it, or declare the input the data has)."
N = 64


def _model(input_shape, body):
    seed()
    return keras.Sequential([keras.Input(input_shape), *body])


def run():
    rng = np.random.default_rng(0)
    x20 = rng.normal(size=(N, 20)).astype("float32")
    y = rng.normal(size=(N,)).astype("float32")
    classes = rng.integers(0, 3, size=(N,))
    images = rng.random((N, 28, 28)).astype("float32")
    conv = [layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(3, activation="softmax")]

    def train(input_shape, body, x, target, loss="mse", **options):
        def fn(rec):
            model = _model(input_shape, body)
            model.compile("adam", loss)
            validation = options.get("validation")
            kwargs = {"validation_data": validation} if validation is not None else {}
            history = model.fit(x, target, epochs=2, batch_size=16, verbose=0, **kwargs).history
            rec["loss"] = [float(v) for v in history["loss"]]
            if "predict" in options:
                rec["predicted"] = list(model.predict(options["predict"], verbose=0).shape)

        return attempt(fn)

    return {
        "feature_size": train((10,), [layers.Dense(1)], x20, y),
        "flat_into_image": train((28, 28, 1), conv, images.reshape(N, 784), classes, "sparse_categorical_crossentropy"),
        "missing_channel_axis": train((28, 28, 1), conv, images, classes, "sparse_categorical_crossentropy"),
        "missing_feature_axis": train((20, 1), [layers.LSTM(8), layers.Dense(1)], x20, y),
        "single_sample_predict": train((20,), [layers.Dense(1)], x20, y, predict=x20[0]),
        "validation_feature_size": train((20,), [layers.Dense(1)], x20, y, validation=(x20[:16, :10], y[:16])),
        "fixed": train((20,), [layers.Dense(1)], x20, y, predict=x20[:1]),
    }
