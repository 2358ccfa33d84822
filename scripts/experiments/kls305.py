"""KLS305 bounded-activation-on-regression-targets: sigmoid output can't reach targets in [0, 100]."""

import numpy as np

from .common import attempt, fit, keras, mlp

SETUP = "Regression targets in [0, 100] (600 samples x 8 features, linear in x), Dense(1, sigmoid) + mse, 30 epochs."
FIX = "Dense(1) with a linear output (no activation) + mse."
EPOCHS = 30


def run():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 8)).astype("float32")
    y = np.clip(50 + 15 * x @ rng.normal(size=8) / np.sqrt(8), 0, 100).astype("float32")

    def train(activation):
        def fn(rec):
            model = mlp(8, 1, activation)
            model.compile(keras.optimizers.Adam(0.05), "mse", metrics=["mae"])
            rec.update(fit(model, x, y, epochs=EPOCHS))
            p = model.predict(x, verbose=0)[:, 0]
            rec.update(
                max_prediction=float(p.max()),
                mae=float(np.abs(p - y).mean()),
                target_range=[float(y.min()), float(y.max())],
                target_mean=float(y.mean()),
            )

        return attempt(fn)

    return {"invalid": train("sigmoid"), "fixed": train(None)}
