"""KLS204 binary-label-mode-with-many-classes."""

import numpy as np

from .common import attempt, fit, image_data_generator, image_dir, keras, layers, seed

SETUP = (
    "flow_from_directory(class_mode='binary') over 3 class folders of 8x8 PNGs (30 each) with "
    "Flatten + Dense(16, relu) + Dense(1, sigmoid) + binary_crossentropy + 'accuracy'; and "
    "image_dataset_from_directory(label_mode='binary') over 4 class folders."
)
FIX = "class_mode='categorical' / label_mode='categorical' with Dense(K, softmax) + categorical_crossentropy."
EPOCHS = 10


def model_for(units, activation):
    seed()
    return keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            layers.Dense(16, activation="relu"),
            layers.Dense(units, activation=activation),
        ]
    )


def run():
    root3 = image_dir(3, per_class=30)
    root4 = image_dir(4, per_class=10)

    def flow(mode):
        return image_data_generator()().flow_from_directory(
            root3, target_size=(8, 8), class_mode=mode, batch_size=16, seed=0
        )

    def binary_iterator(rec):
        it = flow("binary")
        rec["label_values"] = sorted({float(v) for v in it.classes})
        rec["K"] = it.num_classes
        model = model_for(1, "sigmoid")
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
        rec.update(fit(model, it, epochs=EPOCHS))
        rec["min_loss"] = min(rec["history"]["loss"])
        rec["max_achievable_accuracy"] = float(np.mean(it.classes <= 1))  # label 2 never equals a 0/1 prediction

    def binary_dataset(rec):
        keras.utils.image_dataset_from_directory(root4, label_mode="binary", image_size=(8, 8), batch_size=16)

    def fixed(rec):
        it = flow("categorical")
        model = model_for(3, "softmax")
        model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
        rec.update(fit(model, it, epochs=EPOCHS), K=3, baseline=1 / 3)

    return {
        "flow_from_directory_binary": attempt(binary_iterator),
        "image_dataset_binary": attempt(binary_dataset),
        "fixed": attempt(fixed),
    }
