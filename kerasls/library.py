"""What library calls return, for the interpreter: builtins, os/pathlib, numpy, pandas, sklearn.

Keras and TensorFlow calls are modelled in `kerasapi.py`; this module dispatches to it.
A handler receives evaluated arguments and returns a value; anything not modelled here
returns UNKNOWN (or an opaque tensor when it is applied to one).
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from . import facts as F
from . import arrays, kerasapi, objects
from .handlers import HANDLERS, arg as _arg, handles, opaque_result
from .facts import ClassCount, Encoding
from .host import Host
from .knowledge import Knowledge, canonical
from .values import (
    UNKNOWN,
    Site,
    BoundMethod,
    ClassValue,
    Const,
    DictValue,
    Instance,
    Origin,
    PathValue,
    Ref,
    Seq,
    Value,
    int_value,
    str_value,
)

if TYPE_CHECKING:
    from .interpreter import CallArgs, Interpreter

class Library:
    def __init__(self, knowledge: Knowledge, host: Host):
        self.keras = knowledge
        self.host = host
        self.imports: set[str] = set()

    # -- hooks the interpreter calls ---------------------------------------------------
    def note_import(self, dotted: str) -> None:
        root = dotted.split(".")[0]
        if dotted.startswith("tensorflow.keras") or dotted == "tensorflow":
            self.imports.add("tensorflow")
        elif root in ("keras", "tf_keras", "tensorflow"):
            self.imports.add(root)

    def named(self, name: str, value: Value, at_module: bool, it: "Interpreter") -> None:
        if isinstance(value, Encoder) and value.name is None:
            value.name = name
        kerasapi.named(self, name, value, at_module, it)

    def call(self, func: Value, args: "CallArgs", node: cst.Call | None, it: "Interpreter") -> Value:
        if isinstance(func, Ref):
            return self.call_qualname(func.qualname, args, node, it)
        if isinstance(func, BoundMethod):
            return self.call_method(func.obj, func.name, args, node, it)
        if isinstance(func, ClassValue):
            return kerasapi.instantiate(self, func, args, node, it)
        if isinstance(func, (F.Layer, F.Model, Instance)):
            return kerasapi.apply(self, func, args, node, it)
        return opaque_result(args)

    def call_qualname(self, qualname: str, args: "CallArgs", node, it: "Interpreter") -> Value:
        name = canonical(qualname)
        handler = HANDLERS.get(name)
        if handler is not None:
            return handler(self, args, node, it)
        result = kerasapi.call_keras(self, name, qualname, args, node, it)
        if result is not None:
            return result
        return opaque_result(args)

    def call_method(self, obj: Value, method: str, args: "CallArgs", node, it: "Interpreter") -> Value:
        if isinstance(obj, (F.Labels, arrays.ArrayValue)):
            return arrays.array_method(obj, method, args, node, it)
        if isinstance(obj, arrays.Frame):
            return arrays.frame_method(obj, method, args, node, it)
        if isinstance(obj, Encoder):
            return _encoder_method(obj, method, args, node, it)
        if isinstance(obj, (Instance, ClassValue)):
            return objects.call_method(obj, method, args, node, it)
        return kerasapi.call_method(self, obj, method, args, node, it)

    def attribute(self, base: Value, attr: str, node: cst.Attribute, it: "Interpreter") -> Value:
        if isinstance(base, (F.Labels, arrays.ArrayValue)):
            return arrays.array_attribute(base, attr, node, it)
        if isinstance(base, arrays.Frame):
            return arrays.frame_attribute(base, attr, node, it)
        if isinstance(base, (Instance, ClassValue)):
            return objects.attribute(base, attr, it)
        if isinstance(base, Encoder):
            if attr == "classes_":
                return F.ClassNames(ClassCount(None, None, None, it.site(node).text))
            return BoundMethod(base, attr)
        return kerasapi.attribute(self, base, attr, node, it)

    def subscript(self, base: Value, key: Value | None, node: cst.Subscript, it: "Interpreter") -> Value:
        if isinstance(base, Seq):
            index = key.value if isinstance(key, Const) else None
            if isinstance(index, int) and not isinstance(index, bool) and -len(base.items) <= index < len(base.items):
                return base.items[index]
            if isinstance(index, slice) and not type(base).__name__.startswith("_Partial"):
                return Seq(base.items[index], base.kind)
            return UNKNOWN
        if isinstance(base, DictValue) and isinstance(key, Const):
            return base.items.get(key.value, UNKNOWN)
        if isinstance(base, Const) and isinstance(base.value, str) and isinstance(key, Const):
            try:
                return Const(base.value[key.value])
            except (TypeError, IndexError, ValueError):
                return UNKNOWN
        if isinstance(base, arrays.Frame):
            return arrays.frame_subscript(base, key, node, it)
        if isinstance(base, arrays.FrameIndexer):
            return arrays.indexer_subscript(base, key, node, it)
        if isinstance(base, (F.Labels, arrays.ArrayValue, arrays.OneHotTable)):
            return arrays.array_subscript(base, key, node, it)
        return UNKNOWN

    def set_attribute(self, base: Value, attr: str, value: Value, it: "Interpreter") -> None:
        if attr == "trainable":
            kerasapi.set_trainable(base, value, it)
            return
        objects.set_attribute(base, attr, value, it)

    def set_item(self, container: Value, key: Value, value: Value, it: "Interpreter") -> None:
        if isinstance(container, Ref) and container.qualname == "os.environ":
            if isinstance(key, Const) and isinstance(value, Const) and isinstance(value.value, str):
                it.environ[str(key.value)] = value.value

    def binary(self, op, left: Value, right: Value) -> Value:
        if op is None:
            return UNKNOWN
        if isinstance(left, PathValue) and op.__name__ == "truediv":
            other = _path_text(right)
            return PathValue(posixpath.join(left.path, other)) if other is not None else UNKNOWN
        if isinstance(left, Const) and isinstance(right, Const):
            try:
                result = op(left.value, right.value)
            except Exception:
                return UNKNOWN
            if isinstance(result, (int, float, str, bool)) and not (isinstance(result, str) and len(result) > 10_000):
                return Const(result)
            return UNKNOWN
        if isinstance(left, Seq) and isinstance(right, Seq) and op.__name__ == "add":
            return Seq(left.items + right.items, left.kind)
        if isinstance(left, arrays.ArrayValue) or isinstance(right, arrays.ArrayValue):
            return arrays.array_binary(op, left, right)
        if isinstance(left, F.Tensor) or isinstance(right, F.Tensor):
            return F.Tensor(UNKNOWN, [v for v in (left, right) if isinstance(v, F.Tensor)], None)
        return UNKNOWN

    def compare(self, op, left: Value, right: Value) -> Value:
        """A comparison the interpreter could not compute on constants (array masks)."""
        if isinstance(left, arrays.ArrayValue) or isinstance(right, arrays.ArrayValue):
            return arrays.array_binary(op, left, right)
        return UNKNOWN

    def iterate(self, value: Value) -> list | None:
        if isinstance(value, Seq) and not type(value).__name__.startswith("_Partial"):
            return list(value.items)
        if isinstance(value, DictValue):
            return [Const(key) for key in value.items]
        return None

    def unpack(self, value: Value, count: int) -> list | None:
        items = self.iterate(value)
        if items is not None and len(items) == count:
            return items
        return None


def _path_text(value: Value) -> str | None:
    if isinstance(value, PathValue):
        return value.path
    return str_value(value)


def _all_consts(values: list) -> list | None:
    if all(isinstance(v, Const) for v in values):
        return [v.value for v in values]
    return None


# -- builtins -----------------------------------------------------------------------------
@handles("builtins.len")
def _len(lib: Library, args, node, it) -> Value:
    if len(args.positional) != 1:
        return UNKNOWN
    value = args.positional[0]
    expr = _len_expr(node, it)
    if isinstance(value, Seq) and not type(value).__name__.startswith("_Partial"):
        return Const(len(value.items), Origin(value.origin.site if value.origin.expr else None, expr))
    if isinstance(value, Const) and isinstance(value.value, str):
        return Const(len(value.value))
    if isinstance(value, DictValue):
        return Const(len(value.items), Origin(None, expr))
    if isinstance(value, F.ClassNames) and value.count.value is not None:
        return Const(value.count.value, Origin(value.count.site, expr))
    return UNKNOWN


def _len_expr(node, it) -> str | None:
    """`len(NAME)` / `len(NAME.attr)` can be reused in code the fix writes elsewhere."""
    if node is None or len(node.args) != 1:
        return None
    target = node.args[0].value
    if isinstance(target, (cst.Name, cst.Attribute)):
        return it.site(node).text if it.chunk is not None else None
    return None


@handles("builtins.round")
def _round(lib: Library, args, node, it) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and len(args.positional) == 1:
        return Const(round(value.value))
    return UNKNOWN


@handles("builtins.int")
def _int(lib: Library, args, node, it) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return Const(int(value.value))
    if isinstance(value, Const) and isinstance(value.value, str):
        try:
            return Const(int(value.value))
        except ValueError:
            return UNKNOWN
    return UNKNOWN


@handles("builtins.float")
def _float(lib: Library, args, node, it) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, Const) and isinstance(value.value, (int, float, str)):
        try:
            return Const(float(value.value))
        except ValueError:
            return UNKNOWN
    return UNKNOWN


@handles("builtins.str")
def _str(lib: Library, args, node, it) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, PathValue):
        return Const(value.path)
    if isinstance(value, Const) and isinstance(value.value, (int, float, str)):
        return Const(str(value.value))
    return UNKNOWN


@handles("builtins.range")
def _range(lib: Library, args, node, it) -> Value:
    bounds = _all_consts(args.positional)
    if not bounds or not all(isinstance(b, int) for b in bounds) or args.keywords:
        return UNKNOWN
    try:
        numbers = range(*bounds)
    except (TypeError, ValueError):
        return UNKNOWN
    if len(numbers) > 64:
        return UNKNOWN
    return Seq([Const(n) for n in numbers], "list")


@handles("builtins.list", "builtins.tuple", "builtins.sorted")
def _list(lib: Library, args, node, it) -> Value:
    if len(args.positional) != 1:
        return UNKNOWN
    value = args.positional[0]
    items = lib.iterate(value)
    if items is None:
        if isinstance(value, F.ClassNames):
            return value
        return UNKNOWN
    kind = "tuple" if node is not None and it.site(node.func).text == "tuple" else "list"
    if node is not None and it.site(node.func).text == "sorted" and not args.keywords:
        values = _all_consts(items)
        if values is not None:
            try:
                return Seq([Const(v) for v in sorted(values)], "list")
            except TypeError:
                return UNKNOWN
    return Seq(items, kind)


@handles("builtins.min", "builtins.max", "builtins.sum", "builtins.abs")
def _numeric(lib: Library, args, node, it) -> Value:
    if node is None or args.keywords:
        return UNKNOWN
    name = it.site(node.func).text
    values = args.positional
    if len(values) == 1:
        values = lib.iterate(values[0]) or [values[0]]
    numbers = _all_consts(values)
    if not numbers or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
        return UNKNOWN
    function = {"min": min, "max": max, "sum": sum, "abs": lambda xs: abs(xs[0])}.get(name)
    if function is None:
        return UNKNOWN
    try:
        return Const(function(numbers))
    except (TypeError, ValueError):
        return UNKNOWN


# -- os / pathlib -------------------------------------------------------------------------
@handles("os.path.join")
def _path_join(lib: Library, args, node, it) -> Value:
    parts = [_path_text(v) for v in args.positional]
    if not parts or any(p is None for p in parts):
        return UNKNOWN
    return Const(posixpath.join(*parts))


@handles("os.path.dirname", "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.expanduser")
def _path_function(lib: Library, args, node, it) -> Value:
    path = _path_text(args.positional[0]) if len(args.positional) == 1 else None
    if path is None:
        return UNKNOWN
    name = node.func.attr.value if node is not None and isinstance(node.func, cst.Attribute) else ""
    if name == "dirname":
        return Const(posixpath.dirname(path))
    if name == "normpath":
        return Const(posixpath.normpath(path))
    return Const(path)  # abspath/realpath keep a relative path relative: the host anchors it


@handles("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath")
def _path(lib: Library, args, node, it) -> Value:
    parts = [_path_text(v) for v in args.positional]
    if not parts or any(p is None for p in parts):
        return UNKNOWN
    return PathValue(posixpath.join(*parts))


@handles("os.environ.setdefault")
def _environ_setdefault(lib: Library, args, node, it) -> Value:
    key, value = _arg(args, 0, "key"), _arg(args, 1, "value")
    if isinstance(key, Const) and isinstance(value, Const) and isinstance(value.value, str):
        it.environ.setdefault(str(key.value), value.value)
    return UNKNOWN


@handles("os.environ.update")
def _environ_update(lib: Library, args, node, it) -> Value:
    mapping = args.positional[0] if args.positional else None
    if isinstance(mapping, DictValue):
        for key, value in mapping.items.items():
            if isinstance(value, Const) and isinstance(value.value, str):
                it.environ[str(key)] = value.value
    for key, value in args.keywords.items():
        if isinstance(value, Const) and isinstance(value.value, str):
            it.environ[key] = value.value
    return UNKNOWN


# -- scikit-learn -------------------------------------------------------------------------
@dataclass(eq=False)
class Encoder:
    """A scikit-learn label encoder instance."""

    kind: str
    site: Site | None
    name: str | None = None


def _encoder_method(encoder: Encoder, method: str, args, node, it) -> Value:
    if method == "fit":
        return encoder
    if method not in ("fit_transform", "transform"):
        return UNKNOWN
    source = _arg(args, 0, "y", _arg(args, 0, "X"))
    count = source.count if isinstance(source, F.Labels) else ClassCount(None)
    if count.value is None and count.expr is None and encoder.name:
        count = ClassCount(None, None, None, f"len({encoder.name}.classes_)")
    site = it.site(node)
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
def _encoder(lib: Library, args, node, it) -> Value:
    kind = it.site(node.func).text.split(".")[-1] if node is not None else "LabelEncoder"
    return Encoder(kind, it.site(node) if node is not None else None)


@handles("sklearn.datasets.make_classification")
def _make_classification(lib: Library, args, node, it) -> Value:
    n_classes = args.keywords.get("n_classes", Const(2))
    classes = int_value(n_classes)
    if classes is None or args.starred:
        return Seq([UNKNOWN, UNKNOWN], "tuple")
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    labels = F.Labels(encoding, F.count_of(n_classes), 1, f"make_classification(n_classes={classes})", it.site(node))
    return Seq([UNKNOWN, labels], "tuple")


@handles("sklearn.model_selection.train_test_split")
def _train_test_split(lib: Library, args, node, it) -> Value:
    if args.starred:
        return UNKNOWN
    out = []
    for value in args.positional:
        out.extend([value, value])  # each array splits into a train and a test part of the same kind
    return Seq(out, "list")
