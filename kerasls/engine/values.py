"""Abstract values the interpreter computes for expressions.

A value is either known (a constant, a sequence, a reference to a library name, a
Keras object the program built) or UNKNOWN. Rules only ever act on known values:
unknown is the interpreter's way of staying silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst

if TYPE_CHECKING:
    from ..text.source import Chunk


class Unknown:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


class SomeSlice:
    """A slice whose bounds are unknown (`y[n_val:]`): a run of rows, whichever."""


SOME_SLICE = SomeSlice()


class EllipsisKey:
    """`...` in a subscript."""


ELLIPSIS_KEY = EllipsisKey()


class IndexTuple:
    """A subscript of several items (`x[:, 0]`, `y[..., None]`), each evaluated."""

    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items


# `__file__` is the analysed file. The host resolves relative paths from the file's folder,
# so a bare name is all the interpreter needs: os.path.dirname(__file__) is "".
CURRENT_FILE = "__kerasls_current_file__.py"


def site_of(chunk: Chunk, node: cst.CSTNode) -> Site:
    """The one Site of a node in a chunk (memoised: a chunk outlives edits elsewhere)."""
    site = chunk.sites.get(node)
    if site is None:
        site = chunk.sites[node] = Site(chunk, node)
    return site


class Site:
    """A node in a chunk: where a fact comes from, resolved to a span only when reported."""

    __slots__ = ("chunk", "node", "_text", "_span", "_at")

    def __init__(self, chunk: Chunk, node: cst.CSTNode):
        self.chunk = chunk
        self.node = node
        self._text: str | None = None
        self._span = None
        self._at = -1  # the chunk's start line when the span was worked out (a reused chunk may move)

    @property
    def span(self):
        if self._at != self.chunk.start_line:
            self._span = self.chunk.span(self.node)
            self._at = self.chunk.start_line
        return self._span

    @property
    def code(self) -> str:
        return self.chunk.code(self.node).strip()

    @property
    def text(self) -> str:
        """The code on one line, for messages."""
        if self._text is None:
            self._text = " ".join(self.chunk.code(self.node).split())
        return self._text

    @property
    def line(self) -> int:
        return self.span.start.line

    @property
    def path(self) -> str | None:
        """The file it is in, when not the document being analysed."""
        return self.chunk.path


class Origin:
    """Where a known value was written: the literal to edit, and a name to refer to it by."""

    __slots__ = ("site", "expr")

    def __init__(self, site: Site | None = None, expr: str | None = None):
        self.site = site
        self.expr = expr  # code that evaluates to the value at module level, e.g. NUM_CLASSES


NO_ORIGIN = Origin()


class Const:
    __slots__ = ("value", "origin")

    def __init__(self, value: Any, origin: Origin = NO_ORIGIN):
        self.value = value
        self.origin = origin

    def __repr__(self) -> str:
        return f"Const({self.value!r})"

    def same(self, other: Value) -> bool:
        return isinstance(other, Const) and type(other.value) is type(self.value) and other.value == self.value


@dataclass(eq=False)
class Seq:
    """A list or tuple. When not `complete`, an UNKNOWN item stands for any number of unknown items
    (a starred part that could not be expanded, an unknown list concatenated with a known one)."""

    items: list
    kind: str = "list"  # list or tuple
    origin: Origin = NO_ORIGIN
    complete: bool = True
    depth: int = 0  # the interpreter's uncertainty depth when it was made (mutations deeper are uncertain)

    def item(self, index: int) -> Value:
        """items[index] as Python would index the whole sequence, when that is known."""
        if self.complete:
            return self.items[index] if -len(self.items) <= index < len(self.items) else UNKNOWN
        known = self.items[: index + 1] if index >= 0 else self.items[index:]
        if len(known) != (index + 1 if index >= 0 else -index) or any(i is UNKNOWN for i in known):
            return UNKNOWN
        return self.items[index]


@dataclass(eq=False)
class DictValue:
    """A dict with known keys; `sites` says where each value was written (for **kwargs)."""

    items: dict
    sites: dict = field(default_factory=dict)
    complete: bool = True  # False when some keys are unknown (a `**x` or a key we could not evaluate)
    origin: Origin = NO_ORIGIN
    depth: int = 0


@dataclass(eq=False)
class PathValue:
    """A pathlib.Path with a known string."""

    path: str


@dataclass(frozen=True)
class Ref:
    """A name from a library, by its qualified name as imported (e.g. tensorflow.keras.layers.Dense)."""

    qualname: str

    def attr(self, name: str) -> Ref:
        return Ref(f"{self.qualname}.{name}")


@dataclass(eq=False)
class Function:
    node: cst.FunctionDef | cst.Lambda
    chunk: Chunk
    scope: Any  # the defining Scope
    defaults: dict
    name: str
    binding: str = "method"  # in a class body: method, static, class or property


@dataclass(eq=False)
class ClassValue:
    node: cst.ClassDef
    bases: list
    name: str
    members: dict = field(default_factory=dict)  # methods and class attributes from the class body

    def lookup(self, name: str, depth: int = 0) -> Any:
        """A member by Python's attribute order: this class, then its bases (left to right)."""
        if name in self.members:
            return self.members[name]
        for base in self.bases:
            if isinstance(base, ClassValue) and depth < 10:
                found = base.lookup(name, depth + 1)
                if found is not None:
                    return found
        return None


@dataclass(eq=False)
class Instance:
    """An instance of a class the program defines (other than Keras models and layers)."""

    cls: ClassValue
    site: Site | None = None
    attrs: dict = field(default_factory=dict)  # what `self.x = ...` stored
    depth: int = 0  # the interpreter's uncertainty depth when it was made


@dataclass(eq=False)
class BoundMethod:
    obj: Any
    name: str


Value = Any  # one of the classes above, a fact object, or UNKNOWN


def const_value(value: Value, kind: type | tuple = object) -> Any:
    """The Python value of a constant, or None when not a constant of that kind."""
    if (
        isinstance(value, Const)
        and isinstance(value.value, kind)
        and not (kind is int and isinstance(value.value, bool))
    ):
        return value.value
    return None


def path_text(value: Value) -> str | None:
    """A path as text: a pathlib.Path we know, or a string constant."""
    if isinstance(value, PathValue):
        return value.path
    return str_value(value)


def int_value(value: Value) -> int | None:
    return const_value(value, int)


def str_value(value: Value) -> str | None:
    return const_value(value, str)


def same_value(a: Value, b: Value) -> bool:
    """Whether two abstract values are certainly the same; the join of branches keeps only those."""
    if a is b:
        return True
    if isinstance(a, Const):
        return a.same(b)
    if isinstance(a, Ref) and isinstance(b, Ref):
        return a == b
    if isinstance(a, Seq) and isinstance(b, Seq):
        return (
            a.complete
            and b.complete
            and len(a.items) == len(b.items)
            and all(same_value(x, y) for x, y in zip(a.items, b.items))
        )
    if isinstance(a, PathValue) and isinstance(b, PathValue):
        return a.path == b.path
    return False


def join(a: Value, b: Value) -> Value:
    return a if same_value(a, b) else UNKNOWN


def iterate(value: Value) -> list | None:
    """The items a for loop or a starred expansion would see, when all are known."""
    if isinstance(value, Seq) and value.complete:
        return list(value.items)
    if isinstance(value, DictValue) and value.complete:
        return [Const(key) for key in value.items]
    return None


def unpack(value: Value, count: int) -> list | None:
    """The items of `a, b = value` when there are exactly `count` of them."""
    items = iterate(value)
    if items is not None and len(items) == count:
        return items
    return None
