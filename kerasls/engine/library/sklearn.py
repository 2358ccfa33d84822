"""scikit-learn: label encoders and the datasets and splits that carry labels."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .. import facts as F
from ..calls import Machine, arg, handles
from ..facts import ClassCount, Encoding
from ..values import UNKNOWN, BoundMethod, Const, Seq, Site, Value, int_value
from .arrays import ArrayValue


@dataclass(eq=False)
class Encoder:
    """A scikit-learn label encoder instance."""

    kind: str
    site: Site | None
    name: str | None = None


def encoder_attribute(encoder: Encoder, attr: str, node, m: Machine) -> Value:
    if attr == "classes_":
        return F.ClassNames(ClassCount(None, None, None, m.site(node).text))
    return BoundMethod(encoder, attr)


def encoder_method(encoder: Encoder, method: str, args, node, m: Machine) -> Value:
    if method == "fit":
        return encoder
    if method not in ("fit_transform", "transform"):
        return UNKNOWN
    source = arg(args, 0, "y", arg(args, 0, "X"))
    count = source.count if isinstance(source, F.Labels) else ClassCount(None)
    if count.value is None and count.expr is None and encoder.name:
        count = ClassCount(None, None, None, f"len({encoder.name}.classes_)")
    site = m.site(node)
    origin = f"{encoder.kind}().{method}(...)"
    if encoder.kind == "LabelEncoder":
        return F.Labels(Encoding.INTEGER, count, 1, origin, site)
    if encoder.kind == "LabelBinarizer":
        if count.value is None:
            return UNKNOWN  # two classes give one column, more give one-hot: unknown until we know
        encoding = Encoding.BINARY if count.value == 2 else Encoding.ONE_HOT
        return F.Labels(encoding, count, 2, origin, site)
    if encoder.kind == "OneHotEncoder":
        return F.Labels(Encoding.ONE_HOT, count, 2, origin, site, mode_site=site)
    if encoder.kind == "MultiLabelBinarizer":
        return F.Labels(Encoding.MULTI_HOT, count, 2, origin, site)
    return UNKNOWN


@handles(
    "sklearn.preprocessing.LabelEncoder",
    "sklearn.preprocessing.LabelBinarizer",
    "sklearn.preprocessing.OneHotEncoder",
    "sklearn.preprocessing.MultiLabelBinarizer",
)
def _encoder(args, node, m: Machine) -> Value:
    kind = m.site(node.func).text.split(".")[-1] if node is not None else "LabelEncoder"
    return Encoder(kind, m.site(node) if node is not None else None)


def _samples(args, default: int = 100) -> int | None:
    return int_value(arg(args, 0, "n_samples", Const(default)))


@handles("sklearn.datasets.make_classification")
def _make_classification(args, node, m: Machine) -> Value:
    n_classes = args.keywords.get("n_classes", Const(2))
    classes = int_value(n_classes)
    site = m.site(node)
    n = _samples(args)
    x = ArrayValue((n, int_value(arg(args, 1, "n_features", Const(20)))), "float", site)
    if classes is None or args.starred:
        return Seq([x if not args.starred else UNKNOWN, UNKNOWN], "tuple")
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    origin = f"make_classification(n_classes={classes})"
    return Seq([x, F.Labels(encoding, F.count_of(n_classes), 1, origin, site, shape=(n,))], "tuple")


@handles("sklearn.datasets.make_blobs")
def _make_blobs(args, node, m: Machine) -> Value:
    site = m.site(node)
    n = _samples(args)
    x = ArrayValue((n, int_value(arg(args, 1, "n_features", Const(2)))), "float", site)
    centers = arg(args, 2, "centers", Const(None))
    classes = int_value(centers) if not (isinstance(centers, Const) and centers.value is None) else 3
    if classes is None or args.starred:
        return Seq([x, UNKNOWN], "tuple")
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    count = F.count_of(centers) if int_value(centers) is not None else ClassCount(classes)
    return Seq([x, F.Labels(encoding, count, 1, f"make_blobs(centers={classes})", site, shape=(n,))], "tuple")


@handles("sklearn.datasets.make_moons", "sklearn.datasets.make_circles")
def _make_two_classes(args, node, m: Machine) -> Value:
    site = m.site(node)
    n = _samples(args)
    x = ArrayValue((n, 2), "float", site)
    return Seq([x, F.Labels(Encoding.BINARY, ClassCount(2), 1, site.text, site, shape=(n,))], "tuple")


@handles("sklearn.datasets.make_regression")
def _make_regression(args, node, m: Machine) -> Value:
    site = m.site(node)
    n = _samples(args)
    targets = int_value(args.keywords.get("n_targets", Const(1)))
    x = ArrayValue((n, int_value(arg(args, 1, "n_features", Const(100)))), "float", site)
    y_shape = (n,) if targets == 1 else (n, targets)
    return Seq(
        [x, F.Labels(Encoding.REGRESSION, ClassCount(None), len(y_shape), site.text, site, shape=y_shape)], "tuple"
    )


@handles("sklearn.utils.shuffle")
def _shuffle(args, node, m: Machine) -> Value:
    if args.starred or args.keywords.keys() - {"random_state", "n_samples"}:
        return UNKNOWN
    arrays = list(args.positional)
    return arrays[0] if len(arrays) == 1 else Seq(arrays, "list")  # the same rows in another order


@handles("sklearn.model_selection.train_test_split")
def _train_test_split(args, node, m: Machine) -> Value:
    if args.starred:
        return UNKNOWN
    out = []
    for value in args.positional:
        shape = getattr(value, "shape", None)
        if isinstance(value, (ArrayValue, F.Labels)) and shape:
            train, test = _split_sizes(shape[0], args)
            out.extend([replace(value, shape=(train, *shape[1:])), replace(value, shape=(test, *shape[1:]))])
        else:
            out.extend([value, value])  # each array splits into a train and a test part of the same kind
    return Seq(out, "list")


def _split_sizes(n: int | None, args) -> tuple[int | None, int | None]:
    """sklearn's train/test sizes: test = ceil(test_size * n), train = n - test."""
    test_size, train_size = args.keywords.get("test_size", Const(None)), args.keywords.get("train_size", Const(None))
    if n is None or not isinstance(test_size, Const) or not isinstance(train_size, Const):
        return None, None
    size = test_size.value
    if size is None and train_size.value is None:
        size = 0.25
    elif size is None:
        other = train_size.value
        size = n - (math.floor(other * n) if isinstance(other, float) else other)
    if isinstance(size, float) and 0 < size < 1:
        test = math.ceil(size * n)
    elif isinstance(size, int) and not isinstance(size, bool):
        test = size
    else:
        return None, None
    return n - test, test
