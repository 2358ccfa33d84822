"""KLS402 exact-accuracy-metric-on-probabilities: keras.metrics.Accuracy() compares values for equality."""

from .common import attempt, blobs, fit, keras, mlp, one_hot

SETUP = "K=5 classes (500 samples x 16 features), one-hot labels, Dense(5, softmax) + categorical_crossentropy + metrics=[keras.metrics.Accuracy()]."
FIX = "metrics=['categorical_accuracy'] (or 'accuracy', which resolves to it)."
K = 5
EPOCHS = 5


def run():
    x, y = blobs(500, 16, K)

    def train(metric, name):
        def fn(rec):
            model = mlp(16, K, "softmax")
            model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=[metric])
            rec.update(fit(model, x, one_hot(y, K), epochs=EPOCHS), baseline=1 / K, metric=name)

        return attempt(fn)

    return {
        "invalid": train(keras.metrics.Accuracy(), "Accuracy()"),
        "fixed": train("categorical_accuracy", "categorical_accuracy"),
    }
