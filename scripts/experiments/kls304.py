"""KLS304 categorical-crossentropy-on-single-unit: the loss is identically 0."""

import numpy as np

from .common import attempt, blobs, fit, keras, mlp

SETUP = (
    "0/1 labels shaped (N, 1) (600 samples x 16 features), Dense(1, sigmoid) + categorical_crossentropy + 'accuracy'."
)
FIX = "binary_crossentropy."
EPOCHS = 5


def run():
    x, y = blobs(600, 16, 2, sep=1.0)
    y = y.reshape(-1, 1).astype("float32")

    def train(loss):
        def fn(rec):
            model = mlp(16, 1, "sigmoid")
            before = [w.copy() for w in model.get_weights()]
            model.compile(keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
            rec.update(fit(model, x, y, epochs=EPOCHS), baseline=0.5)
            rec["max_weight_change"] = max(float(np.abs(a - b).max()) for a, b in zip(before, model.get_weights()))
            p = model.predict(x, verbose=0)
            rec.update(mean_output=float(p.mean()), predicted_positive_rate=float(np.mean(p > 0.5)))

        return attempt(fn)

    return {"invalid": train("categorical_crossentropy"), "fixed": train("binary_crossentropy")}
