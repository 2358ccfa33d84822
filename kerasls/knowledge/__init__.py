"""Everything kerasls knows about Keras's API, as data.

`generated.json` is written by `scripts/generate_knowledge.py` from a real TensorFlow
install (layer signatures, loss and metric names, activation aliases, pipeline
defaults, how compile resolves 'accuracy'); `measured.json` by
`scripts/run_experiments.py` (what each mismatch does at training time). The few
tables below cannot be introspected without downloading data (dataset loaders) or
are our own classification of Keras's names (loss families).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).parent

# Prefixes under which the same Keras API is reachable; all are folded onto "keras.".
_KERAS_PREFIXES = (
    "tensorflow.python.keras.",
    "tensorflow.compat.v2.keras.",
    "tensorflow.compat.v1.keras.",
    "tensorflow.keras.",
    "tf_keras.src.",
    "tf_keras.",
    "keras.api._v2.keras.",
    "keras.api.",
    "keras.src.legacy.",
    "keras.src.",
)
_KERAS_ROOTS = {"tensorflow.keras": "keras", "tf_keras": "keras", "keras": "keras"}

# Loss functions grouped by what they expect of the labels.
LOSS_FAMILIES = {
    "binary_crossentropy": "binary",
    "binary_focal_crossentropy": "binary",
    "categorical_crossentropy": "categorical",
    "categorical_focal_crossentropy": "categorical",
    "categorical_generalized_cross_entropy": "sparse",
    "sparse_categorical_crossentropy": "sparse",
    "mean_squared_error": "regression",
    "mean_absolute_error": "regression",
    "mean_absolute_percentage_error": "regression",
    "mean_squared_logarithmic_error": "regression",
    "huber": "regression",
    "huber_loss": "regression",
    "log_cosh": "regression",
    "logcosh": "regression",
    "poisson": "count",
    "hinge": "hinge",
    "squared_hinge": "hinge",
    "categorical_hinge": "categorical_hinge",
    "kl_divergence": "distribution",
    "kullback_leibler_divergence": "distribution",
    "cosine_similarity": "similarity",
}

# keras.datasets loaders: classes, label encoding, and the arrays load_data() returns,
# ((x_train, y_train), (x_test, y_test)) shapes and x's values, as the Keras documentation gives them
# (not generated: reading them would download the data).
DATASETS = {
    "mnist": (10, "integer", (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))), "integer"),
    "fashion_mnist": (10, "integer", (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))), "integer"),
    "cifar10": (10, "integer", (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))), "integer"),
    "cifar100": (100, "integer", (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))), "integer"),
    "imdb": (2, "binary", (((25000,), (25000,)), ((25000,), (25000,))), "text"),  # x: lists of word indices
    "reuters": (46, "integer", (((8982,), (8982,)), ((2246,), (2246,))), "text"),
    "boston_housing": (None, "regression", (((404, 13), (404,)), ((102, 13), (102,))), "float"),
    "california_housing": (None, "regression", (((16512, 8), (16512,)), ((4128, 8), (4128,))), "float"),
}

# Layers that pass their input's width through unchanged (the head is found behind them).
PASS_THROUGH_LAYERS = {
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "BatchNormalization",
    "LayerNormalization",
    "UnitNormalization",
    "GroupNormalization",
    "ActivityRegularization",
    "Identity",
    "Masking",
    "RMSNormalization",
}

# Layers that only apply an activation; value: the activation, or the argument naming it.
ACTIVATION_LAYERS = {
    "Softmax": "softmax",
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "PReLU": "prelu",
    "ELU": "elu",
    "ThresholdedReLU": "relu",
}

# Activations whose output is not a probability (a loss with from_logits=False misreads them).
NON_PROBABILITY_ACTIVATIONS = {
    "linear",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "mish",
    "softplus",
    "softsign",
    "tanh",
    "exponential",
    "celu",
    "prelu",
    "hard_silu",
    "hard_swish",
    "log_softmax",
    "squareplus",
    "sparse_plus",
    "glu",
    "hard_tanh",
}


@dataclass(frozen=True)
class Signature:
    params: tuple[str, ...]
    defaults: dict
    # What users of a signature derive from it once (the engine keeps the defaults as values here).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


class Knowledge:
    def __init__(self, generated: dict, measured: dict):
        self.data = generated
        self.measured = measured.get("experiments", {})
        self.versions = generated.get("versions", {})
        self._layers = generated.get("layers", {})
        losses = generated.get("losses", {})
        self._loss_functions = losses.get("functions", {})
        self._loss_classes = losses.get("classes", {})
        self._loss_strings = {**losses.get("tf_keras_strings", {}), **losses.get("strings", {})}
        metrics = generated.get("metrics", {})
        self._metric_strings = metrics.get("strings", {})
        self._metric_classes = metrics.get("classes", {})
        self._accuracy = metrics.get("accuracy_resolution", {})
        activations = generated.get("activations", {})
        self._activation_names = activations.get("names", {})
        self._tf_activations = activations.get("tensorflow_functions", {})
        self._pipelines = generated.get("pipelines", {})
        self._applications = generated.get("applications", {})
        self._signatures: dict = {}

    # -- layers ---------------------------------------------------------------------
    def layer_class(self, name: str) -> str | None:
        entry = self._layers.get(name)
        return entry.get("class", name) if entry else None

    def layer_signature(self, name: str, keras2: bool = False) -> Signature:
        key = (name, keras2)
        if key not in self._signatures:
            entry = self._layers.get(name, {})
            params = (
                entry.get("tf_keras_params") if keras2 and entry.get("tf_keras_params") else entry.get("params", [])
            )
            self._signatures[key] = Signature(tuple(params), dict(entry.get("defaults", {})))
        return self._signatures[key]

    def is_layer(self, name: str) -> bool:
        return name in self._layers

    # -- losses ---------------------------------------------------------------------
    def loss_from_string(self, text: str) -> str | None:
        return self._loss_strings.get(text)

    def loss_function(self, name: str) -> str | None:
        return self._loss_functions.get(name)

    def loss_class(self, name: str) -> tuple[str, Signature] | None:
        entry = self._loss_classes.get(name)
        if not entry or not entry.get("function"):
            return None
        return entry["function"], Signature(tuple(entry.get("params", [])), dict(entry.get("defaults", {})))

    # -- metrics --------------------------------------------------------------------
    def metric_from_string(self, text: str) -> str | None:
        if text.lower() in ("accuracy", "acc"):
            return "accuracy"
        return self._metric_strings.get(text)

    def metric_class(self, name: str) -> str | None:
        entry = self._metric_classes.get(name)
        if entry is None:
            return None
        return _snake(name) if name != "Accuracy" else "exact_accuracy"

    def metric_function(self, name: str) -> str | None:
        return self._metric_strings.get(name)

    def resolve_accuracy(self, line: str, label_shape: tuple, output_width: int) -> str | None:
        """What compile turns 'accuracy' into, by the table read from Keras's own code."""
        table = self._accuracy.get(line, [])
        for case in table:
            if tuple(case["y_true"]) == tuple(label_shape) and case["y_pred"][-1] == output_width:
                return case["metric"]
        # Keras's rule only looks at ranks and last dimensions: use the closest recorded case.
        for case in table:
            true_shape = tuple(case["y_true"])
            if len(true_shape) != len(label_shape):
                continue
            same_last = (true_shape[-1] == label_shape[-1]) or (
                true_shape[-1] not in (None, 1) and label_shape[-1] not in (None, 1)
            )
            pred = case["y_pred"][-1]
            same_width = pred == output_width or (pred > 1 and output_width > 1)
            if same_last and same_width:
                return case["metric"]
        return None

    # -- activations ----------------------------------------------------------------
    def activation(self, name: str) -> str | None:
        return self._activation_names.get(name)

    def tensorflow_activation(self, qualname: str) -> str | None:
        return self._tf_activations.get(qualname)

    # -- pipelines ------------------------------------------------------------------
    def pipeline_signature(self, name: str) -> Signature:
        key = ("pipeline", name)
        if key not in self._signatures:
            entry = self._pipelines.get(name, {})
            self._signatures[key] = Signature(tuple(entry.get("params", [])), dict(entry.get("defaults", {})))
        return self._signatures[key]

    def application(self, name: str) -> dict | None:
        return self._applications.get(name)

    def measured_for(self, code: str) -> dict:
        return self.measured.get(code, {})


@lru_cache(maxsize=4096)
def canonical(qualname: str) -> str:
    """Fold the many import paths of one Keras name onto keras.<...>."""
    if qualname in _KERAS_ROOTS:
        return _KERAS_ROOTS[qualname]
    for prefix in _KERAS_PREFIXES:
        if qualname.startswith(prefix):
            return "keras." + qualname[len(prefix) :]
    return qualname


def _snake(name: str) -> str:
    out = []
    for index, ch in enumerate(name):
        if (
            ch.isupper()
            and index
            and (not name[index - 1].isupper() or (index + 1 < len(name) and name[index + 1].islower()))
        ):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _load(name: str) -> dict:
    path = _HERE / name
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def outcomes() -> dict:
    """What fit does per configuration, measured (see scripts/experiments/outcomes.py); read on first use."""
    return _load("outcomes.json")


@lru_cache(maxsize=1)
def keras() -> Knowledge:
    return Knowledge(_load("generated.json"), _load("measured.json"))
