"""KLS502 channel-mismatch-color-mode: 1-channel images into a model built for 3 channels."""

from .common import attempt, fit, image_data_generator, image_dir, images, keras, layers, one_hot, seed

SETUP = (
    "Grayscale 16x16x1 images (200, 4 classes, one-hot) into Input((16, 16, 3)) + Conv2D + Flatten + Dense(4, softmax); "
    "as arrays and as flow_from_directory(color_mode='grayscale')."
)
FIX = "color_mode='rgb' (or declare Input((16, 16, 1)))."
K = 4


def cnn():
    seed()
    return keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(K, activation="softmax"),
        ]
    )


def run():
    x1, y = images(200, 16, 1, K)
    root = image_dir(K, per_class=10, size=16)

    def train(data):
        def fn(rec):
            model = cnn()
            model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
            rec.update(fit(model, *data(), epochs=5))

        return attempt(fn)

    def flow(color_mode):
        return lambda: (
            image_data_generator()(rescale=1 / 255).flow_from_directory(
                root, target_size=(16, 16), color_mode=color_mode, batch_size=16, seed=0
            ),
        )

    return {
        "arrays_grayscale": train(lambda: (x1, one_hot(y, K))),
        "directory_grayscale": train(flow("grayscale")),
        "fixed": train(flow("rgb")),
    }
