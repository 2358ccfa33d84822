"""Builtins, os and pathlib, as far as class counts and data paths go.

`len(CLASSES)` is a class count the program names; `os.path.join(BASE, "train")` is a folder
whose subfolders Keras counts as classes.
"""

from __future__ import annotations

import posixpath

import libcst as cst

from .. import facts as F
from ..calls import Machine, arg, handles
from ..facts import ClassCount
from ..values import (
    NO_ORIGIN,
    UNKNOWN,
    BoundMethod,
    Const,
    DictValue,
    Origin,
    PathValue,
    Seq,
    Value,
    int_value,
    iterate,
    join,
    path_text,
    same_value,
)
from .arrays import ArrayValue


def _all_consts(values: list) -> list | None:
    if all(isinstance(v, Const) for v in values):
        return [v.value for v in values]
    return None


# -- builtins -----------------------------------------------------------------------------
@handles("builtins.len")
def _len(args, node, m: Machine) -> Value:
    if len(args.positional) != 1:
        return UNKNOWN
    value = args.positional[0]
    expr = _len_expr(node, m)
    if isinstance(value, Seq) and value.complete:
        return Const(len(value.items), Origin(value.origin.site if value.origin.expr else None, expr))
    if isinstance(value, Const) and isinstance(value.value, str):
        return Const(len(value.value))
    if isinstance(value, DictValue):
        return Const(len(value.items), Origin(None, expr))
    if isinstance(value, F.ClassNames) and value.count.value is not None:
        return Const(value.count.value, Origin(value.count.site, expr))
    shape = getattr(value, "shape", None)
    if isinstance(value, (F.Labels, ArrayValue)) and shape and shape[0] is not None:
        return Const(shape[0])
    return UNKNOWN


def _len_expr(node, m) -> str | None:
    """`len(NAME)` / `len(NAME.attr)` can be reused in code the fix writes elsewhere."""
    if node is None or len(node.args) != 1:
        return None
    target = node.args[0].value
    if isinstance(target, (cst.Name, cst.Attribute)):
        return m.site(node).text
    return None


@handles("builtins.round")
def _round(args, node, m: Machine) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, Const) and isinstance(value.value, (int, float)) and len(args.positional) == 1:
        return Const(round(value.value))
    return UNKNOWN


@handles("builtins.int")
def _int(args, node, m: Machine) -> Value:
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
def _float(args, node, m: Machine) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, Const) and isinstance(value.value, (int, float, str)):
        try:
            return Const(float(value.value))
        except ValueError:
            return UNKNOWN
    return UNKNOWN


@handles("builtins.str")
def _str(args, node, m: Machine) -> Value:
    value = args.positional[0] if args.positional else UNKNOWN
    if isinstance(value, PathValue):
        return Const(value.path)
    if isinstance(value, Const) and isinstance(value.value, (int, float, str)):
        return Const(str(value.value))
    return UNKNOWN


@handles("builtins.range")
def _range(args, node, m: Machine) -> Value:
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
def _list(args, node, m: Machine) -> Value:
    if len(args.positional) != 1:
        return UNKNOWN
    value = args.positional[0]
    items = iterate(value)
    if items is None:
        if isinstance(value, F.ClassNames):
            return value
        return UNKNOWN
    kind = "tuple" if node is not None and m.site(node.func).text == "tuple" else "list"
    if node is not None and m.site(node.func).text == "sorted" and not args.keywords:
        values = _all_consts(items)
        if values is not None:
            try:
                return Seq([Const(v) for v in sorted(values)], "list")
            except TypeError:
                return UNKNOWN
    return Seq(items, kind)


@handles("builtins.min", "builtins.max", "builtins.sum", "builtins.abs")
def _numeric(args, node, m: Machine) -> Value:
    if node is None or args.keywords:
        return UNKNOWN
    name = m.site(node.func).text
    values = args.positional
    if len(values) == 1:
        values = iterate(values[0]) or [values[0]]
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
def _path_join(args, node, m: Machine) -> Value:
    parts = [path_text(v) for v in args.positional]
    if not parts or any(p is None for p in parts):
        return UNKNOWN
    return Const(posixpath.join(*parts))


@handles("os.path.dirname", "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.expanduser")
def _path_function(args, node, m: Machine) -> Value:
    path = path_text(args.positional[0]) if len(args.positional) == 1 else None
    if path is None:
        return UNKNOWN
    name = node.func.attr.value if node is not None and isinstance(node.func, cst.Attribute) else ""
    if name == "dirname":
        return Const(posixpath.dirname(path))
    if name == "normpath":
        return Const(posixpath.normpath(path))
    return Const(path)  # abspath/realpath keep a relative path relative: the host anchors it


@handles("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath")
def _path(args, node, m: Machine) -> Value:
    parts = [path_text(v) for v in args.positional]
    if not parts or any(p is None for p in parts):
        return UNKNOWN
    return PathValue(posixpath.join(*parts))


@handles("os.environ.setdefault")
def _environ_setdefault(args, node, m: Machine) -> Value:
    key, value = arg(args, 0, "key"), arg(args, 1, "value")
    if isinstance(key, Const) and isinstance(value, Const) and isinstance(value.value, str):
        m.facts.environ.setdefault(str(key.value), value.value)
    return UNKNOWN


@handles("os.environ.update")
def _environ_update(args, node, m: Machine) -> Value:
    mapping = args.positional[0] if args.positional else None
    if isinstance(mapping, DictValue):
        for key, value in mapping.items.items():
            if isinstance(value, Const) and isinstance(value.value, str):
                m.facts.environ[str(key)] = value.value
    for key, value in args.keywords.items():
        if isinstance(value, Const) and isinstance(value.value, str):
            m.facts.environ[key] = value.value
    return UNKNOWN


def path_method(path: PathValue, method: str, args, node, m: Machine) -> Value:
    if method in ("resolve", "absolute", "expanduser"):
        return path
    if method == "joinpath":
        parts = [path_text(v) for v in args.positional]
        return PathValue(posixpath.join(path.path, *parts)) if parts and None not in parts else UNKNOWN
    return UNKNOWN


def path_attribute(path: PathValue, attr: str, node, m: Machine) -> Value:
    if attr == "parent":
        return PathValue(posixpath.dirname(path.path))
    if attr in ("resolve", "absolute", "expanduser", "joinpath"):
        return BoundMethod(path, attr)
    return UNKNOWN


# -- containers ---------------------------------------------------------------------------
MAX_ITEMS = 256


@handles("builtins.dict")
def _dict(args, node, m: Machine) -> Value:
    if args.starred or len(args.positional) > 1:
        return UNKNOWN
    result = DictValue({}, origin=Origin(m.site(node)) if node is not None else NO_ORIGIN, depth=m.uncertain)
    if args.positional:
        base = args.positional[0]
        if not isinstance(base, DictValue):
            return UNKNOWN
        result.items.update(base.items)
        result.sites.update(base.sites)
        result.complete = base.complete
    for key, value in args.keywords.items():
        result.items[key] = value
        result.sites[key] = args.keyword_sites[key]
    return result


@handles("builtins.enumerate")
def _enumerate(args, node, m: Machine) -> Value:
    items = iterate(args.positional[0]) if args.positional else None
    start = int_value(arg(args, 1, "start", Const(0)))
    if items is None or start is None or len(items) > MAX_ITEMS:
        return UNKNOWN
    names = args.positional[0]
    if start == 0 and all(isinstance(i, Const) and isinstance(i.value, str) for i in items):
        expr = f"len({names.origin.expr})" if names.origin.expr else None
        listing = ClassCount(
            len(items), names.origin.site, f"{len(items)} names in {names.origin.expr or 'the list'}", expr
        )
        indices = [Position(i, listing) for i in range(len(items))]
    else:
        indices = [Const(start + i) for i in range(len(items))]
    return Seq([Seq([index, item], "tuple") for index, item in zip(indices, items)], "list")


@handles("builtins.zip")
def _zip(args, node, m: Machine) -> Value:
    columns = [iterate(value) for value in args.positional]
    if not columns or args.keywords or any(c is None for c in columns) or max(map(len, columns)) > MAX_ITEMS:
        return UNKNOWN
    return Seq([Seq(list(row), "tuple") for row in zip(*columns)], "list")


class Position(Const):
    """An index into a known list of names (from enumerate): the code says values range over the list."""

    __slots__ = ("listing",)

    def __init__(self, value: int, listing: ClassCount):
        super().__init__(value)
        self.listing = listing


def list_method(seq: Seq, method: str, args, node, m: Machine) -> Value:
    certain = m.mutation_is_certain(seq.depth) and not args.starred
    if method == "index" and seq.complete and args.positional:
        target = args.positional[0]
        for position, item in enumerate(seq.items):
            if same_value(item, target):
                return Const(position)
        return UNKNOWN
    if method == "copy":
        return Seq(list(seq.items), seq.kind, complete=seq.complete, depth=m.uncertain)
    if seq.kind != "list" or method not in _LIST_MUTATIONS:
        return UNKNOWN
    if method == "append" and certain and len(args.positional) == 1:
        seq.items.append(args.positional[0])
    elif method == "extend" and certain and len(args.positional) == 1 and iterate(args.positional[0]) is not None:
        seq.items.extend(iterate(args.positional[0]))
    elif method in ("append", "extend"):
        seq.items.append(UNKNOWN)  # maybe added, maybe not: the tail is unknown from here
        seq.complete = False
    elif method == "pop" and certain and seq.complete and seq.items and not args.positional:
        return seq.items.pop()
    else:  # insert, remove, sort, reverse, clear...: keep only that it is a list
        seq.items[:] = [UNKNOWN]
        seq.complete = False
    return Const(None)


_LIST_MUTATIONS = {"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse"}


def dict_method(mapping: DictValue, method: str, args, node, m: Machine) -> Value:
    if method == "get" and args.positional and isinstance(args.positional[0], Const):
        key = args.positional[0].value
        if key in mapping.items:
            return mapping.items[key]
        return args.positional[1] if len(args.positional) > 1 and mapping.complete else UNKNOWN
    if method in ("keys", "values", "items") and mapping.complete:
        rows = {
            "keys": [Const(k) for k in mapping.items],
            "values": list(mapping.items.values()),
            "items": [Seq([Const(k), v], "tuple") for k, v in mapping.items.items()],
        }[method]
        return Seq(rows, "list")
    if method == "copy":
        return DictValue(dict(mapping.items), dict(mapping.sites), mapping.complete, depth=m.uncertain)
    if method == "update" and m.mutation_is_certain(mapping.depth) and not args.starred:
        for other in args.positional:
            if not isinstance(other, DictValue):
                mapping.complete = False
                return Const(None)
            mapping.items.update(other.items)
            mapping.sites.update(other.sites)
        for key, value in args.keywords.items():
            mapping.items[key] = value
            mapping.sites[key] = args.keyword_sites[key]
        return Const(None)
    if method in ("update", "pop", "popitem", "setdefault", "clear"):
        mapping.complete = False  # changed in a way we do not follow
        mapping.items.clear()
    return UNKNOWN


def set_item(container: Value, key: Value, value: Value, m: Machine) -> bool:
    """`container[key] = value` on a list or dict; False when the container is not one."""
    if isinstance(container, DictValue):
        if isinstance(key, Const) and m.mutation_is_certain(container.depth):
            container.items[key.value] = value
            container.sites.pop(key.value, None)
        else:
            container.complete = False
            container.items.clear()
        return True
    if isinstance(container, Seq):
        index = int_value(key)
        if index is not None and container.complete and -len(container.items) <= index < len(container.items):
            certain = m.mutation_is_certain(container.depth)
            container.items[index] = value if certain else join(container.items[index], value)
        else:
            container.items[:] = [UNKNOWN]
            container.complete = False
        return True
    return False
