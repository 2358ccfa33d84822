"""scikit-learn: label encoders and the datasets and splits that carry labels."""

from __future__ import annotations

from dataclasses import dataclass

from .. import facts as F
from ..calls import Machine, arg, handles
from ..facts import ClassCount, Encoding
from ..values import UNKNOWN, BoundMethod, Const, Seq, Site, Value, int_value


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


@handles("sklearn.datasets.make_classification")
def _make_classification(args, node, m: Machine) -> Value:
    n_classes = args.keywords.get("n_classes", Const(2))
    classes = int_value(n_classes)
    if classes is None or args.starred:
        return Seq([UNKNOWN, UNKNOWN], "tuple")
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    labels = F.Labels(encoding, F.count_of(n_classes), 1, f"make_classification(n_classes={classes})", m.site(node))
    return Seq([UNKNOWN, labels], "tuple")


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
        out.extend([value, value])  # each array splits into a train and a test part of the same kind
    return Seq(out, "list")
