"""How library models see a call: its evaluated arguments, the registry of modelled functions,
argument binding by Keras's signatures, and what a model may ask of the running interpreter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import libcst as cst

from ..knowledge import Knowledge, Signature
from . import facts as F
from .host import Host
from .values import UNKNOWN, Const, Function, Seq, Site, Value


@dataclass
class CallArgs:
    positional: list[Value]
    keywords: dict[str, Value]
    positional_sites: list[Site | None]  # where each argument is written (for **kwargs: in the dict)
    keyword_sites: dict[str, Site]
    starred: bool  # a *args or **kwargs we could not expand: the binding is not fully known

    def with_receiver(self, receiver: Value) -> CallArgs:
        """These arguments with `self` (or `cls`) in front, for a method call."""
        return CallArgs(
            [receiver, *self.positional],
            self.keywords,
            [None, *self.positional_sites],
            self.keyword_sites,
            self.starred,
        )


NO_ARGS = CallArgs([], {}, [], {}, False)


class Machine(Protocol):
    """What a library model may use of the interpreter running the program."""

    knowledge: Knowledge
    host: Host
    facts: F.Facts
    uncertain: int  # how many unknown branches enclose the code running now

    @property
    def certain(self) -> bool: ...

    def site(self, node: cst.CSTNode) -> Site: ...

    def mutation_is_certain(self, depth: int) -> bool: ...

    def call_function(self, function: Function, args: CallArgs, node: cst.CSTNode | None) -> Value: ...

    def count_call(self, function: Function) -> None:
        """Note that the program calls `function` (one it never calls is run on its own)."""


Handler = Callable[[CallArgs, "cst.Call | None", Machine], Value]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str):
    """Register a model for library functions, by canonical qualified name."""

    def register(function: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = function
        return function

    return register


def arg(args: CallArgs, index: int | None, name: str, default: Value = UNKNOWN) -> Value:
    """An argument by keyword or position, else the default."""
    if name in args.keywords:
        return args.keywords[name]
    if index is not None and 0 <= index < len(args.positional):
        return args.positional[index]
    return default


def arg_site(args: CallArgs, index: int | None, name: str) -> Site | None:
    """Where an argument is written, by keyword or position."""
    if name in args.keyword_sites:
        return args.keyword_sites[name]
    if index is not None and 0 <= index < len(args.positional_sites):
        return args.positional_sites[index]
    return None


def opaque_result(args: CallArgs) -> Value:
    """An unmodelled call: a tensor if it was applied to one (tf.reduce_mean(x)), else unknown."""
    tensors = [v for v in args.positional if isinstance(v, F.Tensor)]
    if tensors:
        return F.Tensor(UNKNOWN, tensors, None)
    return UNKNOWN


def default_value(default) -> Value:
    """A signature default from the generated JSON as a value (lists were tuples)."""
    if isinstance(default, list):
        return Seq([default_value(item) for item in default], "tuple")
    return Const(default)


def _default_values(signature: Signature) -> dict[str, Value]:
    """The defaults as values, made once per signature (values are never mutated)."""
    values = signature.memo.get("values")
    if values is None:
        values = signature.memo["values"] = {name: default_value(d) for name, d in signature.defaults.items()}
    return values


def bind(signature: Signature, args: CallArgs) -> tuple[dict, dict]:
    """Bind call arguments by a Keras signature: (values by parameter, written argument sites)."""
    values: dict[str, Value] = dict(_default_values(signature))
    sites: dict[str, Site] = {}
    for index, value in enumerate(args.positional):
        if index < len(signature.params):
            name = signature.params[index]
            values[name] = value
            sites[name] = args.positional_sites[index]
    for name, value in args.keywords.items():
        values[name] = value
        sites[name] = args.keyword_sites[name]
    if args.starred:
        for name in signature.params:
            if name not in sites:
                values[name] = UNKNOWN
    return values, sites
