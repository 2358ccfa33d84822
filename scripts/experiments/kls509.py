"""KLS509 embedding-index-out-of-range: token ids at or above Embedding's input_dim."""

import numpy as np

from .common import attempt, keras, layers, seed

SETUP = "64 sequences of 12 token ids drawn from [0, 5000), Embedding(input_dim=1000, 8) -> GlobalAveragePooling1D -> Dense(1), CPU."
FIX = "Set input_dim to the vocabulary size (the largest token id + 1)."
N = 64


def run():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 5000, size=(N, 12))
    y = rng.integers(0, 2, size=(N,)).astype("float32")

    def train(input_dim):
        def fn(rec):
            seed()
            model = keras.Sequential(
                [
                    keras.Input((12,)),
                    layers.Embedding(input_dim, 8),
                    layers.GlobalAveragePooling1D(),
                    layers.Dense(1, activation="sigmoid"),
                ]
            )
            model.compile("adam", "binary_crossentropy")
            history = model.fit(tokens, y, epochs=2, batch_size=16, verbose=0).history
            rec["loss"] = [float(v) for v in history["loss"]]

        return attempt(fn)

    return {"invalid": train(1000), "fixed": train(5000)}
