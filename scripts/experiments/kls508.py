"""KLS508 incompatible-layer-input: a layer gets a tensor it cannot take (rank, reshape size, merge)."""

import numpy as np

from .common import attempt, keras, layers, seed

SETUP = "Sequential and functional models built with keras.Input: LSTM after Flatten, Conv2D after Dense, Reshape to a different size, Concatenate of (None, 20) and (None, 5, 5); a Conv2D model without Input fit on (N, 28, 28) images."
FIX = "Give the layer the rank it needs (Reshape/Flatten/GlobalPooling), or fix the target shape."
N = 64


def build(make):
    def fn(rec):
        seed()
        model = make()
        rec["output_shape"] = list(model.output_shape)

    return attempt(fn)


def run():
    rng = np.random.default_rng(0)

    def concatenate():
        a, b = keras.Input((20,)), keras.Input((5, 5))
        return keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))

    def conv_on_images():
        def fn(rec):
            seed()
            model = keras.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(1)])
            model.compile("adam", "mse")
            model.fit(rng.random((N, 28, 28)).astype("float32"), rng.normal(size=(N,)), epochs=1, verbose=0)

        return attempt(fn)

    return {
        "recurrent_after_flatten": build(
            lambda: keras.Sequential([keras.Input((10, 4)), layers.Flatten(), layers.LSTM(8), layers.Dense(1)])
        ),
        "conv2d_after_dense": build(
            lambda: keras.Sequential([keras.Input((20,)), layers.Dense(8), layers.Conv2D(4, 3), layers.Dense(1)])
        ),
        "reshape_size": build(
            lambda: keras.Sequential(
                [keras.Input((20,)), layers.Dense(100), layers.Reshape((7, 7, 2)), layers.Dense(1)]
            )
        ),
        "concatenate_ranks": build(concatenate),
        "conv2d_on_data_without_channel": conv_on_images(),
        "fixed": build(lambda: keras.Sequential([keras.Input((10, 4)), layers.LSTM(8), layers.Dense(1)])),
    }
