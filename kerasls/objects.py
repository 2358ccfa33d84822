"""Classes the program defines: instances remember what `self.x = ...` stored, methods get `self`.

Training code is often wrapped in a class (a Trainer with build() and fit() methods); following
its attributes and method calls is what lets the analysis see the model it builds and the loss
it compiles with.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .values import UNKNOWN, BoundMethod, ClassValue, Function, Instance, Value, join

if TYPE_CHECKING:
    from .interpreter import CallArgs, Interpreter


def instantiate(cls: ClassValue, args: "CallArgs", node, it: "Interpreter") -> Instance:
    instance = Instance(cls, it.site(node) if node is not None else None, {}, it.uncertain)
    init = cls.lookup("__init__")
    if isinstance(init, Function):
        it.call_function(init, _with_self(instance, args), node)
    return instance


def attribute(base: Value, attr: str, it: "Interpreter") -> Value:
    if isinstance(base, Instance):
        if attr in base.attrs:
            return base.attrs[attr]
        member = base.cls.lookup(attr)
        if isinstance(member, Function):
            if member.binding == "property":
                from .interpreter import CallArgs

                return it.call_function(member, CallArgs([base], {}, [], {}, False), None)
            return BoundMethod(base, attr)
        return member if member is not None else UNKNOWN
    if isinstance(base, ClassValue):
        member = base.lookup(attr)
        if isinstance(member, Function):
            return BoundMethod(base, attr)
        return member if member is not None else UNKNOWN
    return UNKNOWN


def set_attribute(base: Value, attr: str, value: Value, it: "Interpreter") -> None:
    if not isinstance(base, Instance):
        return
    if it.mutation_is_certain(base.depth):
        base.attrs[attr] = value
    else:  # set on some paths only: keep it only if every path agrees
        base.attrs[attr] = join(base.attrs[attr], value) if attr in base.attrs else UNKNOWN


def call_method(owner: Value, name: str, args: "CallArgs", node, it: "Interpreter") -> Value:
    cls = owner.cls if isinstance(owner, Instance) else owner
    method = cls.lookup(name)
    if not isinstance(method, Function):
        return UNKNOWN
    if method.binding == "static":
        return it.call_function(method, args, node)
    if method.binding == "class" or isinstance(owner, ClassValue):
        return it.call_function(method, _with_self(cls, args), node)
    return it.call_function(method, _with_self(owner, args), node)


def _with_self(receiver: Value, args: "CallArgs") -> "CallArgs":
    from .interpreter import CallArgs

    return CallArgs([receiver, *args.positional], args.keywords, [None, *args.positional_nodes], args.keyword_nodes, args.starred)
