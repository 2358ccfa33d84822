"""KLS403 accuracy-on-multi-label-output (information): what 'accuracy' means for 5 sigmoid units."""

import numpy as np

from .common import attempt, fit, keras, mlp, resolved_accuracy

SETUP = "Multi-hot labels over 5 tags (600 samples x 16 features, ~2 tags each), Dense(5, sigmoid) + binary_crossentropy + metrics=['accuracy', 'binary_accuracy']."
FIX = "metrics=['binary_accuracy'] (per-tag accuracy) or an explicit multi-label metric."
EPOCHS = 10


def run():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 16)).astype("float32")
    y = (x[:, :5] + 0.5 * rng.normal(size=(600, 5)) > 0.3).astype("float32")  # tag j depends on feature j

    def fn(rec):
        model = mlp(16, 5, "sigmoid")
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy", "binary_accuracy"])
        rec.update(fit(model, x, y, epochs=EPOCHS), resolved_metric=resolved_accuracy(model))
        rec["mean_tags_per_sample"] = float(y.sum(1).mean())
        p = model.predict(x, verbose=0) > 0.5
        rec["exact_match_ratio"] = float(np.mean((p == (y > 0.5)).all(1)))

    return {"accuracy_and_binary_accuracy": attempt(fn)}
