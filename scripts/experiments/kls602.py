"""KLS602 optimizer-lr-argument: Adam(lr=...) instead of learning_rate=."""

import numpy as np

from .common import LINE, attempt, blobs, fit, keras, mlp

SETUP = "keras.optimizers.Adam(lr=0.01) used to compile and fit a small classifier (K=3, 16 features)."
FIX = "keras.optimizers.Adam(learning_rate=0.01)."


def run():
    x, y = blobs(300, 16, 3)

    def train(make):
        def fn(rec):
            optimizer = make()
            rec["learning_rate"] = float(np.asarray(optimizer.learning_rate))
            model = mlp(16, 3, "softmax")
            model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
            rec.update(fit(model, x, y, epochs=1))

        return attempt(fn)

    out = {
        "invalid": train(lambda: keras.optimizers.Adam(lr=0.01)),
        "fixed": train(lambda: keras.optimizers.Adam(learning_rate=0.01)),
    }
    if LINE == "tf_keras":
        out["legacy_optimizer"] = train(lambda: keras.optimizers.legacy.Adam(lr=0.01))
    return out
