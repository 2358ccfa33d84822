"""pandas DataFrames and Series, as far as the arrays made from them go.

A column is one value per sample: `df["label"].values` has shape (N,); a frame of known columns
`df[["a", "b"]].to_numpy()` has shape (N, 2); a frame whose columns are not known has (N, None).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import facts as F
from ..calls import CallArgs, Machine, arg, handles
from ..facts import ClassCount, Encoding
from ..values import UNKNOWN, BoundMethod, Const, IndexTuple, Seq, Site, Value, iterate
from .arrays import ArrayValue


@dataclass(eq=False)
class Frame:
    """A DataFrame; `columns` is how many columns it has, when known."""

    site: Site
    columns: int | None = None


@dataclass(eq=False)
class FrameIndexer:
    frame: Frame
    positional: bool  # iloc (positions) or loc (labels)


# DataFrame attributes that are not columns (df.label is a column; df.values is not).
_FRAME_ATTRIBUTES = {
    "values", "columns", "index", "shape", "dtypes", "T", "iloc", "loc", "at", "iat", "size", "ndim",
    "empty", "axes", "style", "plot", "attrs", "flags", "str", "dt", "cat",
}  # fmt: skip
_KEEPING_ROWS_AND_COLUMNS = {"fillna", "copy", "sort_values", "sort_index", "astype", "replace", "interpolate",
                             "convert_dtypes", "infer_objects", "rename"}  # fmt: skip
_KEEPING_COLUMNS = {"sample", "reset_index", "dropna", "query", "head", "tail", "drop_duplicates"}
_CHANGING_COLUMNS = {"assign", "set_index", "merge", "join"}


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
    site = m.site(node)
    return F.Labels(Encoding.ONE_HOT, ClassCount(None), 2, "pd.get_dummies(...)", site, mode_site=site)


@handles("pandas.factorize")
def _factorize(args, node, m: Machine) -> Value:
    source = arg(args, 0, "values")
    if not isinstance(source, ArrayValue) or source.rank != 1:
        return UNKNOWN
    return Seq([source.but(values="index", site=m.site(node)), UNKNOWN], "tuple")


def frame_attribute(frame: Frame, attr: str, node, m: Machine) -> Value:
    if attr in ("iloc", "loc"):
        return FrameIndexer(frame, attr == "iloc")
    if attr == "values":
        return _matrix(frame, m.site(node))
    if attr == "shape":
        return Seq([UNKNOWN, Const(frame.columns) if frame.columns is not None else UNKNOWN], "tuple")
    if attr in _FRAME_ATTRIBUTES:
        return UNKNOWN
    methods = _KEEPING_ROWS_AND_COLUMNS | _KEEPING_COLUMNS | _CHANGING_COLUMNS
    if attr in methods or attr in ("drop", "pop", "to_numpy", "groupby", "apply", "map"):
        return BoundMethod(frame, attr)
    return _column(m.site(node))  # df.column


def frame_method(frame: Frame, method: str, args: CallArgs, node, m: Machine) -> Value:
    site = m.site(node)
    if method in _KEEPING_ROWS_AND_COLUMNS or method in _KEEPING_COLUMNS:
        return Frame(site, frame.columns)
    if method in _CHANGING_COLUMNS:
        return Frame(site)
    if method == "drop":
        axis = args.keywords.get("axis")
        dropped = iterate(args.keywords.get("columns", arg(args, 0, "labels")))
        if "columns" in args.keywords or (isinstance(axis, Const) and axis.value in (1, "columns")):
            names = dropped if dropped is not None else [args.keywords.get("columns")]
            if frame.columns is not None and all(isinstance(n, Const) for n in names):
                return Frame(site, frame.columns - len(names))
            return Frame(site)
        return UNKNOWN
    if method == "pop":
        return _column(site)
    if method == "to_numpy":
        return _matrix(frame, site)
    return UNKNOWN


def frame_subscript(frame: Frame, key: Value, node, m: Machine) -> Value:
    site = m.site(node)
    if isinstance(key, Const) and isinstance(key.value, str):
        return _column(site)
    if isinstance(key, Seq):
        return Frame(site, len(key.items) if key.complete else None)
    if isinstance(key, ArrayValue) and key.values == "binary":
        return Frame(site, frame.columns)  # rows selected by a mask
    return UNKNOWN


def indexer_subscript(indexer: FrameIndexer, key: Value, node, m: Machine) -> Value:
    site = m.site(node)
    if isinstance(key, IndexTuple) and len(key.items) == 2:
        rows, columns = key.items
        if isinstance(rows, Const) and isinstance(rows.value, (int, str)):
            return UNKNOWN  # one row
        if isinstance(columns, Const) and isinstance(columns.value, (int, str)):
            return _column(site)
        count = _columns_selected(columns, indexer)
        return Frame(site, count)
    if isinstance(key, Const) and isinstance(key.value, (int, str)):
        return UNKNOWN
    return Frame(site, indexer.frame.columns)  # rows: a slice or a mask


def _columns_selected(columns: Value, indexer: FrameIndexer) -> int | None:
    total = indexer.frame.columns
    if isinstance(columns, Seq) and columns.complete:
        return len(columns.items)
    if isinstance(columns, Const) and isinstance(columns.value, slice) and indexer.positional and total is not None:
        return len(range(*columns.value.indices(total)))
    if isinstance(columns, Const) and columns.value == slice(None):
        return total
    return None


def _column(site: Site) -> ArrayValue:
    return ArrayValue((None,), None, site)


def _matrix(frame: Frame, site: Site) -> ArrayValue:
    return ArrayValue((None, frame.columns), None, site)
