"""KLS401 accuracy-resolves-to-binary-accuracy: 'accuracy' on a 1-unit output is binary accuracy."""

from .common import (
    LINE,
    attempt,
    binary_accuracy_broadcast,
    blobs,
    fit,
    keras,
    mlp,
    one_hot,
    resolved_accuracy,
    unknown_shape_dataset,
)

SETUP = (
    "One-hot labels over K=3 and K=42 classes (30*K samples x 16 features), Dense(1) logits + "
    "BinaryCrossentropy(from_logits=True) + metrics=['accuracy'], fed through a tf.data pipeline whose label shape "
    "is unknown (the path on which both lines train; numpy arrays raise at the first step). Also K=3 as numpy "
    "arrays with Dense(1, sigmoid) + 'binary_crossentropy' + 'accuracy'."
)
FIX = "Dense(K) logits + CategoricalCrossentropy(from_logits=True): 'accuracy' then resolves to categorical accuracy."
EPOCHS = 5


def run():
    out = {}
    for k in (3, 42):
        x, y = blobs(30 * k, 16, k)
        labels = one_hot(y, k)

        def invalid(rec, k=k, x=x, labels=labels):
            model = mlp(16, 1)
            model.compile(
                keras.optimizers.Adam(0.01), keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"]
            )
            rec.update(K=k, k_minus_1_over_k=(k - 1) / k, line=LINE)
            rec.update(fit(model, unknown_shape_dataset(x, labels), epochs=EPOCHS))
            rec.update(resolved_metric=resolved_accuracy(model), plateau=rec["final"]["accuracy"])
            rec["recomputed_binary_accuracy"] = binary_accuracy_broadcast(labels, model.predict(x, verbose=0))

        def fixed(rec, k=k, x=x, labels=labels):
            model = mlp(16, k)
            model.compile(
                keras.optimizers.Adam(0.01),
                keras.losses.CategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"],
            )
            rec.update(
                fit(model, x, labels, epochs=EPOCHS), K=k, baseline=1 / k, resolved_metric=resolved_accuracy(model)
            )

        out[f"invalid_k{k}"] = attempt(invalid)
        out[f"fixed_k{k}"] = attempt(fixed)

    k = 3
    x, y = blobs(30 * k, 16, k)
    labels = one_hot(y, k)

    def arrays_sigmoid(rec):  # numpy arrays, sigmoid output, the string loss (from_logits=False)
        model = mlp(16, 1, "sigmoid")
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
        rec.update(K=k, k_minus_1_over_k=(k - 1) / k, line=LINE)
        rec.update(fit(model, x, labels, epochs=EPOCHS))
        rec.update(resolved_metric=resolved_accuracy(model), plateau=rec["final"]["accuracy"])
        rec["recomputed_binary_accuracy"] = binary_accuracy_broadcast(labels, model.predict(x, verbose=0))

    out["arrays_sigmoid_k3"] = attempt(arrays_sigmoid)
    return out
