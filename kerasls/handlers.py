"""The registry of modelled library calls, by canonical qualified name, and argument helpers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from . import facts as F
from .values import UNKNOWN, Value

if TYPE_CHECKING:
    from .interpreter import CallArgs

Handler = Callable[..., Value]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str):
    def register(function: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = function
        return function

    return register


def arg(args: "CallArgs", index: int | None, name: str, default: Value = UNKNOWN) -> Value:
    """An argument by keyword or position, else the default."""
    if name in args.keywords:
        return args.keywords[name]
    if index is not None and 0 <= index < len(args.positional):
        return args.positional[index]
    return default


def arg_node(args: "CallArgs", index: int | None, name: str):
    if name in args.keyword_nodes:
        return args.keyword_nodes[name]
    if index is not None and 0 <= index < len(args.positional_nodes):
        return args.positional_nodes[index]
    return None


def opaque_result(args: "CallArgs") -> Value:
    """An unmodelled call: a tensor if it was applied to one (tf.reduce_mean(x)), else unknown."""
    tensors = [v for v in args.positional if isinstance(v, F.Tensor)]
    if tensors:
        return F.Tensor(UNKNOWN, tensors, None)
    return UNKNOWN
