"""Where the interpreter's operations on library values go: each kind of value to its library's model.

A call by qualified name goes to a registered handler (numpy, pandas, builtins, os, sklearn) or
to the Keras/TensorFlow model; a method, attribute or subscript goes by the kind of value it is
applied to. Anything not modelled is UNKNOWN (or an opaque tensor when applied to one).
"""

from __future__ import annotations

import posixpath

import libcst as cst

from ..knowledge import canonical
from . import facts as F
from .calls import HANDLERS, CallArgs, Machine, opaque_result
from .library import arrays, builtins, classes, keras, pandas, sklearn
from .modules import ModuleValue, imported
from .values import (
    UNKNOWN,
    BoundMethod,
    ClassValue,
    Const,
    DictValue,
    Instance,
    PathValue,
    Ref,
    Seq,
    Value,
    path_text,
)


def note_import(dotted: str, m: Machine) -> None:
    root = dotted.split(".")[0]
    if dotted.startswith("tensorflow.keras") or dotted == "tensorflow":
        m.facts.imports.add("tensorflow")
    elif root in ("keras", "tf_keras", "tensorflow"):
        m.facts.imports.add(root)


def named(name: str, value: Value, at_module: bool, m: Machine) -> None:
    """A value was bound to a name: facts that mention themselves by name learn it."""
    if isinstance(value, sklearn.Encoder) and value.name is None:
        value.name = name
    keras.named(name, value, at_module, m)


def call(func: Value, args: CallArgs, node: cst.Call | None, m: Machine) -> Value:
    if isinstance(func, Ref):
        return call_qualname(func.qualname, args, node, m)
    if isinstance(func, BoundMethod):
        return call_method(func.obj, func.name, args, node, m)
    if isinstance(func, ClassValue):
        return keras.instantiate(func, args, node, m)
    if isinstance(func, (F.Layer, F.Model, Instance)):
        return keras.apply(func, args, node, m)
    return opaque_result(args)


def call_qualname(qualname: str, args: CallArgs, node, m: Machine) -> Value:
    name = canonical(qualname)
    handler = HANDLERS.get(name)
    if handler is not None:
        return handler(args, node, m)
    result = keras.call_keras(name, qualname, args, node, m)
    if result is not None:
        return result
    return opaque_result(args)


def call_method(obj: Value, method: str, args: CallArgs, node, m: Machine) -> Value:
    if isinstance(obj, (F.Labels, arrays.ArrayValue)):
        return arrays.array_method(obj, method, args, node, m)
    if isinstance(obj, pandas.Frame):
        return pandas.frame_method(obj, method, args, node, m)
    if isinstance(obj, sklearn.Encoder):
        return sklearn.encoder_method(obj, method, args, node, m)
    if isinstance(obj, arrays.RandomGenerator):
        return arrays.rng_method(method, args, node, m)
    if isinstance(obj, (Instance, ClassValue)):
        return classes.call_method(obj, method, args, node, m)
    if isinstance(obj, PathValue):
        return builtins.path_method(obj, method, args, node, m)
    if isinstance(obj, Seq):
        return builtins.list_method(obj, method, args, node, m)
    if isinstance(obj, DictValue):
        return builtins.dict_method(obj, method, args, node, m)
    return keras.call_method(obj, method, args, node, m)


def attribute(base: Value, attr: str, node: cst.Attribute, m: Machine) -> Value:
    if isinstance(base, ModuleValue):
        return module_attribute(base, attr, m)
    if isinstance(base, (F.Labels, arrays.ArrayValue)):
        return arrays.array_attribute(base, attr, node, m)
    if isinstance(base, pandas.Frame):
        return pandas.frame_attribute(base, attr, node, m)
    if isinstance(base, (Instance, ClassValue)):
        return classes.attribute(base, attr, m)
    if isinstance(base, sklearn.Encoder):
        return sklearn.encoder_attribute(base, attr, node, m)
    if isinstance(base, arrays.RandomGenerator):
        return BoundMethod(base, attr)
    if isinstance(base, PathValue):
        return builtins.path_attribute(base, attr, node, m)
    if isinstance(base, (Seq, DictValue)):
        return BoundMethod(base, attr)
    return keras.attribute(base, attr, node, m)


def module_attribute(module: ModuleValue, attr: str, m: Machine) -> Value:
    """`config.NUM_CLASSES`: the module's value, named the way this program spells it."""
    if attr in module.summary.names:
        return imported(module.summary.names[attr], f"{module.prefix}.{attr}")
    return UNKNOWN


def subscript(base: Value, key: Value | None, node: cst.Subscript, m: Machine) -> Value:
    if isinstance(base, Seq):
        index = key.value if isinstance(key, Const) else None
        if isinstance(index, int) and not isinstance(index, bool):
            return base.item(index)
        if isinstance(index, slice) and base.complete:
            return Seq(base.items[index], base.kind)
        return UNKNOWN
    if isinstance(base, DictValue) and isinstance(key, Const):
        return base.items.get(key.value, UNKNOWN)
    if isinstance(base, Const) and isinstance(base.value, str) and isinstance(key, Const):
        try:
            return Const(base.value[key.value])
        except (TypeError, IndexError, ValueError):
            return UNKNOWN
    if isinstance(base, pandas.Frame):
        return pandas.frame_subscript(base, key, node, m)
    if isinstance(base, pandas.FrameIndexer):
        return pandas.indexer_subscript(base, key, node, m)
    if isinstance(base, (F.Labels, arrays.ArrayValue, arrays.OneHotTable)):
        return arrays.array_subscript(base, key, node, m)
    return UNKNOWN


def set_attribute(base: Value, attr: str, value: Value, m: Machine) -> None:
    if attr == "trainable":
        keras.set_trainable(base, value, m)
        return
    classes.set_attribute(base, attr, value, m)


def set_item(container: Value, key: Value, value: Value, m: Machine) -> None:
    if builtins.set_item(container, key, value, m):
        return
    if isinstance(container, (F.Labels, arrays.ArrayValue)):
        arrays.set_item(container, key, value, m)
        return
    if isinstance(container, Ref) and container.qualname == "os.environ":
        if isinstance(key, Const) and isinstance(value, Const) and isinstance(value.value, str):
            m.facts.environ[str(key.value)] = value.value


def binary(op, left: Value, right: Value) -> Value:
    if op is None:
        return UNKNOWN
    if isinstance(left, PathValue) and op.__name__ == "truediv":
        other = path_text(right)
        return PathValue(posixpath.join(left.path, other)) if other is not None else UNKNOWN
    if isinstance(left, Const) and isinstance(right, Const):
        try:
            result = op(left.value, right.value)
        except Exception:
            return UNKNOWN
        if isinstance(result, (int, float, str, bool)) and not (isinstance(result, str) and len(result) > 10_000):
            return Const(result)
        return UNKNOWN
    if isinstance(left, Seq) and isinstance(right, Seq) and op.__name__ == "add":
        return Seq(left.items + right.items, left.kind)
    if isinstance(left, (arrays.ArrayValue, F.Labels)) or isinstance(right, (arrays.ArrayValue, F.Labels)):
        return arrays.array_binary(op, left, right)
    if isinstance(left, F.Tensor) or isinstance(right, F.Tensor):
        return F.Tensor(UNKNOWN, [v for v in (left, right) if isinstance(v, F.Tensor)], None)
    return UNKNOWN


def compare(op, left: Value, right: Value) -> Value:
    """A comparison the interpreter could not compute on constants (array masks)."""
    if isinstance(left, (arrays.ArrayValue, F.Labels)) or isinstance(right, (arrays.ArrayValue, F.Labels)):
        return arrays.array_binary(op, left, right)
    return UNKNOWN
