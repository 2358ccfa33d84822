"""A training in the terms its consequences were measured in (scripts/experiments/matrix.py).

The experiment matrix ran small complete fits for every combination of label kind, class
count, final units and activation, loss and `from_logits`, and data pipeline, under Keras 3
and Keras 2. A training in the user's program maps onto one of those configurations only
when every part is known; then the consequence a message states is the one measured for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..engine.facts import Encoding, Labels
from ..engine.trainings import Training

ACTIVATIONS = ("linear", "sigmoid", "softmax", "relu", "tanh")
LOSSES = (
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "binary_focal_crossentropy",
    "hinge",
    "poisson",
    "kl_divergence",
)
LOGIT_LOSSES = (
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "binary_focal_crossentropy",
)
METRICS = ("accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy")
_LOSS_ALIASES = {"kullback_leibler_divergence": "kl_divergence"}
_ITERATORS = ("flow_from_directory(", "flow_from_dataframe(")  # the iterators the matrix's directory runs stand for


@dataclass(frozen=True)
class Setup:
    """One configuration: what the labels are, what the model ends in, what the loss is, how data flows."""

    labels: str  # integer, integer_column, one_hot, multi_hot, binary, binary_column, continuous, continuous_column
    K: int | None  # classes (2 for binary labels, None for regression)
    units: int
    activation: str  # linear (no activation), sigmoid, softmax, relu, tanh
    loss: str
    from_logits: bool
    pipeline: str  # arrays, dataset, dataset_unknown_shape, directory_iterator
    metrics: tuple[str, ...] = ()  # the compiled accuracy metrics, by canonical name

    def key(self) -> str:
        """The configuration's key in the measured data."""
        k = "none" if self.K is None else str(self.K)
        logits = "true" if self.from_logits else "false"
        return (
            f"labels={self.labels},K={k},units={self.units},activation={self.activation},loss={self.loss},"
            f"from_logits={logits},pipeline={self.pipeline}"
        )

    @property
    def relation(self) -> str | None:
        """The output width relative to the class count, as the matrix varies it: 1, 2, K, K-1 or K+1."""
        if self.units in (1, 2):
            return str(self.units)
        if self.K is None:
            return None
        return {self.K: "K", self.K - 1: "K-1", self.K + 1: "K+1"}.get(self.units)

    def at(self, K: int) -> Setup:
        """The same configuration with another class count, the width kept in the same relation to it."""
        units = {"K": K, "K-1": K - 1, "K+1": K + 1}.get(self.relation or "", self.units)
        return replace(self, K=K, units=units)


def setup_of(t: Training) -> Setup | None:
    """The measured configuration this training is, or None when any part is unknown or was not measured."""
    labels, head, loss = t.labels, t.head, t.loss
    if labels is None or head is None or loss is None or head.width is None:
        return None
    kind = label_kind(labels)
    activation = head.activation
    function = _LOSS_ALIASES.get(loss.function, loss.function)
    logits = loss.logits if function in LOGIT_LOSSES else False
    pipeline = pipeline_of(labels)
    if kind is None or activation not in ACTIVATIONS or function not in LOSSES or logits is None or pipeline is None:
        return None
    K = 2 if kind.startswith("binary") else None if kind.startswith("continuous") else labels.classes
    if K is None and not kind.startswith("continuous"):
        return None
    metrics = tuple(m.name for m in t.metrics if m.name in METRICS)
    return Setup(kind, K, head.width, activation, function, bool(logits), pipeline, metrics)


def label_kind(labels: Labels) -> str | None:
    column = labels.rank == 2
    if labels.encoding is Encoding.ONE_HOT:
        return "one_hot" if labels.rank in (None, 2) else None
    if labels.encoding is Encoding.MULTI_HOT:
        return "multi_hot"
    if labels.rank not in (1, 2):
        return None
    if labels.encoding is Encoding.INTEGER and labels.classes == 2:
        return "binary_column" if column else "binary"
    if labels.encoding is Encoding.INTEGER:
        return "integer_column" if column else "integer"
    if labels.encoding is Encoding.BINARY and (labels.classes or 2) == 2:
        return "binary_column" if column else "binary"
    if labels.encoding is Encoding.BINARY:  # class_mode='binary' over more classes: their indices, one column
        return "integer_column" if column else "integer"
    if labels.encoding is Encoding.REGRESSION:
        return "continuous_column" if column else "continuous"
    return None


def pipeline_of(labels: Labels) -> str | None:
    if labels.container == "array":
        return "arrays"
    if labels.container == "dataset":
        return "dataset" if labels.shape_known else "dataset_unknown_shape"
    if labels.container == "iterator" and labels.origin.startswith(_ITERATORS):
        return "directory_iterator"
    return None
