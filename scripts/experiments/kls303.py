"""KLS303 logits-into-probability-loss: raw Dense outputs into a loss that expects probabilities."""

import math

from .common import attempt, blobs, fit, keras, mlp, one_hot

SETUP = (
    "K=10 classes (1500 samples x 16 features, overlapping blobs), Dense(10) with no activation (and with relu) + "
    "categorical_crossentropy (from_logits=False, the default), 20 epochs."
)
FIX = "CategoricalCrossentropy(from_logits=True) on the same Dense(10) logits."
K = 10
EPOCHS = 20


def run():
    x, y = blobs(1500, 16, K, sep=0.6)

    def train(activation, loss):
        def fn(rec):
            model = mlp(16, K, activation)
            model.compile(keras.optimizers.Adam(0.003), loss, metrics=["accuracy"])
            rec.update(fit(model, x, one_hot(y, K), epochs=EPOCHS, validation_split=0.2), baseline=1 / K)
            rec["nan_epochs"] = sum(math.isnan(v) for v in rec["history"]["loss"])
            rec["best_val_accuracy"] = max(rec["history"]["val_accuracy"])

        return attempt(fn)

    return {
        "invalid_linear": train(None, "categorical_crossentropy"),
        "invalid_relu": train("relu", "categorical_crossentropy"),
        "fixed": train(None, keras.losses.CategoricalCrossentropy(from_logits=True)),
    }
