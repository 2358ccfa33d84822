"""Static output shapes and parameter counts, layer by layer, without TensorFlow.

The formulas follow Keras 3 (channels_last unless `data_format` says otherwise); the
TensorFlow oracle tests compare them with what Keras builds. A dimension we cannot
know is None, and it stays None downstream: nothing is guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..knowledge import Knowledge
from . import facts as F
from .values import UNKNOWN, Const, Seq, Site, Value

Shape = tuple  # (None, d1, d2, ...) with None for unknown dims


@dataclass
class Row:
    kind: str
    name: str | None
    output: Shape | None
    params: int | None
    trainable: int | None
    non_trainable: int | None
    site: Site | None
    input: Shape | None = None
    problem: str | None = None  # e.g. a spatial dimension that would be zero or negative
    layer: object = None
    fault: Fault | None = None  # the input cannot go into this layer at all


@dataclass(frozen=True)
class Fault:
    """Why a layer cannot take its input: Keras raises when the model is built."""

    kind: str  # ndim, reshape, merge
    expected: str  # what Keras requires, in its own terms (ndim=3, min_ndim=4, a total size of 100)
    found: str  # what it gets


@dataclass
class ModelSummary:
    model: F.Model
    rows: list[Row] = field(default_factory=list)
    input: Shape | None = None
    output: Shape | None = None
    input_from: str | None = None  # where the input shape comes from, when not written on the model
    input_site: Site | None = None  # where the model's input shape is written
    input_kind: str | None = None  # how: "input_shape" (a layer argument), "Input" (an input layer), "application"

    @property
    def name(self) -> str | None:
        return self.model.name

    def _total(self, attribute: str) -> int | None:
        values = [getattr(row, attribute) for row in self.rows]
        return None if any(v is None for v in values) else sum(values)

    @property
    def total_params(self) -> int | None:
        return self._total("params")

    @property
    def trainable_params(self) -> int | None:
        return self._total("trainable")

    @property
    def non_trainable_params(self) -> int | None:
        return self._total("non_trainable")


@dataclass
class _Out:
    output: Shape | None
    params: int | None = 0
    trainable: int | None = None
    non_trainable: int | None = 0
    problem: str | None = None
    fault: Fault | None = None

    def __post_init__(self):
        if self.trainable is None and self.params is not None and self.non_trainable is not None:
            self.trainable = self.params - self.non_trainable


UNKNOWN_OUT = _Out(None, None, None, None)


# -- argument helpers -----------------------------------------------------------------------
def _py(value: Value):
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq) and all(isinstance(i, (Const, Seq)) for i in value.items):
        return tuple(_py(i) for i in value.items)
    return UNKNOWN


def _ints(value, n: int) -> tuple | None:
    """An int or a tuple of ints as an n-tuple."""
    v = _py(value) if not isinstance(value, (int, tuple)) else value
    if isinstance(v, bool) or v is UNKNOWN or v is None:
        return None
    if isinstance(v, int):
        return (v,) * n
    if isinstance(v, tuple) and len(v) == n and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
        return v
    return None


def shape_value(value: Value) -> Shape | None:
    """A Keras shape argument (without the batch axis) as a tuple, None entries allowed."""
    v = _py(value)
    if isinstance(v, int) and not isinstance(v, bool):
        return (v,)
    if isinstance(v, tuple) and all(i is None or (isinstance(i, int) and not isinstance(i, bool)) for i in v):
        return v
    return None


def _arg(layer: F.Layer, name: str, default=UNKNOWN):
    value = layer.args.get(name)
    if value is None:
        return default
    v = _py(value)
    return default if v is UNKNOWN else v


# -- formulas (Keras 3's compute_conv_output_shape and friends) ------------------------------
def _conv_length(length, kernel, stride, padding, dilation=1):
    if length is None:
        return None
    if padding == "valid":
        return (length - dilation * (kernel - 1) - 1) // stride + 1
    return (length - 1) // stride + 1  # same, causal


def _pool_length(length, pool, stride, padding):
    if length is None:
        return None
    if padding == "valid":
        return (length - pool) // stride + 1
    return (length - 1) // stride + 1


def _deconv_length(length, kernel, stride, padding, dilation=1, output_padding=None):
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def _split(shape: Shape, rank: int, data_format) -> tuple[list, int | None, bool] | None:
    """(spatial dims, channels, channels_first) of a (None, ..., C) input with `rank` spatial dims."""
    if shape is None or len(shape) != rank + 2:
        return None
    first = data_format == "channels_first"
    if first:
        return list(shape[2:]), shape[1], True
    return list(shape[1:-1]), shape[-1], False


def _join(spatial: list, channels, first: bool) -> Shape:
    return (None, channels, *spatial) if first else (None, *spatial, channels)


def _problem(spatial: list, kind: str) -> str | None:
    bad = [d for d in spatial if d is not None and d <= 0]
    if bad:
        return f"{kind} would produce a spatial size of {bad[0]}"
    return None


def _conv(layer: F.Layer, shape: Shape, rank: int, transpose: bool = False) -> _Out:
    fmt = _arg(layer, "data_format", None)
    parts = _split(shape, rank, fmt)
    filters = _arg(layer, "filters")
    kernel = _ints(layer.args.get("kernel_size"), rank)
    strides = _ints(layer.args.get("strides", Const(1)), rank)
    dilation = _ints(layer.args.get("dilation_rate", Const(1)), rank)
    padding = str(_arg(layer, "padding", "valid")).lower()
    groups = _arg(layer, "groups", 1)
    if parts is None or not isinstance(filters, int) or kernel is None or strides is None or dilation is None:
        return UNKNOWN_OUT
    spatial, channels, first = parts
    if transpose:
        out_pad = _ints(layer.args.get("output_padding", Const(None)), rank)
        spatial = [
            _deconv_length(d, k, s, padding, dl, out_pad[i] if out_pad else None)
            for i, (d, k, s, dl) in enumerate(zip(spatial, kernel, strides, dilation))
        ]
    else:
        spatial = [_conv_length(d, k, s, padding, dl) for d, k, s, dl in zip(spatial, kernel, strides, dilation)]
    use_bias = _arg(layer, "use_bias", True)
    params = None
    if channels is not None and isinstance(groups, int) and groups > 0:
        params = math.prod(kernel) * (channels // groups) * filters + (filters if use_bias else 0)
    return _Out(_join(spatial, filters, first), params, problem=_problem(spatial, layer.kind))


def _separable(layer: F.Layer, shape: Shape, rank: int) -> _Out:
    fmt = _arg(layer, "data_format", None)
    parts = _split(shape, rank, fmt)
    filters = _arg(layer, "filters")
    kernel = _ints(layer.args.get("kernel_size"), rank)
    strides = _ints(layer.args.get("strides", Const(1)), rank)
    dilation = _ints(layer.args.get("dilation_rate", Const(1)), rank)
    padding = str(_arg(layer, "padding", "valid")).lower()
    multiplier = _arg(layer, "depth_multiplier", 1)
    if (
        parts is None
        or not isinstance(filters, int)
        or kernel is None
        or strides is None
        or not isinstance(multiplier, int)
    ):
        return UNKNOWN_OUT
    spatial, channels, first = parts
    spatial = [_conv_length(d, k, s, padding, dl) for d, k, s, dl in zip(spatial, kernel, strides, dilation)]
    params = None
    if channels is not None:
        params = math.prod(kernel) * channels * multiplier + channels * multiplier * filters
        params += filters if _arg(layer, "use_bias", True) else 0
    return _Out(_join(spatial, filters, first), params, problem=_problem(spatial, layer.kind))


def _depthwise(layer: F.Layer, shape: Shape, rank: int) -> _Out:
    fmt = _arg(layer, "data_format", None)
    parts = _split(shape, rank, fmt)
    kernel = _ints(layer.args.get("kernel_size"), rank)
    strides = _ints(layer.args.get("strides", Const(1)), rank)
    dilation = _ints(layer.args.get("dilation_rate", Const(1)), rank)
    padding = str(_arg(layer, "padding", "valid")).lower()
    multiplier = _arg(layer, "depth_multiplier", 1)
    if parts is None or kernel is None or strides is None or dilation is None or not isinstance(multiplier, int):
        return UNKNOWN_OUT
    spatial, channels, first = parts
    spatial = [_conv_length(d, k, s, padding, dl) for d, k, s, dl in zip(spatial, kernel, strides, dilation)]
    out_channels = channels * multiplier if channels is not None else None
    params = None
    if channels is not None:
        params = math.prod(kernel) * channels * multiplier + (out_channels if _arg(layer, "use_bias", True) else 0)
    return _Out(_join(spatial, out_channels, first), params, problem=_problem(spatial, layer.kind))


def _pool(layer: F.Layer, shape: Shape, rank: int) -> _Out:
    fmt = _arg(layer, "data_format", None)
    parts = _split(shape, rank, fmt)
    pool = _ints(layer.args.get("pool_size", UNKNOWN), rank)  # Keras 3 has no default for average pooling
    strides_value = layer.args.get("strides", Const(None))
    strides = pool if _py(strides_value) is None else _ints(strides_value, rank)
    padding = str(_arg(layer, "padding", "valid")).lower()
    if parts is None or pool is None or strides is None:
        return UNKNOWN_OUT
    spatial, channels, first = parts
    spatial = [_pool_length(d, p, s, padding) for d, p, s in zip(spatial, pool, strides)]
    return _Out(_join(spatial, channels, first), 0, problem=_problem(spatial, layer.kind))


def _global_pool(layer: F.Layer, shape: Shape, rank: int) -> _Out:
    fmt = _arg(layer, "data_format", None)
    parts = _split(shape, rank, fmt)
    if parts is None:
        return UNKNOWN_OUT
    spatial, channels, first = parts
    if _arg(layer, "keepdims", False):
        return _Out(_join([1] * rank, channels, first), 0)
    return _Out((None, channels), 0)


def _dense(layer: F.Layer, shape: Shape) -> _Out:
    units = _arg(layer, "units")
    if shape is None or len(shape) < 2 or not isinstance(units, int):
        return UNKNOWN_OUT
    params = None
    if shape[-1] is not None:
        params = shape[-1] * units + (units if _arg(layer, "use_bias", True) else 0)
    return _Out(shape[:-1] + (units,), params)


def _flatten(layer: F.Layer, shape: Shape) -> _Out:
    if shape is None:
        return UNKNOWN_OUT
    rest = shape[1:]
    size = None if any(d is None for d in rest) else math.prod(rest)
    return _Out((None, size), 0)


def _reshape(layer: F.Layer, shape: Shape) -> _Out:
    target = shape_value(layer.args.get("target_shape", UNKNOWN))
    if target is None:
        return UNKNOWN_OUT
    if -1 in target:
        known = [d for d in target if d != -1]
        total = None if shape is None or any(d is None for d in shape[1:]) else math.prod(shape[1:])
        missing = total // math.prod(known) if total is not None and math.prod(known) else None
        target = tuple(missing if d == -1 else d for d in target)
    return _Out((None, *target), 0)


def _normalization(layer: F.Layer, shape: Shape, batch: bool) -> _Out:
    if shape is None or shape[-1] is None:
        return _Out(shape, None, None, None)
    axis = _arg(layer, "axis", -1)
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = axis[0]
    if not isinstance(axis, int) or not -len(shape) < axis < len(shape) or axis in (0, -len(shape)):
        return _Out(shape, None, None, None)
    channels = shape[axis]
    if channels is None:
        return _Out(shape, None, None, None)
    learned = (1 if _arg(layer, "center", True) else 0) + (1 if _arg(layer, "scale", True) else 0)
    if batch:
        return _Out(shape, (learned + 2) * channels, learned * channels, 2 * channels)
    return _Out(shape, learned * channels, learned * channels, 0)


def _embedding(layer: F.Layer, shape: Shape) -> _Out:
    size, dim = _arg(layer, "input_dim"), _arg(layer, "output_dim")
    if not isinstance(size, int) or not isinstance(dim, int):
        return UNKNOWN_OUT
    return _Out(shape + (dim,) if shape is not None else None, size * dim)


_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _rnn(layer: F.Layer, shape: Shape) -> _Out:
    units = _arg(layer, "units")
    if shape is None or len(shape) != 3 or not isinstance(units, int):
        return UNKNOWN_OUT
    if _arg(layer, "return_state", False):
        return UNKNOWN_OUT
    features = shape[-1]
    gates = _GATES[layer.kind]
    params = None
    if features is not None:
        bias = units * gates if _arg(layer, "use_bias", True) else 0
        if layer.kind == "GRU" and _arg(layer, "reset_after", True) and bias:
            bias *= 2
        params = gates * units * (features + units) + bias
    out = (None, shape[1], units) if _arg(layer, "return_sequences", False) else (None, units)
    return _Out(out, params)


def _bidirectional(layer: F.Layer, shape: Shape) -> _Out:
    inner = layer.args.get("layer", UNKNOWN)
    if not isinstance(inner, F.Layer):
        return UNKNOWN_OUT
    result = infer_layer(inner, [shape])
    mode = _arg(layer, "merge_mode", "concat")
    if result.output is None or mode not in ("concat", "sum", "mul", "ave"):
        return UNKNOWN_OUT
    out = result.output
    if mode == "concat" and out[-1] is not None:
        out = out[:-1] + (out[-1] * 2,)
    params = result.params * 2 if result.params is not None else None
    return _Out(out, params)


def _time_distributed(layer: F.Layer, shape: Shape) -> _Out:
    inner = layer.args.get("layer", UNKNOWN)
    if not isinstance(inner, F.Layer) or shape is None or len(shape) < 3:
        return UNKNOWN_OUT
    result = infer_layer(inner, [(None,) + shape[2:]])
    if result.output is None:
        return _Out(None, result.params, result.trainable, result.non_trainable)
    return _Out((None, shape[1]) + result.output[1:], result.params, result.trainable, result.non_trainable)


def _upsampling(layer: F.Layer, shape: Shape, rank: int) -> _Out:
    parts = _split(shape, rank, _arg(layer, "data_format", None))
    size = _ints(layer.args.get("size", Const(2)), rank)
    if parts is None or size is None:
        return UNKNOWN_OUT
    spatial, channels, first = parts
    return _Out(_join([d * s if d is not None else None for d, s in zip(spatial, size)], channels, first), 0)


def _pairs(value: Value, rank: int) -> list[tuple[int, int]] | None:
    v = _py(value)
    if isinstance(v, int) and not isinstance(v, bool):
        return [(v, v)] * rank
    if rank == 1 and isinstance(v, tuple) and len(v) == 2 and all(isinstance(i, int) for i in v):
        return [v]  # 1D layers take one (before, after) pair
    if isinstance(v, tuple) and len(v) == rank:
        out = []
        for item in v:
            if isinstance(item, int):
                out.append((item, item))
            elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(i, int) for i in item):
                out.append(item)
            else:
                return None
        return out
    return None


def _pad_crop(layer: F.Layer, shape: Shape, rank: int, sign: int, arg: str, default) -> _Out:
    parts = _split(shape, rank, _arg(layer, "data_format", None))
    amounts = _pairs(layer.args.get(arg, Const(default)), rank)
    if parts is None or amounts is None:
        return UNKNOWN_OUT
    spatial, channels, first = parts
    spatial = [d + sign * (a + b) if d is not None else None for d, (a, b) in zip(spatial, amounts)]
    return _Out(_join(spatial, channels, first), 0, problem=_problem(spatial, layer.kind))


def _merge(layer: F.Layer, shapes: list) -> _Out:
    if not shapes or any(s is None for s in shapes):
        return UNKNOWN_OUT
    if layer.kind == "Concatenate":
        axis = _arg(layer, "axis", -1)
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes) or not isinstance(axis, int):
            return UNKNOWN_OUT
        axis = axis % rank
        total = None if any(s[axis] is None for s in shapes) else sum(s[axis] for s in shapes)
        return _Out(shapes[0][:axis] + (total,) + shapes[0][axis + 1 :], 0)
    if all(s == shapes[0] for s in shapes):
        return _Out(shapes[0], 0)
    return UNKNOWN_OUT


_SAME_SHAPE = {
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "ThresholdedReLU",
    "Rescaling",
    "ActivityRegularization",
    "Identity",
    "Masking",
    "RandomFlip",
    "RandomRotation",
    "RandomZoom",
    "RandomContrast",
    "RandomTranslation",
    "RandomBrightness",
    "UnitNormalization",
}
_CONV = {"Conv1D": 1, "Conv2D": 2, "Conv3D": 3, "Convolution1D": 1, "Convolution2D": 2, "Convolution3D": 3}
_CONV_T = {"Conv1DTranspose": 1, "Conv2DTranspose": 2, "Conv3DTranspose": 3}
_POOL = {
    "MaxPooling1D": 1,
    "MaxPooling2D": 2,
    "MaxPooling3D": 3,
    "AveragePooling1D": 1,
    "AveragePooling2D": 2,
    "AveragePooling3D": 3,
    "MaxPool1D": 1,
    "MaxPool2D": 2,
    "MaxPool3D": 3,
    "AvgPool1D": 1,
    "AvgPool2D": 2,
    "AvgPool3D": 3,
}
_GLOBAL = {
    "GlobalAveragePooling1D": 1,
    "GlobalAveragePooling2D": 2,
    "GlobalAveragePooling3D": 3,
    "GlobalMaxPooling1D": 1,
    "GlobalMaxPooling2D": 2,
    "GlobalMaxPooling3D": 3,
    "GlobalAvgPool1D": 1,
    "GlobalAvgPool2D": 2,
    "GlobalMaxPool1D": 1,
    "GlobalMaxPool2D": 2,
}
_MERGE = {"Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}


def infer_layer(layer: F.Layer, inputs: list) -> _Out:
    """A layer's output shape and parameters for the given input shapes."""
    fault = _input_fault(layer, inputs)
    if fault is not None:
        return _Out(None, None, None, None, fault=fault)
    result = _infer(layer, inputs)
    if result.params is None and _parameter_free(layer.kind):
        return _Out(result.output, 0, 0, 0, result.problem, result.fault)
    return result


# The rank (batch axis included) each layer kind accepts, as Keras's input specs say it.
_NDIM = {
    **dict.fromkeys(("SimpleRNN", "LSTM", "GRU", "Bidirectional"), ("ndim", 3)),
    **{kind: ("min_ndim", rank + 2) for kind, rank in {**_CONV, **_CONV_T}.items()},
    **{kind: ("ndim", rank + 2) for kind, rank in {**_POOL, **_GLOBAL}.items()},
    "SeparableConv1D": ("ndim", 3),
    "SeparableConv2D": ("ndim", 4),
    "DepthwiseConv1D": ("ndim", 3),
    "DepthwiseConv2D": ("ndim", 4),
    "Dense": ("min_ndim", 2),
}


def _input_fault(layer: F.Layer, inputs: list) -> Fault | None:
    if len(inputs) == 1 and inputs[0] is not None and layer.kind in _NDIM:
        how, rank = _NDIM[layer.kind]
        found = len(inputs[0])
        if found != rank if how == "ndim" else found < rank:
            return Fault("ndim", f"{how}={rank}", f"ndim={found}")
    if layer.kind == "Reshape" and len(inputs) == 1 and inputs[0] is not None:
        target = shape_value(layer.args.get("target_shape", UNKNOWN))
        size = None if any(d is None for d in inputs[0][1:]) else math.prod(inputs[0][1:])
        if target is not None and size is not None and -1 not in target and None not in target:
            if math.prod(target) != size:
                return Fault("reshape", f"a total size of {math.prod(target)}", f"{size}")
    if layer.kind == "Concatenate" and len(inputs) > 1 and all(s is not None for s in inputs):
        axis = _arg(layer, "axis", -1)
        if isinstance(axis, int) and _concatenate_fault(inputs, axis):
            return Fault(
                "merge", "matching shapes except on the concatenation axis", ", ".join(map(format_shape, inputs))
            )
    return None


def _concatenate_fault(shapes: list, axis: int) -> bool:
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes):
        return True
    axis %= rank
    for i in range(1, rank):
        dims = {s[i] for s in shapes if s[i] is not None}
        if i != axis and len(dims) > 1:
            return True
    return False


def _parameter_free(kind: str) -> bool:
    return (
        kind in _SAME_SHAPE
        or kind in _POOL
        or kind in _GLOBAL
        or kind in _MERGE
        or kind in ("Flatten", "Reshape")
        or kind.startswith(("UpSampling", "ZeroPadding", "Cropping"))
    )


def _infer(layer: F.Layer, inputs: list) -> _Out:
    kind = layer.kind
    shape = inputs[0] if len(inputs) == 1 else None
    if kind in _MERGE:
        return _merge(layer, inputs)
    if kind in _SAME_SHAPE:
        return _Out(shape, 0)
    if kind == "Dense":
        return _dense(layer, shape)
    if kind in _CONV:
        return _conv(layer, shape, _CONV[kind])
    if kind in _CONV_T:
        return _conv(layer, shape, _CONV_T[kind], transpose=True)
    if kind in ("SeparableConv1D", "SeparableConv2D"):
        return _separable(layer, shape, 1 if kind.endswith("1D") else 2)
    if kind in ("DepthwiseConv1D", "DepthwiseConv2D"):
        return _depthwise(layer, shape, 1 if kind.endswith("1D") else 2)
    if kind in _POOL:
        return _pool(layer, shape, _POOL[kind])
    if kind in _GLOBAL:
        return _global_pool(layer, shape, _GLOBAL[kind])
    if kind == "Flatten":
        return _flatten(layer, shape)
    if kind == "Reshape":
        return _reshape(layer, shape)
    if kind == "BatchNormalization":
        return _normalization(layer, shape, batch=True)
    if kind == "LayerNormalization":
        return _normalization(layer, shape, batch=False)
    if kind == "Embedding":
        return _embedding(layer, shape)
    if kind in _GATES:
        return _rnn(layer, shape)
    if kind == "Bidirectional":
        return _bidirectional(layer, shape)
    if kind == "TimeDistributed":
        return _time_distributed(layer, shape)
    if kind in ("UpSampling1D", "UpSampling2D", "UpSampling3D"):
        return _upsampling(layer, shape, int(kind[-2]))
    if kind in ("ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"):
        return _pad_crop(layer, shape, int(kind[-2]), +1, "padding", 1)
    if kind in ("Cropping1D", "Cropping2D", "Cropping3D"):
        return _pad_crop(layer, shape, int(kind[-2]), -1, "cropping", 0)
    return UNKNOWN_OUT


# -- models -----------------------------------------------------------------------------------
def _input_of_first_layer(layer: F.Layer) -> Shape | None:
    for key in ("input_shape", "batch_input_shape", "batch_shape", "shape"):
        if key in layer.args and _py(layer.args[key]) not in (UNKNOWN, None):
            shape = shape_value(layer.args[key])
            if shape is None:
                return None
            return shape if key.startswith("batch") else (None, *shape)
    dim = _arg(layer, "input_dim", None)
    if isinstance(dim, int) and layer.kind != "Embedding":
        return (None, dim)
    return None


def _input_spec_shape(spec: F.InputSpec) -> Shape | None:
    batch = shape_value(spec.args.get("batch_shape", Const(None)))
    if batch is not None:
        return batch
    shape = shape_value(spec.args.get("shape", Const(None)))
    return (None, *shape) if shape is not None else None


def _layer_name(layer) -> str | None:
    if isinstance(layer, F.Layer):
        value = _py(layer.args.get("name", Const(None)))
        return value if isinstance(value, str) else None
    if isinstance(layer, F.Model):
        args = layer.application_args if layer.kind == "application" else layer.input_args
        value = _py(args.get("name", Const(None)))
        return value if isinstance(value, str) else None
    return None


def _keras_layer_order(model: F.Model) -> dict[int, tuple[int, int]]:
    """The order model.summary() lists a functional model's layers in (keras map_graph): deepest
    first (longest path to an output), ties in the order a depth-first walk from the outputs meets them."""
    indices: dict[int, int] = {}
    nodes: list[F.Tensor] = []
    visited: set[int] = set()
    for output in model.outputs:
        _walk_back(output, indices, visited, nodes)
    node_depth: dict[int, int] = {}
    depths: dict[int, int] = {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), depths.get(id(node.producer), 0))
        depths[id(node.producer)] = depth
        node_depth[id(node)] = depth
        for parent in node.inputs:
            if isinstance(parent, F.Tensor):
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    return {op: (-depth, indices[op]) for op, depth in depths.items()}


def _walk_back(tensor, indices: dict[int, int], visited: set[int], nodes: list) -> None:
    """Depth-first from an output to the inputs: producers numbered as met, tensors listed after their inputs.

    (A function of its own, not a closure: a recursive closure is a reference cycle, freed only by
    the cyclic collector.)"""
    if not isinstance(tensor, F.Tensor) or id(tensor) in visited or len(visited) > 5000:
        return
    indices.setdefault(id(tensor.producer), len(indices))
    visited.add(id(tensor))
    for parent in tensor.inputs:
        _walk_back(parent, indices, visited, nodes)
    nodes.append(tensor)


def _frozen(layer) -> bool | None:
    """Whether a layer or model is frozen (trainable=False); None when that is unknown."""
    if isinstance(layer, F.Layer):
        value = layer.args.get("trainable", Const(True))
        return None if not isinstance(value, Const) else value.value is False
    if isinstance(layer, F.Model):
        return None if layer.trainable is None else layer.trainable is False
    return False


class _Walk:
    """A functional model's tensors, from the outputs back to the inputs: each one's shape, once."""

    def __init__(self, summarizer: Summarizer, summary: ModelSummary, depth: int, shapes: dict, seen_layers: set):
        self.summarizer = summarizer
        self.summary = summary
        self.depth = depth
        self.shapes = shapes
        self.seen_layers = seen_layers

    def visit(self, tensor, level: int = 0) -> Shape | None:
        if not isinstance(tensor, F.Tensor) or level > 400:
            return None
        shapes = self.shapes
        if id(tensor) in shapes:
            return shapes[id(tensor)]
        producer = tensor.producer
        inputs = [self.visit(t, level + 1) for t in tensor.inputs]
        if isinstance(producer, F.InputSpec):
            shape = _input_spec_shape(producer)
        elif isinstance(producer, (F.Layer, F.Model)):
            if id(producer) in self.seen_layers:
                shape = self.summarizer._reuse(producer, inputs, self.depth)
            else:
                self.seen_layers.add(id(producer))
                shape = self.summarizer._apply(producer, inputs or [None], self.summary, self.depth, tensor.site)
        elif isinstance(producer, F.ActivationOp):
            shape = inputs[0] if len(inputs) == 1 else None
        else:
            shape = None
        shapes[id(tensor)] = shape
        return shape


class Summarizer:
    def __init__(self, knowledge: Knowledge, trainable_known: bool = True):
        self.keras = knowledge
        self.trainable_known = trainable_known
        self.cache: dict[tuple, ModelSummary] = {}
        self.feeds: dict[int, Shape] = {}  # the input shape a model was first applied to as a layer

    def summarize(self, model: F.Model, feed: Shape | None = None, depth: int = 0) -> ModelSummary:
        key = (id(model), feed)
        if key in self.cache:
            return self.cache[key]
        if not model.remembered:
            return self._summarize(model, feed, depth, key)
        # A model no edit can change: its summary (and what it taught about the models inside it)
        # is the one from the analysis before.
        kept = model.summaries.get((feed, depth, self.trainable_known))
        if kept is None:
            before = set(self.feeds)
            summary = self._summarize(model, feed, depth, key)
            kept = model.summaries[(feed, depth, self.trainable_known)] = (
                summary,
                {k: v for k, v in self.feeds.items() if k not in before},
            )
        summary, feeds = kept
        self.cache[key] = summary
        for nested, shape in feeds.items():
            self.feeds.setdefault(nested, shape)
        return summary

    def _summarize(self, model: F.Model, feed: Shape | None, depth: int, key: tuple) -> ModelSummary:
        summary = ModelSummary(model)
        self.cache[key] = summary  # guards against a model that contains itself
        if depth > 8:
            return summary
        if model.kind == "sequential":
            self._sequential(model, summary, feed, depth)
        elif model.kind == "functional":
            self._functional(model, summary, depth)
        elif model.kind == "application":
            self._application(model, summary, feed)
        self._split_trainable(model, summary)
        return summary

    def _split_trainable(self, model: F.Model, summary: ModelSummary) -> None:
        """Frozen layers and models count as non-trainable; unknown when we could not follow it."""
        for row in summary.rows:
            frozen = model.trainable is False or _frozen(row.layer)
            if not self.trainable_known or model.trainable is None or _frozen(row.layer) is None:
                row.trainable = row.non_trainable = None
            elif frozen and row.params is not None:
                row.trainable, row.non_trainable = 0, row.params

    def _sequential(self, model: F.Model, summary: ModelSummary, feed: Shape | None, depth: int) -> None:
        items = list(model.layers)
        shape = None
        if items and isinstance(items[0], F.Tensor) and isinstance(items[0].producer, F.InputSpec):
            spec = items[0].producer
            shape = _input_spec_shape(spec)
            summary.input_site, summary.input_kind = spec.arg_sites.get("shape", spec.site), "Input"
            items = items[1:]
        elif items and isinstance(items[0], F.Layer):
            shape = _input_of_first_layer(items[0])
            for key in ("input_shape", "batch_input_shape", "shape", "batch_shape", "input_dim"):
                if key in items[0].arg_sites:
                    summary.input_site = items[0].arg_sites[key]
                    break
            summary.input_kind = "Input" if items[0].kind == "InputLayer" else "input_shape"
            if items[0].kind == "InputLayer":
                items = items[1:]
        if shape is None and items and isinstance(items[0], F.Model):
            inner = self.summarize(items[0], None, depth + 1)  # e.g. a pretrained base with input_shape
            if inner.input_site is not None:
                shape, summary.input_site, summary.input_kind = inner.input, inner.input_site, inner.input_kind
        if shape is None and feed is not None:
            shape, summary.input_from = feed, "the data fed to fit"
        summary.input = shape
        for item in items:
            shape = self._apply(item, [shape], summary, depth)
        summary.output = shape if model.layers_complete else None

    def _apply(self, item, inputs: list, summary: ModelSummary, depth: int, site: Site | None = None) -> Shape | None:
        if isinstance(item, F.Layer):
            result = infer_layer(item, inputs)
            summary.rows.append(
                Row(
                    item.kind,
                    _layer_name(item),
                    result.output,
                    result.params,
                    result.trainable,
                    result.non_trainable,
                    site or item.site,
                    inputs[0] if len(inputs) == 1 else None,
                    result.problem,
                    item,
                    result.fault,
                )
            )
            return result.output
        if isinstance(item, F.Model):
            feed = inputs[0] if len(inputs) == 1 else None
            if feed is not None:
                self.feeds.setdefault(id(item), feed)
            inner = self.summarize(item, feed, depth + 1)
            kind = item.application or ("Sequential" if item.kind == "sequential" else "Functional")
            summary.rows.append(
                Row(
                    kind,
                    _layer_name(item),
                    inner.output,
                    inner.total_params,
                    inner.trainable_params,
                    inner.non_trainable_params,
                    site or item.site,
                    feed,
                    None,
                    item,
                )
            )
            return inner.output
        summary.rows.append(Row("?", None, None, None, None, None, site, None))
        return None

    def _functional(self, model: F.Model, summary: ModelSummary, depth: int) -> None:
        shapes: dict[int, Shape | None] = {}
        seen_layers: set[int] = set()
        for tensor in model.inputs:
            if isinstance(tensor, F.Tensor) and isinstance(tensor.producer, F.InputSpec):
                shape = _input_spec_shape(tensor.producer)
                shapes[id(tensor)] = shape
                if summary.input_site is None:
                    summary.input_site = tensor.producer.arg_sites.get("shape", tensor.producer.site)
                    summary.input_kind = "Input"
                name = _py(tensor.producer.args.get("name", Const(None)))
                summary.rows.append(
                    Row(
                        "InputLayer",
                        name if isinstance(name, str) else None,
                        shape,
                        0,
                        0,
                        0,
                        tensor.producer.site,
                        layer=tensor.producer,
                    )
                )
        summary.input = shapes.get(id(model.inputs[0])) if len(model.inputs) == 1 else None

        walk = _Walk(self, summary, depth, shapes, seen_layers)
        outputs = [walk.visit(t) for t in model.outputs] if model.outputs_known else []
        summary.output = outputs[0] if len(outputs) == 1 else None
        order = _keras_layer_order(model)
        summary.rows.sort(key=lambda row: order.get(id(row.layer), (0, len(order))))

    def _reuse(self, producer, inputs: list, depth: int) -> Shape | None:
        """A layer called a second time: its shape for these inputs, without a second row."""
        if isinstance(producer, F.Layer):
            return infer_layer(producer, inputs).output
        return self.summarize(producer, inputs[0] if len(inputs) == 1 else None, depth + 1).output

    def _application(self, model: F.Model, summary: ModelSummary, feed: Shape | None) -> None:
        spec = self.keras.application(model.application or "") or {}
        args = model.application_args
        include_top = _py(args.get("include_top", Const(True)))
        shape = shape_value(args.get("input_shape", Const(None)))
        if shape is not None:
            shape = (None, *shape)
            summary.input_site, summary.input_kind = model.input_args.get("input_shape"), "application"
        tensor = args.get("input_tensor")
        if shape is None and isinstance(tensor, F.Tensor) and isinstance(tensor.producer, F.InputSpec):
            shape = _input_spec_shape(tensor.producer)
        if shape is None and feed is not None:
            shape = feed
        if shape is None and include_top is True and spec.get("default_input"):
            shape = (None, *spec["default_input"])
        summary.input = shape
        if include_top is True:
            counts = spec.get("params_top") if _py(args.get("classes", Const(1000))) == 1000 else None
            classes = _py(args.get("classes", Const(1000)))
            output = (None, classes) if isinstance(classes, int) else None
        elif include_top is False:
            counts = spec.get("params_no_top")
            output = self._application_features(spec, shape, _py(args.get("pooling", Const(None))))
        else:
            counts, output = None, None
        summary.output = output
        counts = counts or {}
        summary.rows.append(
            Row(
                model.application or "Model",
                None,
                output,
                counts.get("total"),
                counts.get("trainable"),
                counts.get("non_trainable"),
                model.site,
                shape,
                None,
                model,
            )
        )

    @staticmethod
    def _application_features(spec: dict, shape: Shape | None, pooling) -> Shape | None:
        channels = spec.get("channels_no_top")
        if pooling in ("avg", "max"):
            return (None, channels) if channels else None
        if shape is None or len(shape) != 4 or shape[1] is None or shape[2] is None:
            return None
        found = spec.get("output_no_top", {}).get(f"{shape[1]}x{shape[2]}")
        return (None, *found) if found else None


def summarize_models(
    models: list, trainings: list, knowledge: Knowledge, trainable_known: bool = True
) -> list[ModelSummary]:
    """One summary per model the program builds, in the order it builds them."""
    summarizer = Summarizer(knowledge, trainable_known)
    feeds = fed_shapes(trainings)
    summaries = [summarizer.summarize(model, feeds.get(id(model))) for model in models]
    # A block built without an Input (a nested Sequential) takes its shape from where it is applied.
    return [
        summarizer.summarize(s.model, summarizer.feeds[id(s.model)])
        if s.input is None and id(s.model) in summarizer.feeds
        else s
        for s in summaries
    ]


def fed_shapes(trainings: list) -> dict[int, Shape]:
    """Input shapes implied by the data models are fit on (a model without an Input is built from them)."""
    feeds = {}
    for training in trainings:
        fit = training.fit
        if fit is None:
            continue
        source = fit.source
        if source is not None and source.image_size and len(source.image_size) == 2:
            feeds.setdefault(id(training.model), (None, *source.image_size, source.channels))
        elif fit.inputs is not None:
            feeds.setdefault(id(training.model), fit.inputs.shape)
    return feeds


def format_shape(shape: Shape | None) -> str:
    if shape is None:
        return "unknown"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
