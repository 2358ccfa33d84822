"""KLS203 sparse-crossentropy-on-one-hot-labels."""

from .common import attempt, blobs, fit, keras, mlp, one_hot

SETUP = "K=5 classes (500 samples x 16 features), one-hot labels (N, 5), Dense(5, softmax) + sparse_categorical_crossentropy."
FIX = "categorical_crossentropy with the same one-hot labels."
K = 5


def run():
    x, y = blobs(500, 16, K)

    def train(loss, epochs):
        def fn(rec):
            model = mlp(16, K, "softmax")
            model.compile(keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
            rec.update(fit(model, x, one_hot(y, K), epochs=epochs), baseline=1 / K)

        return attempt(fn)

    return {"invalid": train("sparse_categorical_crossentropy", 1), "fixed": train("categorical_crossentropy", 5)}
