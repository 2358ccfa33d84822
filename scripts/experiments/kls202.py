"""KLS202 categorical-crossentropy-on-integer-labels."""

from .common import attempt, blobs, fit, keras, mlp

SETUP = (
    "K=5 classes (500 samples x 16 features), integer labels shaped (N,) and (N, 1) (CIFAR-style), "
    "Dense(5, softmax) + categorical_crossentropy + 'accuracy'."
)
FIX = "sparse_categorical_crossentropy with the same integer labels."
K = 5


def run():
    x, y = blobs(500, 16, K)

    def train(labels, loss, epochs):
        def fn(rec):
            model = mlp(16, K, "softmax")
            model.compile(keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
            rec.update(fit(model, x, labels, epochs=epochs), baseline=1 / K, label_shape=list(labels.shape))

        return attempt(fn)

    return {
        "invalid_rank1": train(y, "categorical_crossentropy", 1),
        "invalid_column": train(y.reshape(-1, 1), "categorical_crossentropy", 1),
        "fixed": train(y, "sparse_categorical_crossentropy", 5),
        "fixed_column": train(y.reshape(-1, 1), "sparse_categorical_crossentropy", 5),
    }
