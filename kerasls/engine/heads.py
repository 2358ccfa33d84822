"""The effective output of a model: how many values it predicts and through which activation.

The last layer that sets the width (Dense) decides the units; a later Activation /
Softmax layer, or an activation function applied to the output tensor, overrides the
activation. Layers that pass their input through (Dropout, BatchNormalization) are
looked through. Anything else makes the head unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge import ACTIVATION_LAYERS, PASS_THROUGH_LAYERS, Knowledge, canonical
from . import facts as F
from .values import UNKNOWN, Const, Function, Ref, Site, Value, int_value

_WIDTH_LAYERS = {"Dense"}


@dataclass(eq=False)
class Head:
    model: F.Model
    units: Value  # Const(int) or UNKNOWN
    activation: str | None  # canonical name ('linear' when none); None when unknown
    layer: F.Layer | None  # the layer that sets the width
    activation_site: Site | None  # where the activation is chosen (argument, Activation layer, op)
    activation_layer: object | None = None  # a separate Activation/Softmax layer or op, if any

    @property
    def width(self) -> int | None:
        return int_value(self.units)

    @property
    def site(self) -> Site | None:
        if self.layer is not None:
            return self.layer.site
        return self.model.site

    @property
    def units_site(self) -> Site | None:
        """Where the width is written: the constant's literal, else the layer's units argument."""
        if isinstance(self.units, Const) and self.units.origin.site is not None:
            return self.units.origin.site
        return self.layer.arg_sites.get("units") if self.layer else None


def activation_name(value: Value, knowledge: Knowledge) -> str | None:
    """The canonical activation an `activation=` argument names, or None when unknown."""
    if isinstance(value, Const):
        if value.value is None:
            return "linear"
        if isinstance(value.value, str):
            return knowledge.activation(value.value) or knowledge.activation(value.value.lower())
        return None
    if isinstance(value, Ref):
        name = canonical(value.qualname)
        if name.startswith("keras.activations.") or name.startswith("keras.ops."):
            return knowledge.activation(name.rsplit(".", 1)[-1])
        return knowledge.tensorflow_activation(name)
    if isinstance(value, F.Layer):
        return _layer_activation(value, knowledge)
    if isinstance(value, Function):
        return None
    return None


def _layer_activation(layer: F.Layer, knowledge: Knowledge) -> str | None:
    if layer.kind == "Activation":
        return activation_name(layer.arg("activation"), knowledge)
    return ACTIVATION_LAYERS.get(layer.kind)


def head_of(model: F.Model, knowledge: Knowledge, depth: int = 0) -> Head | None:
    if depth > 6:
        return None
    if model.kind == "sequential":
        if not model.layers_complete:
            return None
        return _walk(model, list(reversed(model.layers)), knowledge, depth)
    if model.kind == "functional":
        if not model.outputs_known or len(model.outputs) != 1:
            return None
        return _walk_tensor(model, model.outputs[0], knowledge, depth)
    if model.kind == "application":
        args = model.application_args
        if not isinstance(args.get("include_top"), Const) or args["include_top"].value is not True:
            return None
        activation = activation_name(args.get("classifier_activation", UNKNOWN), knowledge)
        return Head(
            model, args.get("classes", UNKNOWN), activation, None, model.input_args.get("classifier_activation")
        )
    return None


def _walk(model: F.Model, layers_last_first: list, knowledge: Knowledge, depth: int) -> Head | None:
    """Walk a Sequential's layers from the end."""
    pending: tuple[str | None, Site | None, object] | None = None  # activation applied after the width layer
    for item in layers_last_first:
        if isinstance(item, F.Model):
            inner = head_of(item, knowledge, depth + 1)
            return _with_pending(inner, pending, model)
        if not isinstance(item, F.Layer):
            return None
        step = _step(item, knowledge)
        if step == "skip":
            continue
        if step == "activation":
            if pending is None:
                pending = (_layer_activation(item, knowledge), item.site, item)
            continue
        if step == "width":
            return _with_pending(_dense_head(model, item, knowledge), pending, model)
        return None
    return None


def _walk_tensor(model: F.Model, tensor: F.Tensor, knowledge: Knowledge, depth: int) -> Head | None:
    pending = None
    seen = 0
    while isinstance(tensor, F.Tensor) and seen < 200:
        seen += 1
        producer = tensor.producer
        if isinstance(producer, F.ActivationOp):
            if pending is None:
                pending = (producer.name, producer.site, producer)
        elif isinstance(producer, F.Model):
            return _with_pending(head_of(producer, knowledge, depth + 1), pending, model)
        elif isinstance(producer, F.Layer):
            step = _step(producer, knowledge)
            if step == "activation" and pending is None:
                pending = (_layer_activation(producer, knowledge), producer.site, producer)
            elif step == "width":
                return _with_pending(_dense_head(model, producer, knowledge), pending, model)
            elif step not in ("skip", "activation"):
                return None
        else:
            return None
        if len(tensor.inputs) != 1:
            return None
        tensor = tensor.inputs[0]
    return None


def _step(layer: F.Layer, knowledge: Knowledge) -> str:
    if layer.kind in PASS_THROUGH_LAYERS:
        return "skip"
    if layer.kind == "Activation" or layer.kind in ACTIVATION_LAYERS:
        return "activation"
    if layer.kind in _WIDTH_LAYERS:
        return "width"
    return "other"


def _dense_head(model: F.Model, layer: F.Layer, knowledge: Knowledge) -> Head:
    activation = activation_name(layer.arg("activation"), knowledge)
    site = layer.arg_sites.get("activation")
    return Head(model, layer.arg("units"), activation, layer, site)


def _with_pending(head: Head | None, pending, model: F.Model) -> Head | None:
    if head is None:
        return None
    head.model = model
    if pending is not None:
        activation, site, layer = pending
        head.activation = activation
        head.activation_site = site
        head.activation_layer = layer
    return head
