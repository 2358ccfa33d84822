"""numpy arrays and pandas frames, as far as label shapes go.

An array is known by its rank and what its values are (0/1 from a comparison, integer
class indices, floats); a DataFrame column is one value per sample. That is enough to
tell that `df["emotion"].values.astype("int32")` are integer labels of shape (N,),
or that `(df.LABEL == 2).astype("float32").reshape(-1, 1)` are 0/1 labels of shape (N, 1).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from .. import facts as F
from ..calls import CallArgs, Machine, arg, handles
from ..facts import ClassCount, Encoding
from ..values import UNKNOWN, BoundMethod, Const, DictValue, Ref, Seq, Site, SomeSlice, Value, int_value, iterate


@dataclass(eq=False)
class ArrayValue:
    rank: int | None
    # binary (0/1), index (class indices), integer, float, text, positions (row numbers: a
    # permutation or a sample of them), or None
    values: str | None
    last: int | None  # size of the last axis, when rank >= 2 and known
    site: Site
    from_labels: bool = False  # a mask computed from the labels themselves (y < 8)
    # The program compares these values with the positions of a list of names (`y == i for i, name in
    # enumerate(CLASSES)`): they are class indices into that list.
    classes: ClassCount | None = None

    @property
    def written(self) -> str:
        return self.site.text

    def but(self, **changes) -> ArrayValue:
        return replace(self, **changes)


@dataclass(eq=False)
class Frame:
    """A pandas DataFrame: its columns are one value per sample."""

    site: Site


@dataclass(eq=False)
class FrameIndexer:
    frame: Frame


@dataclass(eq=False)
class OneHotTable:
    """np.eye(K): indexing it with integer labels one-hot encodes them."""

    size: Value
    site: Site


_INT_DTYPES = {"int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "long", "intp"}
_FLOAT_DTYPES = {"float", "float16", "float32", "float64", "double", "half"}
# DataFrame attributes that are not columns (df.label is a column; df.values is not).
_FRAME_ATTRIBUTES = {
    "values",
    "columns",
    "index",
    "shape",
    "dtypes",
    "T",
    "iloc",
    "loc",
    "at",
    "iat",
    "size",
    "ndim",
    "empty",
    "axes",
    "style",
    "plot",
    "attrs",
    "flags",
    "str",
    "dt",
    "cat",
}
_FRAME_METHODS_KEEPING_ROWS = {
    "sample",
    "reset_index",
    "dropna",
    "fillna",
    "copy",
    "sort_values",
    "sort_index",
    "query",
    "head",
    "tail",
    "assign",
    "rename",
    "astype",
    "drop_duplicates",
    "set_index",
    "merge",
    "join",
    "replace",
    "interpolate",
    "convert_dtypes",
    "infer_objects",
}


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


def one_hot_rank(indices: Value) -> int | None:
    """The rank of one-hot labels made from these indices: one axis more, (N, 1) counting as (N,)."""
    if isinstance(indices, F.Labels):
        rank, last = (
            indices.rank,
            1 if indices.encoding in (Encoding.INTEGER, Encoding.BINARY, Encoding.VECTOR) else None,
        )
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
        return F.Labels(Encoding.INTEGER, value.classes, value.rank, value.written, value.site)
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
    return F.Labels(encoding, count, value.rank, value.written, value.site)


# -- pandas -------------------------------------------------------------------------------
@handles(
    "pandas.read_csv",
    "pandas.read_excel",
    "pandas.read_json",
    "pandas.read_parquet",
    "pandas.read_table",
    "pandas.read_feather",
    "pandas.read_pickle",
    "pandas.DataFrame",
    "pandas.read_sql",
)
def _frame(args, node, m: Machine) -> Value:
    return Frame(m.site(node))


@handles("pandas.get_dummies")
def _get_dummies(args, node, m: Machine) -> Value:
    data = arg(args, 0, "data")
    if args.keywords.get("columns") is not None or isinstance(data, Frame):
        return UNKNOWN  # dummies of a whole frame are features, not labels
    return F.Labels(Encoding.ONE_HOT, ClassCount(None), 2, "pd.get_dummies(...)", m.site(node), mode_site=m.site(node))


@handles("pandas.factorize")
def _factorize(args, node, m: Machine) -> Value:
    source = arg(args, 0, "values")
    if not isinstance(source, ArrayValue) or source.rank != 1:
        return UNKNOWN
    return Seq([source.but(values="index", site=m.site(node)), UNKNOWN], "tuple")


def frame_attribute(frame: Frame, attr: str, node, m: Machine) -> Value:
    if attr in ("iloc", "loc"):
        return FrameIndexer(frame)
    if attr == "values":
        return ArrayValue(2, None, None, m.site(node))
    if attr in _FRAME_ATTRIBUTES:
        return UNKNOWN
    if attr in _FRAME_METHODS_KEEPING_ROWS or attr in ("drop", "pop", "to_numpy", "groupby", "apply", "map"):
        return BoundMethod(frame, attr)
    return ArrayValue(1, None, None, m.site(node))  # df.column


def frame_method(frame: Frame, method: str, args: CallArgs, node, m: Machine) -> Value:
    if method in _FRAME_METHODS_KEEPING_ROWS:
        return Frame(m.site(node))
    if method == "drop":
        axis = args.keywords.get("axis")
        if "columns" in args.keywords or (isinstance(axis, Const) and axis.value in (1, "columns")):
            return Frame(m.site(node))
        return UNKNOWN
    if method == "pop":
        return ArrayValue(1, None, None, m.site(node))
    if method == "to_numpy":
        return ArrayValue(2, None, None, m.site(node))
    return UNKNOWN


def frame_subscript(frame: Frame, key: Value, node, m: Machine) -> Value:
    if isinstance(key, Const) and isinstance(key.value, str):
        return ArrayValue(1, None, None, m.site(node))
    if isinstance(key, Seq):
        return Frame(m.site(node))
    if isinstance(key, ArrayValue) and key.values == "binary":
        return Frame(m.site(node))  # rows selected by a mask
    return UNKNOWN


def indexer_subscript(indexer: FrameIndexer, key: Value | None, node, m: Machine) -> Value:
    if key is not None and not (isinstance(key, Const) and isinstance(key.value, (int, str))):
        return Frame(m.site(node))  # rows: a slice or a mask
    return UNKNOWN


# -- numpy --------------------------------------------------------------------------------
def _first(args) -> Value:
    return args.positional[0] if args.positional else UNKNOWN


@handles("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.copy", "numpy.ascontiguousarray")
def _np_array(args, node, m: Machine) -> Value:
    value = _first(args)
    dtype = _dtype_kind(args.keywords.get("dtype", UNKNOWN))
    if isinstance(value, F.Labels):
        return value
    if isinstance(value, ArrayValue):
        return value.but(values=_cast(value.values, dtype)) if dtype else value
    if isinstance(value, Seq) and value.items and all(isinstance(i, Const) for i in value.items):
        kinds = {type(i.value) for i in value.items}
        values = dtype or ("integer" if kinds == {int} else "float" if kinds <= {int, float} else None)
        return ArrayValue(1, values, None, m.site(node))
    return UNKNOWN


def _cast(current: str | None, dtype: str | None) -> str | None:
    """Values after astype(dtype): 0/1 and class indices survive a cast to int or float."""
    if dtype is None:
        return current
    if current in ("binary", "index") and dtype in ("integer", "float"):
        return current
    if current == "integer" and dtype == "float":
        return "integer"
    return dtype


@handles("numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile")
def _np_load(args, node, m: Machine) -> Value:
    return ArrayValue(None, None, None, m.site(node))  # an array, or an .npz of arrays


@handles("numpy.concatenate", "numpy.vstack", "numpy.hstack")
def _np_concatenate(args, node, m: Machine) -> Value:
    items = iterate(_first(args))
    if not items:
        return UNKNOWN
    first = items[0]
    if isinstance(first, F.Labels) and all(
        isinstance(i, F.Labels) and i.encoding is first.encoding and i.classes == first.classes and i.rank == first.rank
        for i in items
    ):
        return first
    if isinstance(first, ArrayValue) and all(isinstance(i, ArrayValue) and i.rank == first.rank for i in items):
        return first
    return UNKNOWN


@handles("numpy.expand_dims")
def _np_expand_dims(args, node, m: Machine) -> Value:
    return add_axis(_first(args))


@handles("numpy.squeeze", "numpy.ravel")
def _np_squeeze(args, node, m: Machine) -> Value:
    return flatten(_first(args))


@handles("numpy.argmax")
def _np_argmax(args, node, m: Machine) -> Value:
    value = _first(args)
    axis = int_value(arg(args, 1, "axis"))
    if axis not in (1, -1):
        return UNKNOWN
    if isinstance(value, F.Labels) and value.encoding is Encoding.ONE_HOT:
        return F.Labels(Encoding.INTEGER, value.count, 1, f"argmax of {value.origin}", m.site(node), value.container)
    if isinstance(value, ArrayValue) and value.rank == 2:
        return ArrayValue(1, "index", None, m.site(node))
    return UNKNOWN


@handles("numpy.eye", "numpy.identity")
def _np_eye(args, node, m: Machine) -> Value:
    size = arg(args, 0, "N")
    return OneHotTable(size, m.site(node)) if int_value(size) is not None else UNKNOWN


@dataclass(eq=False)
class RandomGenerator:
    """np.random.default_rng(...): its permutation() and choice() pick rows by position."""


@handles("numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator")
def _np_rng(args, node, m: Machine) -> Value:
    return RandomGenerator()


@handles("numpy.random.permutation", "numpy.random.choice", "numpy.arange")
def _np_positions(args, node, m: Machine) -> Value:
    return positions(node, m)


def positions(node, m: Machine) -> ArrayValue:
    """Row numbers in some order: indexing with them reorders or samples rows, whatever their class."""
    return ArrayValue(1, "positions", None, m.site(node))


def rng_method(method: str, node, m: Machine) -> Value:
    return positions(node, m) if method in ("permutation", "choice") else UNKNOWN


@handles("numpy.random.randint")
def _np_randint(args, node, m: Machine) -> Value:
    low, high, size = arg(args, 0, "low"), arg(args, 1, "high", Const(None)), arg(args, 2, "size", Const(None))
    if int_value(low) is None or not isinstance(high, Const):
        return UNKNOWN
    if high.value is not None and int_value(low) != 0:
        return UNKNOWN
    count_value = high if high.value is not None else low
    classes = int_value(count_value)
    rank, width = _size_shape(size)
    if classes is None or rank is None:
        return UNKNOWN
    site = m.site(node)
    if rank == 2 and width not in (1, None):
        if classes == 2:
            return F.Labels(Encoding.MULTI_HOT, ClassCount(width), 2, "np.random.randint(0, 2, ...)", site)
        return UNKNOWN
    encoding = Encoding.BINARY if classes == 2 else Encoding.INTEGER
    return F.Labels(encoding, F.count_of(count_value), rank, f"np.random.randint(0, {classes}, ...)", site)


def _size_shape(size: Value) -> tuple[int | None, int | None]:
    if isinstance(size, Const):
        return (1, None) if isinstance(size.value, int) else (None, None)
    if isinstance(size, Seq):
        if len(size.items) == 1:
            return 1, None
        if len(size.items) == 2:
            return 2, int_value(size.items[1])
    return None, None


# -- shape operations shared by Labels and arrays -----------------------------------------
def add_axis(value: Value) -> Value:
    if isinstance(value, F.Labels) and value.rank == 1:
        return value.with_rank(2)
    if isinstance(value, ArrayValue) and value.rank is not None:
        return value.but(rank=value.rank + 1, last=1)
    return UNKNOWN


def flatten(value: Value) -> Value:
    if isinstance(value, F.Labels):
        if value.rank == 1 or (
            value.rank == 2 and value.encoding in (Encoding.INTEGER, Encoding.BINARY, Encoding.VECTOR)
        ):
            return value.with_rank(1)
        return UNKNOWN
    if isinstance(value, ArrayValue) and (value.rank == 1 or (value.rank == 2 and value.last == 1)):
        return value.but(rank=1, last=None)
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
            return value.with_rank(len(dims))
        if len(dims) == 2 and value.encoding is Encoding.ONE_HOT and dims[1] in (value.classes, -1):
            return value
        return UNKNOWN
    if isinstance(value, ArrayValue):
        return value.but(rank=len(dims), last=dims[-1] if len(dims) >= 2 and dims[-1] > 0 else None)
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
    if method in ("flatten", "ravel", "squeeze"):
        return flatten(value)
    if method == "reshape":
        result = _reshape(value, args)
        if isinstance(result, ArrayValue):
            return result.but(site=m.site(node))
        return result
    if isinstance(value, ArrayValue) and value.rank == 1:
        if method in ("map", "replace") and args.positional and _class_table(args.positional[0]) is not None:
            mapping = args.positional[0]
            site = m.site(node)
            return F.Labels(Encoding.INTEGER, _class_table(mapping), 1, site.text, site)
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
    return BoundMethod(value, attr)


def array_subscript(value: Value, key: Value | None, node: cst.Subscript, m: Machine) -> Value:
    if isinstance(value, OneHotTable):
        labels = F.Labels(
            Encoding.ONE_HOT, F.count_of(value.size), one_hot_rank(key), "np.eye(...)[labels]", m.site(node)
        )
        labels.mode_site = m.site(node)
        if isinstance(key, F.Labels):
            labels.container = key.container
        return labels
    if key is None:
        return add_axis(value) if _is_new_axis(node) else UNKNOWN
    if isinstance(key, Const) and isinstance(key.value, str) and isinstance(value, ArrayValue) and value.rank is None:
        return ArrayValue(None, None, None, m.site(node))  # an array from an .npz archive
    if isinstance(key, Const) and isinstance(key.value, (int, str)):
        return UNKNOWN  # one element, or a field of a record array
    if isinstance(value, F.Labels) and not _keeps_classes(key):
        return value.with_count(ClassCount(None))  # rows chosen by their class: which classes remain is unknown
    return value  # rows by slice, mask or index array


def set_item(array: Value, key: Value, value: Value, m: Machine) -> None:
    """`y[mask] = 0` changes labels in place: which classes they hold is no longer known."""
    if isinstance(array, F.Labels):
        array.count = ClassCount(None)
    elif isinstance(array, ArrayValue):
        array.values = None


def _keeps_classes(key: Value) -> bool:
    """Rows selected by position (a slice, a shuffle, a mask unrelated to the labels) keep every class."""
    if isinstance(key, Const):
        return isinstance(key.value, slice)
    if isinstance(key, SomeSlice):
        return True
    if isinstance(key, ArrayValue):
        return key.values == "positions" or (key.values == "binary" and not key.from_labels)
    return False


def _is_new_axis(node: cst.Subscript) -> bool:
    """y[:, None] / y[..., np.newaxis]."""
    if len(node.slice) != 2:
        return False
    first, second = node.slice[0].slice, node.slice[1].slice
    full = isinstance(first, cst.Slice) and first.lower is None and first.upper is None
    ellipsis = isinstance(first, cst.Index) and isinstance(first.value, cst.Ellipsis)
    new_axis = isinstance(second, cst.Index) and (
        (isinstance(second.value, cst.Name) and second.value.value == "None")
        or (isinstance(second.value, cst.Attribute) and second.value.attr.value == "newaxis")
    )
    return (full or ellipsis) and new_axis


def array_binary(op, left: Value, right: Value) -> Value:
    """Arithmetic and comparisons with arrays: masks are 0/1, shifted integers are class indices."""
    array, other = (left, right) if isinstance(left, (ArrayValue, F.Labels)) else (right, left)
    name = getattr(op, "__name__", "")
    if isinstance(array, F.Labels):
        if name in ("eq", "ne", "lt", "le", "gt", "ge"):  # a mask that selects rows by class
            return ArrayValue(array.rank, "binary", None, array.site, from_labels=True)
        return UNKNOWN  # arithmetic on labels: the classes may be renumbered
    if not isinstance(array, ArrayValue):
        return UNKNOWN
    if name == "eq" and getattr(other, "listing", None) is not None and array.values in ("index", "integer", None):
        array.classes = other.listing  # the code itself says what these values index
    if name in ("eq", "ne", "lt", "le", "gt", "ge"):
        return array.but(values="binary")
    if isinstance(other, Const) and isinstance(other.value, int) and name in ("add", "sub") and array is left:
        return array.but(values="index" if array.values in ("integer", "index") else None)
    if isinstance(other, Const) and name in ("mul", "truediv"):
        return array.but(values="float")
    return array.but(values=None)
