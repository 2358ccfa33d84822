"""numpy arrays: their static shapes, and what their values are, as far as labels and inputs go.

An array is known by its shape (sizes unknown where the code does not say) and its values: 0/1
from a comparison, integer class indices, floats. That is enough to tell that
`df["emotion"].values.astype("int32")` are integer labels of shape (N,), that
`(df.LABEL == 2).astype("float32").reshape(-1, 1)` are 0/1 labels of shape (N, 1), or that
`np.random.rand(500, 20)` feeds 20 features to a model. Shape arithmetic follows numpy
(`ndshape`); anything numpy would reject, or that we cannot follow, is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from .. import facts as F
from ..calls import CallArgs, Machine, arg, handles
from ..facts import ClassCount, Encoding
from ..values import (
    ELLIPSIS_KEY,
    UNKNOWN,
    BoundMethod,
    Const,
    DictValue,
    IndexTuple,
    Ref,
    Seq,
    Site,
    SomeSlice,
    Value,
    int_value,
    iterate,
)
from . import ndshape as S

Shape = S.Shape


@dataclass(eq=False)
class ArrayValue:
    shape: Shape | None  # (N, d1, ...); None entries where a size is unknown; None when even the rank is
    # binary (0/1), index (class indices), integer, float, text, positions (row numbers: a permutation
    # or a sample of them), or None
    values: str | None
    site: Site
    from_labels: bool = False  # a mask computed from the labels themselves (y < 8)
    # The program compares these values with the positions of a list of names (`y == i for i, name in
    # enumerate(CLASSES)`): they are class indices into that list.
    classes: ClassCount | None = None
    high: int | None = None  # integer values are below this (randint's high, a vocabulary size)

    @property
    def rank(self) -> int | None:
        return len(self.shape) if self.shape is not None else None

    @property
    def last(self) -> int | None:
        """The size of the last axis of a matrix or more (None for a vector)."""
        return self.shape[-1] if self.shape is not None and len(self.shape) >= 2 else None

    @property
    def written(self) -> str:
        return self.site.text

    def but(self, **changes) -> ArrayValue:
        return replace(self, **changes)


@dataclass(eq=False)
class OneHotTable:
    """np.eye(K): indexing it with integer labels one-hot encodes them."""

    size: Value
    site: Site


@dataclass(eq=False)
class RandomGenerator:
    """np.random.default_rng(...): its methods draw arrays like np.random's functions."""


_INT_DTYPES = {"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "long", "intp"}
_FLOAT_DTYPES = {"float", "float16", "float32", "float64", "double", "half"}


def shape_of(value: Value) -> Shape | None:
    """The static shape of an array or of labels held in an array."""
    if isinstance(value, ArrayValue):
        return value.shape
    if isinstance(value, F.Labels):
        return value.shape
    return None


def _dtype_kind(value: Value) -> str | None:
    if isinstance(value, Const):
        name = value.value if isinstance(value.value, str) else None
    else:
        name = value.qualname.rsplit(".", 1)[-1] if isinstance(value, Ref) else None
    if name is None:
        return None
    name = name.lower()
    if name in _INT_DTYPES:
        return "integer"
    if name in _FLOAT_DTYPES:
        return "float"
    if name in ("bool", "bool_"):
        return "binary"
    if name in ("str", "object", "string"):
        return "text"
    return None


def _cast(current: str | None, dtype: str | None) -> str | None:
    """Values after astype(dtype): 0/1 and class indices survive a cast to int or float."""
    if dtype is None:
        return current
    if current in ("binary", "index") and dtype in ("integer", "float"):
        return current
    if current == "integer" and dtype == "float":
        return "integer"
    return dtype


def one_hot_shape(indices: Value, classes: int | None) -> Shape | None:
    """to_categorical's output shape: a trailing axis of 1 is dropped, then one of `classes` added."""
    shape = shape_of(indices)
    if shape is None:
        return None
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    return (*shape, classes)


def one_hot_rank(indices: Value) -> int | None:
    """The rank of one-hot labels made from these indices: one axis more, (N, 1) counting as (N,)."""
    if isinstance(indices, F.Labels):
        last = 1 if indices.encoding in (Encoding.INTEGER, Encoding.BINARY, Encoding.VECTOR) else None
        rank = indices.rank
    elif isinstance(indices, ArrayValue):
        rank, last = indices.rank, indices.last
    else:
        return None
    if rank is None:
        return None
    if rank == 2 and last == 1:
        return 2
    return rank + 1


def as_labels(value: Value) -> F.Labels | None:
    """The labels an array passed as y stands for, when its shape says enough."""
    if isinstance(value, F.Labels):
        return value
    if not isinstance(value, ArrayValue):
        return None
    column = value.rank == 1 or (value.rank == 2 and value.last == 1)
    if value.classes is not None and value.values in ("index", "integer", None) and (column or value.rank is None):
        return F.Labels(Encoding.INTEGER, value.classes, value.rank, value.written, value.site, shape=value.shape)
    if value.values == "index" and (column or value.rank is None):
        encoding = Encoding.INTEGER
    elif not column:
        return None
    elif value.values == "binary":
        encoding = Encoding.BINARY
    elif value.values == "integer":
        encoding = Encoding.INTEGER
    else:
        encoding = Encoding.VECTOR
    count = ClassCount(2) if encoding is Encoding.BINARY else ClassCount(None)
    return F.Labels(encoding, count, value.rank, value.written, value.site, shape=value.shape)


# -- numpy constructors -------------------------------------------------------------------
def _first(args) -> Value:
    return args.positional[0] if args.positional else UNKNOWN


def _dims(value: Value) -> Shape | None:
    """A shape argument: an int or a tuple of ints (unknown sizes allowed)."""
    if isinstance(value, Const) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return (value.value,)
    items = iterate(value)
    if items is None:
        return None
    return tuple(int_value(item) for item in items)


def _nested(value: Value):
    """A nested list literal as Python lists of leaves, or None when not all known."""
    if isinstance(value, Seq):
        if not value.complete:
            return None
        items = [_nested(item) for item in value.items]
        return None if any(i is None for i in items) else items
    if isinstance(value, Const) and isinstance(value.value, (int, float, bool, str)):
        return value.value
    return None


def _leaf_kinds(nested) -> set:
    if isinstance(nested, list):
        return set().union(*(_leaf_kinds(item) for item in nested)) if nested else set()
    return {type(nested)}


@handles("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.copy", "numpy.ascontiguousarray")
def _np_array(args, node, m: Machine) -> Value:
    value = _first(args)
    dtype = _dtype_kind(args.keywords.get("dtype", arg(args, 1, "dtype")))
    if isinstance(value, F.Labels):
        return value
    if isinstance(value, ArrayValue):
        return value.but(values=_cast(value.values, dtype)) if dtype else value
    nested = _nested(value)
    if nested is not None and isinstance(nested, list):
        kinds = _leaf_kinds(nested)
        values = dtype or ("integer" if kinds == {int} else "float" if kinds <= {int, float} else None)
        return ArrayValue(S.from_nested(nested), values, m.site(node))
    if isinstance(value, Seq) and value.complete:
        return ArrayValue(None, dtype, m.site(node))  # rows whose shapes are not known
    return UNKNOWN


@handles("numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full")
def _np_filled(args, node, m: Machine) -> Value:
    shape = _dims(arg(args, 0, "shape"))
    dtype = _dtype_kind(args.keywords.get("dtype", UNKNOWN))
    return ArrayValue(shape, dtype or "float", m.site(node)) if shape is not None else UNKNOWN


@handles("numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like")
def _np_like(args, node, m: Machine) -> Value:
    return ArrayValue(shape_of(_first(args)), "float", m.site(node))


@handles("numpy.random.rand", "numpy.random.randn")
def _np_rand(args, node, m: Machine) -> Value:
    if args.keywords or args.starred:
        return UNKNOWN
    return ArrayValue(tuple(int_value(d) for d in args.positional), "float", m.site(node))


@handles(
    "numpy.random.random", "numpy.random.random_sample", "numpy.random.sample", "numpy.random.ranf",
    "numpy.random.standard_normal",
)  # fmt: skip
def _np_random(args, node, m: Machine) -> Value:
    return _drawn(arg(args, 0, "size", Const(None)), node, m)


@handles("numpy.random.normal", "numpy.random.uniform")
def _np_distribution(args, node, m: Machine) -> Value:
    return _drawn(arg(args, 2, "size", Const(None)), node, m)


def _drawn(size: Value, node, m: Machine) -> Value:
    if isinstance(size, Const) and size.value is None:
        return UNKNOWN  # a single number
    shape = _dims(size)
    return ArrayValue(shape, "float", m.site(node)) if shape is not None else UNKNOWN


@handles("numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile")
def _np_load(args, node, m: Machine) -> Value:
    return ArrayValue(None, None, m.site(node))  # an array, or an .npz of arrays


@handles("numpy.linspace")
def _np_linspace(args, node, m: Machine) -> Value:
    return ArrayValue((int_value(arg(args, 2, "num", Const(50))),), "float", m.site(node))


_UNKNOWN_AXIS = object()


def _axis(args, index: int, default: int | None = 0):
    """The axis argument: an int, None (flattened), or _UNKNOWN_AXIS."""
    value = arg(args, index, "axis", Const(default))
    if isinstance(value, Const) and (value.value is None or isinstance(value.value, int)):
        return value.value
    return _UNKNOWN_AXIS


def _joined(items: list, shape: Shape | None, node, m: Machine) -> Value:
    """The result of joining arrays (or labels of one kind) along an axis."""
    first = items[0]
    same_kind = all(
        isinstance(i, F.Labels) and i.encoding is first.encoding and i.classes == first.classes and i.rank == first.rank
        for i in items
    )
    if isinstance(first, F.Labels) and same_kind and (shape is None or len(shape) == first.rank):
        return replace(first, shape=shape)  # more rows of the same labels
    if all(isinstance(i, F.Labels) for i in items):
        return ArrayValue(shape, None, m.site(node))
    if all(isinstance(i, ArrayValue) for i in items):
        values = {i.values for i in items}
        return ArrayValue(shape, values.pop() if len(values) == 1 else None, m.site(node))
    return UNKNOWN


def _join(name: str):
    def handler(args, node, m: Machine) -> Value:
        return _np_join(name, args, node, m)

    return handler


handles("numpy.concatenate")(_join("concatenate"))
handles("numpy.vstack", "numpy.row_stack")(_join("vstack"))
handles("numpy.hstack")(_join("hstack"))
handles("numpy.stack")(_join("stack"))


def _np_join(name: str, args, node, m: Machine) -> Value:
    items = iterate(_first(args))
    if not items or not all(isinstance(i, (ArrayValue, F.Labels)) for i in items):
        return UNKNOWN
    shapes = [shape_of(i) for i in items]
    axis = _axis(args, 1)
    if axis is _UNKNOWN_AXIS:
        shape = None
    elif name == "stack":
        shape = S.stack(shapes, axis if axis is not None else 0)
    elif name == "vstack":
        shape = S.vstack(shapes)
    elif name == "hstack":
        shape = S.hstack(shapes)
    elif axis is None:
        shape = (sum(S.size(s) for s in shapes),) if all(S.size(s) is not None for s in shapes) else (None,)
    else:
        shape = S.concatenate(shapes, axis)
    if name in ("concatenate", "vstack") and axis in (0, None) and shape is None:
        ranks = {len(s) for s in shapes if s is not None}
        if len(ranks) != 1:
            return UNKNOWN
    return _joined(items, shape, node, m)


@handles("numpy.expand_dims")
def _np_expand_dims(args, node, m: Machine) -> Value:
    axis = int_value(arg(args, 1, "axis"))
    return add_axis(_first(args), axis) if axis is not None else UNKNOWN


@handles("numpy.squeeze")
def _np_squeeze(args, node, m: Machine) -> Value:
    return squeeze(_first(args), int_value(arg(args, 1, "axis", Const(None))))


@handles("numpy.ravel")
def _np_ravel(args, node, m: Machine) -> Value:
    return flatten(_first(args))


@handles("numpy.transpose")
def _np_transpose(args, node, m: Machine) -> Value:
    value = _first(args)
    if isinstance(value, ArrayValue) and "axes" not in args.keywords and len(args.positional) == 1:
        return value.but(shape=S.transpose(value.shape), site=m.site(node))
    return UNKNOWN


@handles("numpy.argmax")
def _np_argmax(args, node, m: Machine) -> Value:
    value = _first(args)
    axis = int_value(arg(args, 1, "axis"))
    if axis not in (1, -1):
        return UNKNOWN
    if isinstance(value, F.Labels) and value.encoding is Encoding.ONE_HOT:
        shape = S.reduce(value.shape, axis)
        site = m.site(node)
        return F.Labels(
            Encoding.INTEGER, value.count, 1, f"argmax of {value.origin}", site, value.container, shape=shape
        )
    if isinstance(value, ArrayValue) and value.rank == 2:
        return ArrayValue(S.reduce(value.shape, axis), "index", m.site(node))
    return UNKNOWN


@handles("numpy.eye", "numpy.identity")
def _np_eye(args, node, m: Machine) -> Value:
    size = arg(args, 0, "N")
    return OneHotTable(size, m.site(node)) if int_value(size) is not None else UNKNOWN


@handles("numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator")
def _np_rng(args, node, m: Machine) -> Value:
    return RandomGenerator()


@handles("numpy.random.permutation", "numpy.arange")
def _np_permutation(args, node, m: Machine) -> Value:
    first = _first(args)
    if isinstance(first, (ArrayValue, F.Labels)):
        return first  # the same rows, shuffled
    return ArrayValue((int_value(first),), "positions", m.site(node))


@handles("numpy.random.choice")
def _np_choice(args, node, m: Machine) -> Value:
    size = _dims(arg(args, 1, "size", Const(None)))
    return ArrayValue(size if size is not None else (None,), "positions", m.site(node))


def rng_method(method: str, args: CallArgs, node, m: Machine) -> Value:
    if method == "permutation":
        return _np_permutation(args, node, m)
    if method == "choice":
        return _np_choice(args, node, m)
    if method in ("random", "standard_normal"):
        return _drawn(arg(args, 0, "size", Const(None)), node, m)
    if method in ("normal", "uniform"):
        return _drawn(arg(args, 2, "size", Const(None)), node, m)
    if method == "integers":
        return _integers(
            arg(args, 0, "low"), arg(args, 1, "high", Const(None)), arg(args, 2, "size", Const(None)), node, m
        )
    return UNKNOWN


@handles("numpy.random.randint")
def _np_randint(args, node, m: Machine) -> Value:
    low, high, size = arg(args, 0, "low"), arg(args, 1, "high", Const(None)), arg(args, 2, "size", Const(None))
    return _integers(low, high, size, node, m)


def _integers(low: Value, high: Value, size: Value, node, m: Machine) -> Value:
    """Random integers in [low, high): class labels 0..K-1 when low is 0 and the shape is a column."""
    if isinstance(size, Const) and size.value is None:
        return UNKNOWN
    shape = _dims(size)
    if int_value(low) is None or not isinstance(high, Const) or shape is None:
        return UNKNOWN
    site = m.site(node)
    if high.value is not None and int_value(low) != 0:
        return ArrayValue(shape, "integer", site, high=int_value(high))
    count_value = high if high.value is not None else low
    classes = int_value(count_value)
    if classes is None:
        return UNKNOWN
    rank, width = len(shape), shape[-1] if len(shape) >= 2 else None
    if rank > 2:
        return ArrayValue(shape, "integer", site, high=classes)
    if rank == 2 and width != 1:
        if classes == 2 and width is not None:
            return F.Labels(Encoding.MULTI_HOT, ClassCount(width), 2, "np.random.randint(0, 2, ...)", site, shape=shape)
        return ArrayValue(shape, "integer", site, high=classes)
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    origin = f"np.random.randint(0, {classes}, ...)"
    return F.Labels(encoding, F.count_of(count_value), rank, origin, site, shape=shape)


# -- shape operations shared by labels and arrays -----------------------------------------
def add_axis(value: Value, axis: int = -1) -> Value:
    if isinstance(value, F.Labels) and value.rank == 1 and axis in (-1, 1):
        return replace(value, rank=2, shape=S.expand(value.shape, axis))
    if isinstance(value, ArrayValue) and value.rank is not None:
        return value.but(shape=S.expand(value.shape, axis))
    return UNKNOWN


def squeeze(value: Value, axis: int | None = None) -> Value:
    if isinstance(value, F.Labels):
        squeezed = S.squeeze(value.shape, axis)
        if squeezed is not None and len(squeezed) != 1:
            return UNKNOWN  # one label, or not a column of them
        return flatten(value)
    if isinstance(value, ArrayValue):
        shape = S.squeeze(value.shape, axis)
        if shape is None and value.rank == 2 and value.last == 1:
            shape = value.shape[:1]
        return value.but(shape=shape) if shape is not None else UNKNOWN
    return UNKNOWN


def flatten(value: Value) -> Value:
    if isinstance(value, F.Labels):
        if value.rank == 1 or (
            value.rank == 2 and value.encoding in (Encoding.INTEGER, Encoding.BINARY, Encoding.VECTOR)
        ):
            return replace(value, rank=1, shape=value.shape[:1] if value.shape else None)
        return UNKNOWN
    if isinstance(value, ArrayValue) and value.shape is not None:
        return value.but(shape=S.ravel(value.shape))
    return UNKNOWN


def _reshape(value: Value, args: CallArgs) -> Value:
    shape = args.positional
    if len(shape) == 1 and isinstance(shape[0], Seq):
        shape = shape[0].items
    dims = [int_value(d) for d in shape]
    if not dims or any(d is None for d in dims):
        return UNKNOWN
    column = len(dims) == 1 or (len(dims) == 2 and dims[1] == 1)
    if isinstance(value, F.Labels):
        if column and value.encoding in (Encoding.INTEGER, Encoding.BINARY, Encoding.VECTOR):
            return replace(value, rank=len(dims), shape=S.reshape(value.shape, dims))
        if len(dims) == 2 and value.encoding is Encoding.ONE_HOT and dims[1] in (value.classes, -1):
            return value
        return UNKNOWN
    if isinstance(value, ArrayValue):
        reshaped = S.reshape(value.shape, dims)
        if reshaped is None and value.shape is not None and S.size(value.shape) is not None:
            return UNKNOWN  # numpy raises: the sizes do not match
        return value.but(shape=reshaped if reshaped is not None else tuple(None if d == -1 else d for d in dims))
    return UNKNOWN


def array_method(value: Value, method: str, args: CallArgs, node, m: Machine) -> Value:
    """Methods of numpy arrays and pandas Series, for Labels and ArrayValues."""
    if method in ("copy", "to_numpy", "numpy", "tolist"):
        return value
    if method == "astype":
        dtype = _dtype_kind(arg(args, 0, "dtype"))
        if isinstance(value, ArrayValue):
            return value.but(values=_cast(value.values, dtype), site=m.site(node))
        return value
    if method in ("flatten", "ravel"):
        return flatten(value)
    if method == "squeeze":
        return squeeze(value, int_value(arg(args, 0, "axis", Const(None))))
    if method == "reshape":
        result = _reshape(value, args)
        if isinstance(result, ArrayValue):
            return result.but(site=m.site(node))
        return result
    if method == "transpose" and isinstance(value, ArrayValue) and not args.positional:
        return value.but(shape=S.transpose(value.shape), site=m.site(node))
    if isinstance(value, ArrayValue) and value.rank == 1:
        if method in ("map", "replace") and args.positional and _class_table(args.positional[0]) is not None:
            site = m.site(node)
            return F.Labels(Encoding.INTEGER, _class_table(args.positional[0]), 1, site.text, site, shape=value.shape)
        if method in ("map", "apply", "replace", "fillna"):
            return value.but(values=None, site=m.site(node))
        if method == "factorize":
            return Seq([value.but(values="index", site=m.site(node)), UNKNOWN], "tuple")
    return UNKNOWN


def _class_table(mapping: Value) -> ClassCount | None:
    """A dict from names to 0..n-1 (`{name: i for i, name in enumerate(CLASSES)}`): n classes."""
    if not isinstance(mapping, DictValue) or not mapping.complete or not mapping.items:
        return None
    numbers = sorted(int_value(v) for v in mapping.items.values() if int_value(v) is not None)
    if numbers != list(range(len(mapping.items))):
        return None
    n = len(numbers)
    name = mapping.origin.expr
    note = f"{n} classes in {name}" if name else f"{n} classes in the mapping"
    return ClassCount(n, mapping.origin.site, note, f"len({name})" if name else None)


def array_attribute(value: Value, attr: str, node, m: Machine) -> Value:
    if attr == "values":
        return value
    if attr == "codes" and isinstance(value, ArrayValue):
        return value.but(values="index", site=m.site(node))
    if attr == "cat":
        return value  # Series.cat.codes
    if attr == "T" and isinstance(value, ArrayValue):
        return value.but(shape=S.transpose(value.shape), site=m.site(node))
    shape = shape_of(value)
    if attr == "shape" and shape is not None:
        return Seq([Const(d) if d is not None else UNKNOWN for d in shape], "tuple")
    if attr == "ndim" and shape is not None:
        return Const(len(shape))
    return BoundMethod(value, attr)


# -- indexing -----------------------------------------------------------------------------
def array_subscript(value: Value, key: Value, node: cst.Subscript, m: Machine) -> Value:
    if isinstance(value, OneHotTable):
        site = m.site(node)
        count = F.count_of(value.size)
        labels = F.Labels(Encoding.ONE_HOT, count, one_hot_rank(key), "np.eye(...)[labels]", site, mode_site=site)
        labels.shape = one_hot_shape(key, count.value)
        if isinstance(key, F.Labels):
            labels.container = key.container
        return labels
    if isinstance(key, Const) and isinstance(key.value, str):
        if isinstance(value, ArrayValue) and value.rank is None:
            return ArrayValue(None, None, m.site(node))  # an array from an .npz archive
        return UNKNOWN  # a field of a record array
    items = key.items if isinstance(key, IndexTuple) else [key]
    index = [_index_item(item) for item in items]
    if any(i is None for i in index):
        return UNKNOWN
    shape = S.index(shape_of(value), index)
    rows = items[0]
    if isinstance(value, F.Labels):
        if isinstance(key, IndexTuple) and not _is_new_axis_only(index):
            return UNKNOWN
        if len(index) == 1 and isinstance(index[0], int):
            return UNKNOWN  # one label
        if isinstance(key, IndexTuple):  # y[:, None], y[..., np.newaxis]
            return add_axis(value) if value.rank == 1 else UNKNOWN
        labels = value if _keeps_classes(rows) else value.with_count(ClassCount(None))
        return replace(labels, shape=shape)
    if isinstance(value, ArrayValue):
        if shape is None and value.shape is not None:
            return UNKNOWN  # numpy raises, or something we do not follow
        if value.shape is None and len(index) == 1 and isinstance(index[0], int):
            return UNKNOWN
        return value.but(shape=shape)
    return UNKNOWN


def _is_new_axis_only(index: list) -> bool:
    """y[:, None] and y[..., None]: a new last axis, every row kept."""
    return len(index) == 2 and index[1] == S.NEW_AXIS and (index[0] == slice(None) or index[0] == S.ELLIPSIS)


def _index_item(item: Value):
    """A subscript item in ndshape's terms, or None when it is not understood."""
    if isinstance(item, Const):
        if item.value is None:
            return S.NEW_AXIS
        if isinstance(item.value, (int, slice)) and not isinstance(item.value, bool):
            return item.value
        return None
    if isinstance(item, SomeSlice):
        return S.SOME_SLICE
    if item is ELLIPSIS_KEY:
        return S.ELLIPSIS
    if isinstance(item, Ref) and item.qualname == "numpy.newaxis":
        return S.NEW_AXIS
    if isinstance(item, (ArrayValue, F.Labels)):
        shape = shape_of(item)
        if isinstance(item, ArrayValue) and item.values == "binary":
            return ("mask", shape) if shape is not None else S.ROWS
        return ("array", shape) if shape is not None else S.ROWS
    if item is UNKNOWN:
        return S.ROWS
    return None


def _keeps_classes(key: Value) -> bool:
    """Rows selected by position (a slice, a shuffle, a mask unrelated to the labels) keep every class."""
    if isinstance(key, Const):
        return isinstance(key.value, slice)
    if isinstance(key, SomeSlice):
        return True
    if isinstance(key, ArrayValue):
        return key.values == "positions" or (key.values == "binary" and not key.from_labels)
    return False


def set_item(array: Value, key: Value, value: Value, m: Machine) -> None:
    """`y[mask] = 0` changes labels in place: which classes they hold is no longer known."""
    if isinstance(array, F.Labels):
        array.count = ClassCount(None)
    elif isinstance(array, ArrayValue):
        array.values = None


# -- arithmetic ---------------------------------------------------------------------------
def array_binary(op, left: Value, right: Value) -> Value:
    """Arithmetic and comparisons with arrays: masks are 0/1, shifted integers are class indices."""
    array, other = (left, right) if isinstance(left, (ArrayValue, F.Labels)) else (right, left)
    name = getattr(op, "__name__", "")
    comparison = name in ("eq", "ne", "lt", "le", "gt", "ge")
    shape = _broadcast(left, right)
    if isinstance(array, F.Labels):
        if comparison:  # a mask that selects rows by class
            return ArrayValue(shape, "binary", array.site, from_labels=True)
        return UNKNOWN  # arithmetic on labels: the classes may be renumbered
    if not isinstance(array, ArrayValue):
        return UNKNOWN
    if name == "eq" and getattr(other, "listing", None) is not None and array.values in ("index", "integer", None):
        array.classes = other.listing  # the code itself says what these values index
    if comparison:
        return array.but(values="binary", shape=shape)
    if isinstance(other, Const) and isinstance(other.value, int) and name in ("add", "sub") and array is left:
        return array.but(values="index" if array.values in ("integer", "index") else None, shape=shape)
    if isinstance(other, Const) and name in ("mul", "truediv"):
        return array.but(values="float", shape=shape)
    return array.but(values=None, shape=shape)


def _broadcast(left: Value, right: Value) -> Shape | None:
    shapes = []
    for side in (left, right):
        if isinstance(side, Const) and isinstance(side.value, (int, float, bool)):
            shapes.append(())
        elif isinstance(side, (ArrayValue, F.Labels)):
            shapes.append(shape_of(side))
        else:
            return None
    return S.broadcast(*shapes)


@handles("keras.utils.pad_sequences", "keras.preprocessing.sequence.pad_sequences")
def _pad_sequences(args, node, m: Machine) -> Value:
    """Lists of token ids padded to one length: an (N, maxlen) integer array, ids below the vocabulary's size."""
    sequences = _first(args)
    maxlen = int_value(arg(args, 1, "maxlen", Const(None)))
    rows = sequences.shape[0] if isinstance(sequences, ArrayValue) and sequences.shape else None
    high = sequences.high if isinstance(sequences, ArrayValue) else None
    return ArrayValue((rows, maxlen), "integer", m.site(node), high=high)


# -- TensorFlow ops on arrays (data preparation outside the model) -------------------------
@handles("tensorflow.cast", "tensorflow.convert_to_tensor", "tensorflow.constant", "tensorflow.identity")
def _tf_same(args, node, m: Machine) -> Value:
    value = _first(args)
    if isinstance(value, (ArrayValue, F.Labels)):
        return value
    return _np_array(args, node, m) if isinstance(value, Seq) else UNKNOWN


@handles("tensorflow.expand_dims")
def _tf_expand_dims(args, node, m: Machine) -> Value:
    axis = int_value(arg(args, 1, "axis"))
    return add_axis(_first(args), axis) if axis is not None else UNKNOWN


@handles("tensorflow.squeeze")
def _tf_squeeze(args, node, m: Machine) -> Value:
    return squeeze(_first(args), int_value(arg(args, 1, "axis", Const(None))))


@handles("tensorflow.reshape")
def _tf_reshape(args, node, m: Machine) -> Value:
    shape = arg(args, 1, "shape")
    return _reshape(_first(args), CallArgs([shape], {}, [None], {}, False))


@handles("tensorflow.image.resize")
def _tf_resize(args, node, m: Machine) -> Value:
    return _resized(_first(args), _dims(arg(args, 1, "size")), node, m)


@handles("tensorflow.image.resize_with_pad", "tensorflow.image.resize_with_crop_or_pad")
def _tf_resize_to(args, node, m: Machine) -> Value:
    dims = (int_value(arg(args, 1, "target_height")), int_value(arg(args, 2, "target_width")))
    return _resized(_first(args), dims, node, m)


def _resized(image: Value, dims: Shape | None, node, m: Machine) -> Value:
    if not isinstance(image, ArrayValue) or image.rank not in (3, 4) or dims is None or len(dims) != 2:
        return UNKNOWN
    return image.but(shape=(*image.shape[:-3], *dims, image.shape[-1]), site=m.site(node))
