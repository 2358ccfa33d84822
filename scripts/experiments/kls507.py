"""KLS507 target-shape-mismatch: the targets' shape differs from the model's output under a loss that compares them."""

import numpy as np

from .common import attempt, keras, layers, seed

SETUP = "64 samples of 20 features (or 10 steps of 4 for sequences), mean squared error or categorical crossentropy, fit(batch_size=16, epochs=2)."
FIX = "Make the output as wide as the targets (or the targets as the output), or drop return_sequences."
N = 64


def run():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 20)).astype("float32")
    sequences = rng.normal(size=(N, 10, 4)).astype("float32")
    y = rng.normal(size=(N,)).astype("float32")
    classes = rng.integers(0, 3, size=(N,))

    def train(input_shape, body, data, targets, loss="mse"):
        def fn(rec):
            seed()
            model = keras.Sequential([keras.Input(input_shape), *body])
            model.compile("adam", loss)
            rec["output_shape"] = list(model.output_shape)
            rec["target_shape"] = list(np.shape(targets))
            history = model.fit(data, targets, epochs=2, batch_size=16, verbose=0).history
            rec["loss"] = [float(v) for v in history["loss"]]

        return attempt(fn)

    return {
        "units_vs_column": train((20,), [layers.Dense(4)], x, y.reshape(-1, 1)),
        "units_vs_vector": train((20,), [layers.Dense(4)], x, y),
        "single_vs_columns": train((20,), [layers.Dense(1)], x, rng.normal(size=(N, 4)).astype("float32")),
        "columns_differ": train((20,), [layers.Dense(3)], x, rng.normal(size=(N, 5)).astype("float32")),
        "sequence_output": train((10, 4), [layers.LSTM(8, return_sequences=True), layers.Dense(1)], sequences, y),
        "extra_axis_one_hot": train(
            (20,),
            [layers.Dense(3, activation="softmax")],
            x,
            np.eye(3)[classes][:, None, :],
            "categorical_crossentropy",
        ),
        "fixed": train((20,), [layers.Dense(1)], x, y),
    }
