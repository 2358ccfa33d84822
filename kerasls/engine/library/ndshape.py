"""numpy's shape rules on static shapes: tuples of sizes, None where a size is not known.

Every function returns None when numpy would raise or the result cannot be known: a wrong
shape is worse than no shape. The shape oracle (tests/oracle) compares these with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Shape = tuple  # (d0, d1, ...) of int | None

# Index items besides ints, slices and index arrays.
NEW_AXIS = "newaxis"
ELLIPSIS = "..."
SOME_SLICE = "slice"  # a slice whose bounds are not known
ROWS = "rows"  # an index array or mask whose length is not known


def size(shape: Shape | None) -> int | None:
    if shape is None or any(d is None for d in shape):
        return None
    return math.prod(shape)


def broadcast(a: Shape | None, b: Shape | None) -> Shape | None:
    """numpy broadcasting of two shapes."""
    if a is None or b is None:
        return None
    out = []
    for x, y in zip(reversed((1,) * (len(b) - len(a)) + a), reversed((1,) * (len(a) - len(b)) + b)):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)  # (None vs 3): 3, or an error numpy would raise
        else:
            return None
    return tuple(reversed(out))


def reshape(shape: Shape | None, dims: Sequence[int | None]) -> Shape | None:
    """a.reshape(dims), with one -1 allowed."""
    if any(d is None for d in dims) or sum(d == -1 for d in dims) > 1 or any(d < -1 for d in dims):
        return None
    if -1 not in dims:
        total = size(shape)
        return tuple(dims) if total is None or total == math.prod(dims) else None
    known = math.prod(d for d in dims if d != -1)
    total = size(shape)
    if known == 0:
        return None  # numpy cannot tell the size of -1 next to a 0
    if total is None:
        return tuple(None if d == -1 else d for d in dims)
    if total % known:
        return None
    return tuple(total // known if d == -1 else d for d in dims)


def transpose(shape: Shape | None) -> Shape | None:
    return None if shape is None else tuple(reversed(shape))


def expand(shape: Shape | None, axis: int) -> Shape | None:
    """np.expand_dims(a, axis)."""
    if shape is None:
        return None
    rank = len(shape) + 1
    if not -rank <= axis < rank:
        return None
    axis %= rank
    return shape[:axis] + (1,) + shape[axis:]


def squeeze(shape: Shape | None, axis: int | None = None) -> Shape | None:
    if shape is None:
        return None
    if axis is None:
        if any(d is None for d in shape):
            return None  # an unknown size may be 1
        return tuple(d for d in shape if d != 1)
    if not -len(shape) <= axis < len(shape) or shape[axis] not in (1, None):
        return None
    axis %= len(shape)
    return shape[:axis] + shape[axis + 1 :]


def ravel(shape: Shape | None) -> Shape | None:
    return None if shape is None else (size(shape),)


def reduce(shape: Shape | None, axis: int | None, keepdims: bool = False) -> Shape | None:
    """a.sum(axis) / a.argmax(axis) / a.mean(axis)."""
    if shape is None:
        return None
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    if not -len(shape) <= axis < len(shape):
        return None
    axis %= len(shape)
    return shape[:axis] + ((1,) if keepdims else ()) + shape[axis + 1 :]


def concatenate(shapes: Sequence[Shape | None], axis: int = 0) -> Shape | None:
    if not shapes or any(s is None for s in shapes):
        return None
    rank = len(shapes[0])
    if rank == 0 or any(len(s) != rank for s in shapes) or not -rank <= axis < rank:
        return None
    axis %= rank
    out = []
    for i in range(rank):
        dims = [s[i] for s in shapes]
        if i == axis:
            out.append(None if any(d is None for d in dims) else sum(dims))
            continue
        known = {d for d in dims if d is not None}
        if len(known) > 1:
            return None  # numpy raises: the other axes must agree
        out.append(known.pop() if known else None)
    return tuple(out)


def stack(shapes: Sequence[Shape | None], axis: int = 0) -> Shape | None:
    if not shapes or any(s is None for s in shapes):
        return None
    first = shapes[0]
    merged = first
    for other in shapes[1:]:
        if len(other) != len(first):
            return None
        dims = []
        for x, y in zip(merged, other):
            if x is not None and y is not None and x != y:
                return None
            dims.append(x if x is not None else y)
        merged = tuple(dims)
    rank = len(first) + 1
    if not -rank <= axis < rank:
        return None
    axis %= rank
    return merged[:axis] + (len(shapes),) + merged[axis:]


def vstack(shapes: Sequence[Shape | None]) -> Shape | None:
    return concatenate([None if s is None else (s if len(s) >= 2 else (1, *s)) for s in shapes], 0)


def hstack(shapes: Sequence[Shape | None]) -> Shape | None:
    if shapes and all(s is not None and len(s) == 1 for s in shapes):
        return concatenate(shapes, 0)
    return concatenate(shapes, 1)


def slice_length(length: int | None, bounds: slice) -> int | None:
    if length is None:
        if bounds.step in (None, 1) and bounds.start is not None and bounds.stop is not None:
            if bounds.start >= 0 and bounds.stop >= 0:
                return max(bounds.stop - bounds.start, 0)  # x[:100] of an array with at least 100 rows: assumed
        return None
    return len(range(*bounds.indices(length)))


def index(shape: Shape | None, key: Sequence) -> Shape | None:
    """a[key]: key items are ints, slices, NEW_AXIS, ELLIPSIS, SOME_SLICE, or ("array", shape) for an
    integer index array and ("mask", shape) for a boolean mask (ROWS when the length is unknown)."""
    if shape is None:
        return None
    ellipses = sum(k == ELLIPSIS for k in key if isinstance(k, str))
    if ellipses > 1:
        return None
    consumed = sum(_consumes(k) for k in key)
    if consumed > len(shape):
        return None
    items = list(key)
    if ellipses:
        at = next(i for i, k in enumerate(items) if isinstance(k, str) and k == ELLIPSIS)
        items[at : at + 1] = [slice(None)] * (len(shape) - consumed)
    else:
        items += [slice(None)] * (len(shape) - consumed)
    out: list = []
    axis = 0
    for item in items:
        if isinstance(item, str) and item == NEW_AXIS:
            out.append(1)
        elif isinstance(item, bool):
            return None
        elif isinstance(item, int):
            if shape[axis] is not None and not -shape[axis] <= item < shape[axis]:
                return None
            axis += 1
        elif isinstance(item, slice):
            out.append(slice_length(shape[axis], item) if shape[axis] is not None or item != slice(None) else None)
            axis += 1
        elif isinstance(item, str) and item == SOME_SLICE:
            out.append(None)
            axis += 1
        elif isinstance(item, tuple) and item[0] == "array":
            out.extend(item[1] if item[1] is not None else (None,))
            axis += 1
        elif isinstance(item, tuple) and item[0] == "mask":
            mask = item[1]
            width = len(mask) if mask is not None else 1
            out.append(None)
            axis += width
        elif isinstance(item, str) and item == ROWS:
            out.append(None)
            axis += 1
        else:
            return None
    return tuple(out)


def _consumes(item) -> int:
    if isinstance(item, str):
        return 0 if item in (NEW_AXIS, ELLIPSIS) else 1
    if isinstance(item, tuple) and item[0] == "mask":
        return len(item[1]) if item[1] is not None else 1
    return 1


def from_nested(items) -> Shape | None:
    """The shape of np.array(nested lists of scalars); None when ragged."""
    if not isinstance(items, list):
        return ()
    if not items:
        return (0,)
    inner = [from_nested(item) for item in items]
    if any(s is None for s in inner) or len(set(inner)) != 1:
        return None
    return (len(items), *inner[0])
