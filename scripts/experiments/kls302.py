"""KLS302 activation-before-from-logits-loss: softmax/sigmoid output fed to a from_logits=True loss."""

from .common import BACKEND, attempt, blobs, fit, keras, mlp, one_hot

SETUP = (
    "K=5 classes (1000 samples x 16 features, overlapping blobs): Dense(5, softmax) + "
    "CategoricalCrossentropy(from_logits=True); and 0/1 labels: Dense(1, sigmoid) + BinaryCrossentropy(from_logits=True)."
)
FIX = "Keep the activation and drop from_logits=True (the loss then expects probabilities)."
JAX = True  # also run under Keras 3 with KERAS_BACKEND=jax (no logits recovery there)
K = 5
EPOCHS = 15


def run():
    x, y = blobs(1000, 16, K, sep=0.6)
    xb, yb = blobs(1000, 16, 2, sep=0.4, seed=1)

    def train(data, units, activation, loss):
        def fn(rec):
            model = mlp(16, units, activation)
            model.compile(keras.optimizers.Adam(0.003), loss, metrics=["accuracy"])
            rec.update(fit(model, *data, epochs=EPOCHS, validation_split=0.2), backend=BACKEND)

        return attempt(fn)

    cat, binary = (x, one_hot(y, K)), (xb, yb.astype("float32"))
    return {
        "softmax_from_logits": train(cat, K, "softmax", keras.losses.CategoricalCrossentropy(from_logits=True)),
        "fixed_softmax": train(cat, K, "softmax", keras.losses.CategoricalCrossentropy()),
        "sigmoid_from_logits": train(binary, 1, "sigmoid", keras.losses.BinaryCrossentropy(from_logits=True)),
        "fixed_sigmoid": train(binary, 1, "sigmoid", keras.losses.BinaryCrossentropy()),
    }
