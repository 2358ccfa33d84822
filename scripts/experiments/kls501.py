"""KLS501 input-size-mismatch-pipeline: images of one size into a model built for another."""

import numpy as np

from .common import attempt, fit, images, keras, layers, one_hot, seed

SETUP = "32x32x3 images (200, 4 classes, one-hot) into a CNN declared for (24, 24, 3): Conv2D + MaxPooling2D + Flatten + Dense(4, softmax)."
FIX = "Resize the pipeline to the model's input (target_size/image_size=(24, 24)) or declare input_shape=(32, 32, 3)."
K = 4


def cnn(head, build):
    seed()
    body = [layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D()]
    head = [layers.Flatten()] if head == "flatten" else [layers.GlobalAveragePooling2D()]
    return build(body + head + [layers.Dense(K, activation="softmax")])


def sequential_input_shape(stack):
    stack[0] = layers.Conv2D(8, 3, activation="relu", input_shape=(24, 24, 3))
    return keras.Sequential(stack)


def functional(stack):
    inputs = keras.Input((24, 24, 3))
    out = inputs
    for layer in stack:
        out = layer(out)
    return keras.Model(inputs, out)


def run():
    x32, y = images(200, 32, 3, K)
    x24, _ = images(200, 24, 3, K)

    def train(head, build, x):
        def fn(rec):
            model = cnn(head, build)
            model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
            rec.update(fit(model, x, one_hot(y, K), epochs=5), input_fed=list(np.shape(x)[1:]))

        return attempt(fn)

    return {
        "sequential_input_shape": train("flatten", sequential_input_shape, x32),
        "functional_input": train("flatten", functional, x32),
        "sequential_global_pooling": train("pool", sequential_input_shape, x32),
        "fixed": train("flatten", functional, x24),
    }
