"""KLS101 output-units-mismatch-class-count: the output layer has fewer units than there are classes."""

from .common import attempt, blobs, fit, keras, mlp, one_hot

SETUP = (
    "10 classes (1000 samples x 16 features): one-hot labels (to_categorical) with Dense(9, softmax) + "
    "categorical_crossentropy, and integer labels 0..9 with Dense(9, softmax) + sparse_categorical_crossentropy."
)
FIX = "Dense(10, softmax), the number of classes, with the same losses."
K = 10


def run():
    x, y = blobs(1000, 16, K)

    def train(units, loss, labels, epochs=1):
        def fn(rec):
            model = mlp(16, units, "softmax")
            model.compile(keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
            rec.update(fit(model, x, labels, epochs=epochs))
            rec["baseline"] = 1 / K

        return attempt(fn)

    return {
        "invalid_one_hot": train(K - 1, "categorical_crossentropy", one_hot(y, K)),
        "invalid_sparse": train(K - 1, "sparse_categorical_crossentropy", y),
        "fixed": train(K, "categorical_crossentropy", one_hot(y, K), epochs=5),
        "fixed_sparse": train(K, "sparse_categorical_crossentropy", y, epochs=5),
    }
