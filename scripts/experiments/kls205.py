"""KLS205 two-unit-softmax-with-binary-crossentropy."""

import numpy as np

from .common import (
    attempt,
    blobs,
    fit,
    image_data_generator,
    image_dir,
    keras,
    layers,
    mlp,
    resolved_accuracy,
    seed,
    tf,
    unknown_shape_dataset,
)

SETUP = (
    "Labels 0/1 (600 samples x 16 features) shaped (N, 1), Dense(2, softmax) + binary_crossentropy + 'accuracy'; "
    "fed as numpy arrays, as a tf.data pipeline with unknown label shape, and (2 class folders x 30 PNGs of 8x8) "
    "as flow_from_directory(class_mode='binary'); also numpy labels shaped (N,) and a tf.data pipeline with a known "
    "label shape (from_tensor_slices(...).batch(32), labels (N, 1))."
)
FIX = "Dense(1, sigmoid) + binary_crossentropy."
EPOCHS = 10


def run():
    x, y = blobs(600, 16, 2, sep=1.0)
    y = y.reshape(-1, 1).astype("float32")

    def measure(rec, model, data, xs, ys):
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
        rec.update(fit(model, *data, epochs=EPOCHS), baseline=0.5, resolved_metric=resolved_accuracy(model))
        p = model.predict(xs, verbose=0)
        decision = p.argmax(-1) if p.shape[-1] == 2 else (p[:, 0] > 0.5)
        rec["decision_accuracy"] = float(np.mean(decision == ys.reshape(-1)))  # what the model actually learned
        rec["mean_output"] = [float(v) for v in p.mean(0)]

    def arrays(units, activation, as_dataset=False, labels=y):
        def fn(rec):
            if as_dataset == "known":  # from_tensor_slices: the label spec is (None,) + labels.shape[1:]
                data = (tf.data.Dataset.from_tensor_slices((x, labels)).batch(32),)
            elif as_dataset:
                data = (unknown_shape_dataset(x, labels),)
            else:
                data = (x, labels)
            measure(rec, mlp(16, units, activation), data, x, labels)

        return attempt(fn)

    def directory(rec):
        root = image_dir(2, per_class=30)
        it = image_data_generator()(rescale=1 / 255).flow_from_directory(
            root, target_size=(8, 8), class_mode="binary", batch_size=16, shuffle=False
        )
        xs = np.concatenate([it[i][0] for i in range(len(it))])
        seed()
        model = keras.Sequential(
            [
                keras.Input((8, 8, 3)),
                layers.Flatten(),
                layers.Dense(16, activation="relu"),
                layers.Dense(2, activation="softmax"),
            ]
        )
        measure(rec, model, (it,), xs, it.classes)

    return {
        "arrays": arrays(2, "softmax"),
        "tf_data_unknown_shape": arrays(2, "softmax", as_dataset=True),
        "directory_iterator": attempt(directory),
        "fixed": arrays(1, "sigmoid"),
        "arrays_rank1": arrays(2, "softmax", labels=y.reshape(-1)),
        "tf_data_known_shape": arrays(2, "softmax", as_dataset="known"),
    }
