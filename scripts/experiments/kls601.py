"""KLS601 generator-method-removed: Model.fit_generator."""

from .common import attempt, blobs, fit, mlp, one_hot

SETUP = (
    "A Python generator of (x, y) batches (K=3, 16 features), model.fit_generator(gen, steps_per_epoch=10, epochs=2)."
)
FIX = "model.fit(gen, steps_per_epoch=10, epochs=2)."
K = 3


def run():
    x, y = blobs(320, 16, K)

    def batches():
        while True:
            for i in range(0, 320, 32):
                yield x[i : i + 32], one_hot(y[i : i + 32], K)

    def train(method):
        def fn(rec):
            model = mlp(16, K, "softmax")
            model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
            if method == "fit_generator":
                h = model.fit_generator(batches(), steps_per_epoch=10, epochs=2, verbose=0).history
                rec["final"] = {key: float(v[-1]) for key, v in h.items()}
            else:
                rec.update(fit(model, batches(), steps_per_epoch=10, epochs=2))

        return attempt(fn)

    return {"invalid": train("fit_generator"), "fixed": train("fit")}
