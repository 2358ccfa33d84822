"""What library calls return, for the interpreter: builtins, os/pathlib, numpy, pandas, sklearn.

Keras and TensorFlow calls are modelled in `kerasapi.py`; this module dispatches to it.
A handler receives evaluated arguments and returns a value; anything not modelled here
returns UNKNOWN (or an opaque tensor when it is applied to one).
"""
from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING, Callable

import libcst as cst

from . import facts as F
from . import kerasapi
from .facts import ClassCount, Encoding
from .host import Host
from .knowledge import Knowledge, canonical
from .values import (
    UNKNOWN,
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

Handler = Callable[["Library", "CallArgs", cst.Call, "Interpreter"], Value]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str):
    def register(function: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = function
        return function

    return register


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
        kerasapi.named(self, name, value, at_module, it)

    def call(self, func: Value, args: "CallArgs", node: cst.Call | None, it: "Interpreter") -> Value:
        if isinstance(func, Ref):
            return self.call_qualname(func.qualname, args, node, it)
        if isinstance(func, BoundMethod):
            return kerasapi.call_method(self, func.obj, func.name, args, node, it)
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

    def attribute(self, base: Value, attr: str, node: cst.Attribute, it: "Interpreter") -> Value:
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
        return kerasapi.subscript(self, base, key, node, it)

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
        if isinstance(left, F.Tensor) or isinstance(right, F.Tensor):
            return F.Tensor(UNKNOWN, [v for v in (left, right) if isinstance(v, F.Tensor)], None)
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


def opaque_result(args: "CallArgs") -> Value:
    """An unmodelled call: a tensor if it was applied to one (tf.reduce_mean(x)), else unknown."""
    tensors = [v for v in args.positional if isinstance(v, F.Tensor)]
    if tensors:
        return F.Tensor(UNKNOWN, tensors, None)
    return UNKNOWN


def _path_text(value: Value) -> str | None:
    if isinstance(value, PathValue):
        return value.path
    return str_value(value)


def _all_consts(values: list) -> list | None:
    if all(isinstance(v, Const) for v in values):
        return [v.value for v in values]
    return None


def _arg(args: "CallArgs", index: int, name: str, default: Value = UNKNOWN) -> Value:
    if name in args.keywords:
        return args.keywords[name]
    if index < len(args.positional):
        return args.positional[index]
    return default


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
        return it.chunk.code(node).strip() if it.chunk is not None else None
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
    kind = "tuple" if node is not None and it.chunk.code(node.func).strip() == "tuple" else "list"
    if node is not None and it.chunk.code(node.func).strip() == "sorted" and not args.keywords:
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
    name = it.chunk.code(node.func).strip()
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


# -- numpy --------------------------------------------------------------------------------
def _labels_arg(args, index: int = 0, name: str = "") -> F.Labels | None:
    value = _arg(args, index, name) if name else (args.positional[index] if index < len(args.positional) else UNKNOWN)
    return value if isinstance(value, F.Labels) else None


@handles("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.copy", "numpy.ascontiguousarray")
def _np_array(lib: Library, args, node, it) -> Value:
    labels = _labels_arg(args)
    return labels if labels is not None else UNKNOWN


@handles("numpy.concatenate", "numpy.vstack", "numpy.hstack")
def _np_concatenate(lib: Library, args, node, it) -> Value:
    items = lib.iterate(args.positional[0]) if args.positional else None
    if not items or not all(isinstance(i, F.Labels) for i in items):
        return UNKNOWN
    first = items[0]
    if all(i.encoding is first.encoding and i.classes == first.classes and i.rank == first.rank for i in items):
        return first
    return UNKNOWN


@handles("numpy.expand_dims")
def _np_expand_dims(lib: Library, args, node, it) -> Value:
    labels = _labels_arg(args)
    if labels is None or labels.rank != 1:
        return UNKNOWN
    return labels.with_rank(2)


@handles("numpy.squeeze", "numpy.ravel")
def _np_squeeze(lib: Library, args, node, it) -> Value:
    labels = _labels_arg(args)
    if labels is None:
        return UNKNOWN
    if labels.rank == 2 and labels.encoding in (Encoding.INTEGER, Encoding.BINARY):
        return labels.with_rank(1)
    return labels if labels.rank == 1 else UNKNOWN


@handles("numpy.argmax")
def _np_argmax(lib: Library, args, node, it) -> Value:
    labels = _labels_arg(args)
    axis = int_value(_arg(args, 1, "axis"))
    if labels is None or labels.encoding is not Encoding.ONE_HOT or axis not in (1, -1):
        return UNKNOWN
    return F.Labels(Encoding.INTEGER, labels.count, 1, f"argmax of {labels.origin}", it.site(node), labels.container)


@handles("numpy.eye", "numpy.identity")
def _np_eye(lib: Library, args, node, it) -> Value:
    size = _arg(args, 0, "N")
    return kerasapi.OneHotTable(size, it.site(node)) if int_value(size) is not None else UNKNOWN


@handles("numpy.random.randint")
def _np_randint(lib: Library, args, node, it) -> Value:
    low, high, size = _arg(args, 0, "low"), _arg(args, 1, "high", Const(None)), _arg(args, 2, "size", Const(None))
    low_v, high_v = int_value(low), high.value if isinstance(high, Const) else UNKNOWN
    if low_v is None or high_v is UNKNOWN:
        return UNKNOWN
    count_value = high if high_v is not None else low
    if high_v is not None and low_v != 0:
        return UNKNOWN
    classes = int_value(count_value)
    if classes is None:
        return UNKNOWN
    rank, width = _size_shape(size)
    if rank is None:
        return UNKNOWN
    count = F.count_of(count_value)
    site = it.site(node)
    if rank == 2 and width not in (1, None):
        if classes == 2:
            return F.Labels(Encoding.MULTI_HOT, ClassCount(width), 2, "np.random.randint(0, 2, ...)", site)
        return UNKNOWN
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    return F.Labels(encoding, count, rank, f"np.random.randint(0, {classes}, ...)", site)


def _size_shape(size: Value) -> tuple[int | None, int | None]:
    if isinstance(size, Const):
        return (1, None) if isinstance(size.value, int) else (None, None)
    if isinstance(size, Seq):
        if len(size.items) == 1:
            return 1, None
        if len(size.items) == 2:
            return 2, int_value(size.items[1])
    return None, None


# -- pandas -------------------------------------------------------------------------------
@handles("pandas.get_dummies")
def _get_dummies(lib: Library, args, node, it) -> Value:
    if args.keywords.get("columns") is not None:
        return UNKNOWN
    return F.Labels(Encoding.ONE_HOT, ClassCount(None), 2, "pd.get_dummies(...)", it.site(node), mode_site=it.site(node))


# -- scikit-learn -------------------------------------------------------------------------
@handles(
    "sklearn.preprocessing.LabelEncoder",
    "sklearn.preprocessing.LabelBinarizer",
    "sklearn.preprocessing.OneHotEncoder",
    "sklearn.preprocessing.MultiLabelBinarizer",
)
def _encoder(lib: Library, args, node, it) -> Value:
    kind = it.chunk.code(node.func).split(".")[-1].strip() if node is not None else "LabelEncoder"
    return kerasapi.Encoder(kind, it.site(node) if node is not None else None)


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
        out.extend([value, value] if isinstance(value, F.Labels) else [UNKNOWN, UNKNOWN])
    return Seq(out, "list")
