"""KLS301 softmax-on-single-unit: softmax over one unit is the constant 1.0."""

import numpy as np

from .common import BACKEND, attempt, fit, keras, mlp

SETUP = "Binary labels with 30% positives (600 samples x 16 features), Dense(1, softmax) + binary_crossentropy + 'accuracy'."
FIX = "Dense(1, sigmoid) + binary_crossentropy."
JAX = True  # also run under Keras 3 with KERAS_BACKEND=jax (no logits recovery there)
EPOCHS = 5


def run():
    rng = np.random.default_rng(0)
    y = (np.arange(600) % 10 < 3).astype("float32")  # 30 % positives
    x = (rng.normal(size=(600, 16)) + y[:, None]).astype("float32")  # learnable

    def train(activation):
        def fn(rec):
            model = mlp(16, 1, activation)
            model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
            rec.update(fit(model, x, y, epochs=EPOCHS), positive_rate=float(y.mean()), backend=BACKEND)
            outputs = np.unique(model.predict(x, verbose=0))
            rec["output_constant"] = float(outputs[0]) if len(outputs) == 1 else None
            rec["loss_constant"] = len(set(rec["history"]["loss"])) == 1
            # The Dense layer's pre-activation z: on the TensorFlow backend the loss is computed from z
            # (Keras recovers the logits behind the activation), so z may learn even when the output can't.
            hidden, last = model.layers[-2](x), model.layers[-1]
            z = np.asarray(hidden) @ np.asarray(last.kernel) + np.asarray(last.bias)
            rec["pre_activation_accuracy"] = float(np.mean((z[:, 0] > 0) == (y > 0.5)))

        return attempt(fn)

    return {"invalid": train("softmax"), "fixed": train("sigmoid")}
