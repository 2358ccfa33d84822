"""KLS201 binary-crossentropy-on-one-hot-labels: the seed story (42 classes, accuracy frozen at 0.9762)."""

from .common import (
    attempt,
    blobs,
    fit,
    image_data_generator,
    image_dir,
    keras,
    layers,
    mlp,
    one_hot,
    resolved_accuracy,
    seed,
    split,
    tf,
    unknown_shape_dataset,
)

SETUP = (
    "K=42 classes, one-hot labels (2100 train + 420 validation samples x 16 features), Dense(1) without activation, "
    "BinaryCrossentropy(from_logits=True), metrics=['accuracy']; fed as numpy arrays, as a tf.data pipeline whose "
    "label spec is (None, None), and (42 class folders x 8 PNGs of 8x8) as "
    "ImageDataGenerator().flow_from_directory(class_mode='categorical') with Flatten + Dense(16, relu) + Dense(1). "
    "Further variants: numpy arrays with Dense(1, sigmoid) + 'binary_crossentropy' and with Dense(1) (no activation) "
    "+ 'binary_crossentropy'; a tf.data pipeline with a known label shape (from_tensor_slices(...).batch(32)); and "
    "the flow_from_directory setup with Dense(1, sigmoid) + 'binary_crossentropy'."
)
FIX = "Dense(42) logits + CategoricalCrossentropy(from_logits=True) + metrics=['accuracy'] (categorical accuracy)."
K = 42
EPOCHS = 5


def seed_story(rec, model, k, train, val, loss=None, **fit_kwargs):
    """Compile as in the seed story (or with ``loss``), fit, record the plateau against (K-1)/K."""
    loss = keras.losses.BinaryCrossentropy(from_logits=True) if loss is None else loss
    model.compile(keras.optimizers.Adam(0.01), loss, metrics=["accuracy"])
    rec.update(K=k, k_minus_1_over_k=(k - 1) / k)
    rec.update(fit(model, *train, validation_data=val, epochs=EPOCHS, **fit_kwargs))
    rec["resolved_metric"] = resolved_accuracy(model)
    rec["plateau"] = rec["final"]["accuracy"]


def run():
    x, y = blobs(2520, 16, K)
    (xt, yt), (xv, yv) = split(x, y, 420)

    def arrays(rec):
        model = mlp(16, 1)
        seed_story(rec, model, K, (xt, one_hot(yt, K)), (xv, one_hot(yv, K)))

    def tf_data(rec):
        model = mlp(16, 1)
        train = unknown_shape_dataset(xt, one_hot(yt, K))
        val = unknown_shape_dataset(xv, one_hot(yv, K))
        seed_story(rec, model, K, (train,), val)

    def arrays_sigmoid(rec):  # the string loss, from_logits=False, on a sigmoid output
        model = mlp(16, 1, "sigmoid")
        seed_story(rec, model, K, (xt, one_hot(yt, K)), (xv, one_hot(yv, K)), loss="binary_crossentropy")

    def arrays_linear_probabilities(rec):  # the string loss on a linear output (treated as probabilities)
        model = mlp(16, 1)
        seed_story(rec, model, K, (xt, one_hot(yt, K)), (xv, one_hot(yv, K)), loss="binary_crossentropy")

    def tf_data_known(rec):  # from_tensor_slices: the label spec is (None, 42)
        model = mlp(16, 1)
        train = tf.data.Dataset.from_tensor_slices((xt, one_hot(yt, K))).batch(32)
        val = tf.data.Dataset.from_tensor_slices((xv, one_hot(yv, K))).batch(32)
        seed_story(rec, model, K, (train,), val)

    def directory(rec, activation=None, loss=None):
        root = image_dir(K, per_class=8)
        gen = image_data_generator()(rescale=1 / 255, validation_split=0.25)
        flow = {"target_size": (8, 8), "class_mode": "categorical", "batch_size": 16, "seed": 0}
        train = gen.flow_from_directory(root, subset="training", **flow)
        val = gen.flow_from_directory(root, subset="validation", **flow)
        seed()
        model = keras.Sequential(
            [
                keras.Input((8, 8, 3)),
                layers.Flatten(),
                layers.Dense(16, activation="relu"),
                layers.Dense(1, activation=activation),
            ]
        )
        seed_story(rec, model, K, (train,), val, loss=loss)

    def directory_sigmoid(rec):
        directory(rec, activation="sigmoid", loss="binary_crossentropy")

    def fixed(rec):
        model = mlp(16, K)
        model.compile(
            keras.optimizers.Adam(0.01), keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
        )
        rec.update(fit(model, xt, one_hot(yt, K), validation_data=(xv, one_hot(yv, K)), epochs=EPOCHS))
        rec.update(K=K, baseline=1 / K, resolved_metric=resolved_accuracy(model))

    return {
        "arrays": attempt(arrays),
        "tf_data_unknown_shape": attempt(tf_data),
        "directory_iterator": attempt(directory),
        "fixed": attempt(fixed),
        "arrays_sigmoid": attempt(arrays_sigmoid),
        "arrays_linear_probabilities": attempt(arrays_linear_probabilities),
        "tf_data_known_shape": attempt(tf_data_known),
        "directory_iterator_sigmoid": attempt(directory_sigmoid),
    }
