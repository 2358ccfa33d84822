"""Classes the program defines: instances remember what `self.x = ...` stored, methods get `self`.

Training code is often wrapped in a class (a Trainer with build() and fit() methods); following
its attributes and method calls is what lets the analysis see the model it builds and the loss
it compiles with.
"""

from __future__ import annotations

from ..calls import NO_ARGS, CallArgs, Machine
from ..values import UNKNOWN, BoundMethod, ClassValue, Function, Instance, Value, join


def instantiate(cls: ClassValue, args: CallArgs, node, m: Machine) -> Instance:
    instance = Instance(cls, m.site(node) if node is not None else None, {}, m.uncertain)
    init = cls.lookup("__init__")
    if isinstance(init, Function):
        m.call_function(init, args.with_receiver(instance), node)
    return instance


def attribute(base: Value, attr: str, m: Machine) -> Value:
    if isinstance(base, Instance):
        if attr in base.attrs:
            return base.attrs[attr]
        member = base.cls.lookup(attr)
        if isinstance(member, Function):
            if member.binding == "property":
                return m.call_function(member, NO_ARGS.with_receiver(base), None)
            return BoundMethod(base, attr)
        return member if member is not None else UNKNOWN
    if isinstance(base, ClassValue):
        member = base.lookup(attr)
        if isinstance(member, Function):
            return BoundMethod(base, attr)
        return member if member is not None else UNKNOWN
    return UNKNOWN


def set_attribute(base: Value, attr: str, value: Value, m: Machine) -> None:
    if not isinstance(base, Instance):
        return
    if m.mutation_is_certain(base.depth):
        base.attrs[attr] = value
    else:  # set on some paths only: keep it only if every path agrees
        base.attrs[attr] = join(base.attrs[attr], value) if attr in base.attrs else UNKNOWN


def call_method(owner: Value, name: str, args: CallArgs, node, m: Machine) -> Value:
    cls = owner.cls if isinstance(owner, Instance) else owner
    method = cls.lookup(name)
    if not isinstance(method, Function):
        return UNKNOWN
    if method.binding == "static":
        return m.call_function(method, args, node)
    if method.binding == "class" or isinstance(owner, ClassValue):
        return m.call_function(method, args.with_receiver(cls), node)
    return m.call_function(method, args.with_receiver(owner), node)
