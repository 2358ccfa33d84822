"""KLS503 dense-on-unflattened-features: Dense applied to a 4-D feature map."""

from .common import attempt, fit, images, keras, layers, one_hot, seed

SETUP = "16x16x3 images (200, 4 classes, one-hot labels), Conv2D(8, 3) -> Dense(4, softmax) with no Flatten + categorical_crossentropy."
FIX = "Insert Flatten() (or GlobalAveragePooling2D()) before the Dense head."
K = 4


def run():
    x, y = images(200, 16, 3, K)

    def train(flatten):
        def fn(rec):
            seed()
            stack = [keras.Input((16, 16, 3)), layers.Conv2D(8, 3, activation="relu")]
            stack += [layers.Flatten()] if flatten else []
            model = keras.Sequential(stack + [layers.Dense(K, activation="softmax")])
            rec["output_shape"] = list(model.output_shape)
            model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
            rec.update(fit(model, x, one_hot(y, K), epochs=5), baseline=1 / K)

        return attempt(fn)

    return {"invalid": train(False), "fixed": train(True)}
