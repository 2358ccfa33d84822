"""Programs written from configurations, for checking what kerasls claims about them.

Each configuration of the experiment matrix (label kind, class count, final units and
activation, loss and `from_logits`, data pipeline, metrics) becomes a small but complete
training script, in one of several styles (import spellings, loss as string or class,
Sequential list or `add`, functional API, activation as a layer). The generator knows the
configuration it wrote; kerasls has to find it from the text alone.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import lru_cache

from helpers import check

from kerasls.rules.consequences import About
from kerasls.rules.setups import Setup

N = 200
_CLASSES = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "mean_squared_error": "MeanSquaredError",
    "mean_absolute_error": "MeanAbsoluteError",
}
_SHORT = {"mean_squared_error": "mse", "mean_absolute_error": "mae"}
_CLASS_MODE = {"integer": "sparse", "one_hot": "categorical", "binary": "binary"}
METRIC_CHOICES = (
    ("accuracy",),
    ("binary_accuracy",),
    ("categorical_accuracy",),
    ("sparse_categorical_accuracy",),
    ("accuracy", "binary_accuracy"),
    (),
)


def _pick(setup: Setup, salt: str, n: int) -> int:
    digest = hashlib.sha256(f"{setup.key()}|{salt}".encode()).digest()
    return digest[0] % n


def with_metrics(setup: Setup) -> Setup:
    """The configuration with the metrics its program compiles (chosen by the configuration)."""
    return replace(setup, metrics=METRIC_CHOICES[_pick(setup, "metrics", len(METRIC_CHOICES))])


def _labels(setup: Setup) -> list[str]:
    K, kind = setup.K, setup.labels
    return {
        "integer": [f"y = np.random.randint(0, {K}, size=({N},))"],
        "integer_column": [f"y = np.random.randint(0, {K}, size=({N}, 1))"],
        "one_hot": [f"classes = np.random.randint(0, {K}, {N})", f"y = to_categorical(classes, {K})"],
        "multi_hot": [f"y = np.random.randint(0, 2, size=({N}, {K}))"],
        "binary": [f"y = np.random.randint(0, 2, size={N})"],
        "binary_column": [f"y = np.random.randint(0, 2, size=({N}, 1))"],
        "continuous": [f"y = np.random.rand({N})"],
        "continuous_column": [f"y = np.random.rand({N}, 1)"],
    }[kind]


def _loss(setup: Setup, style: int) -> str:
    if setup.from_logits:
        return f"keras.losses.{_CLASSES[setup.loss]}(from_logits=True)"
    if style == 0:
        return f'"{_SHORT.get(setup.loss, setup.loss)}"'
    if style == 1:
        return f"keras.losses.{_CLASSES[setup.loss]}()"
    return f'"{setup.loss}"'


def _head(setup: Setup, style: int) -> list[str]:
    """The final layer(s) as list items of a Sequential."""
    if setup.activation == "linear":
        return [f"layers.Dense({setup.units})"] if style != 2 else [f'layers.Dense({setup.units}, activation="linear")']
    if style == 1:
        return [f"layers.Dense({setup.units})", f'layers.Activation("{setup.activation}")']
    return [f'layers.Dense({setup.units}, activation="{setup.activation}")']


def program(setup: Setup) -> tuple[str, dict]:
    """A training script for the configuration (with its metrics), and the class folders it reads."""
    style = _pick(setup, "style", 3)
    images = setup.pipeline == "directory_iterator"
    lines = ["import numpy as np", "import tensorflow as tf"]
    lines += ["from tensorflow import keras", "from tensorflow.keras import layers"]
    lines += ["from tensorflow.keras.utils import to_categorical"]
    folders = {}
    if images:
        lines += ["from tensorflow.keras.preprocessing.image import ImageDataGenerator", ""]
        folders = {"data/train": [f"class_{i}" for i in range(setup.K)]}
        lines += [
            "generator = ImageDataGenerator(rescale=1 / 255)",
            "train = generator.flow_from_directory(",
            '    "data/train", target_size=(5, 5), batch_size=24,',
            f'    class_mode="{_CLASS_MODE[setup.labels]}",',
            ")",
        ]
        inputs = ["keras.Input(shape=(5, 5, 3))", "layers.Flatten()"]
    else:
        lines += ["", f"x = np.random.rand({N}, 7).astype('float32')", *_labels(setup)]
        inputs = ["keras.Input(shape=(7,))"]
    hidden = ['layers.Dense(17, activation="relu")']
    stack = inputs + hidden + _head(setup, style)
    if style == 0:
        lines += ["", "model = keras.Sequential(["] + [f"    {item}," for item in stack] + ["])"]
    else:
        lines += ["", "model = keras.Sequential()"] + [f"model.add({item})" for item in stack]
    metrics = ", ".join(f'"{m}"' for m in setup.metrics)
    lines += [f"model.compile(optimizer='adam', loss={_loss(setup, style)}, metrics=[{metrics}])"]
    if images:
        lines += ["model.fit(train, epochs=3)"]
    elif setup.pipeline == "dataset":
        lines += ["data = tf.data.Dataset.from_tensor_slices((x, y)).batch(24)", "model.fit(data, epochs=3)"]
    else:
        lines += ["model.fit(x, y, epochs=3, batch_size=24)"]
    return "\n".join(lines) + "\n", folders


CLASS_COUNTS = (3, 5, 7, 10)  # the matrix measured 3 and 10: claims at 5 and 7 generalise from them
ACTIVATIONS = ("linear", "sigmoid", "softmax", "relu", "tanh")
LOSSES = (
    ("binary_crossentropy", False),
    ("binary_crossentropy", True),
    ("categorical_crossentropy", False),
    ("categorical_crossentropy", True),
    ("sparse_categorical_crossentropy", False),
    ("sparse_categorical_crossentropy", True),
    ("mean_squared_error", False),
    ("mean_absolute_error", False),
)
ITERATOR_LABELS = ("integer", "one_hot", "binary")  # class_mode 'sparse', 'categorical', 'binary'


def space() -> list[Setup]:
    """The head x loss x labels x pipeline space, written down here independently of the data."""
    found = []
    kinds = [(kind, K) for kind in ("integer", "integer_column", "one_hot", "multi_hot") for K in CLASS_COUNTS]
    kinds += [("binary", 2), ("binary_column", 2), ("continuous", None), ("continuous_column", None)]
    for kind, K in kinds:
        widths = {1, 2, 3} if K in (2, None) else {1, 2, K - 1, K, K + 1}
        pipelines = ("arrays", "dataset") + (("directory_iterator",) if kind in ITERATOR_LABELS else ())
        for units in sorted(widths):
            for activation in ACTIVATIONS:
                for loss, logits in LOSSES:
                    found += [Setup(kind, K, units, activation, loss, logits, p) for p in pipelines]
    # 42 classes, as in the seed: the head and losses a beginner writes
    for kind in ("integer", "one_hot"):
        for units in (1, 42):
            for activation in ("linear", "sigmoid", "softmax"):
                for loss, logits in LOSSES:
                    found += [
                        Setup(kind, 42, units, activation, loss, logits, p) for p in ("arrays", "directory_iterator")
                    ]
    return [with_metrics(s) for s in found]


@lru_cache(maxsize=1)
def analysed() -> list[tuple[Setup, list]]:
    """Each configuration of the space with the findings kerasls reports about its training."""
    out = []
    for setup in space():
        text, folders = program(setup)
        diagnostics = check(text, folders=folders).diagnostics
        out.append((setup, [d for d in diagnostics if isinstance(d.topic, About)]))
    return out
