"""Model scripts for the shape oracle (``test_shapes_oracle.py``), and the Keras-side harness.

* ``FIXTURES``: hand-written scripts (every layer has ``name=``), Keras 3 import style
  (``import keras`` / ``from keras import layers``).
* ``generate_models(count, seed)``: random *valid* models as Python source.  The generator
  tracks the current shape itself (Keras 3 formulas) so it only emits layers that are
  valid for the current rank and keep every spatial dimension >= 1.
* ``tensorflow_keras_style`` / ``tf_keras_style``: the same script with
  ``tensorflow.keras`` or ``tf_keras`` imports.
* ``PROBES``: scripts on which the two Keras lines' APIs differ (compared Keras to Keras).
* ``python shape_models.py keras3|tf_keras IN.json OUT.json``: the harness (IN holds
  ``{"scripts": [...], "probes": [...]}``).  Executes each
  script with real Keras (no training) and records, for every ``keras.Model`` the script
  binds to a variable, every layer's name, class, output shape (batch axis None),
  parameter counts and the model totals.  It runs in a subprocess, so the test process
  never imports TensorFlow; with ``tf_keras`` it runs under ``TF_USE_LEGACY_KERAS=1``.

No TensorFlow import at module level: the test process imports this module for the
sources only.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys

# ----------------------------------------------------------------------------------------
# Hand-written fixtures
# ----------------------------------------------------------------------------------------

FIXTURES: dict[str, str] = {}

FIXTURES["seed_cnn"] = """
import keras
from keras import layers

model = keras.Sequential([
    layers.Conv2D(16, 3, padding="same", activation="relu", input_shape=(150, 150, 3), name="conv1"),
    layers.MaxPooling2D(name="pool1"),
    layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
    layers.MaxPooling2D(name="pool2"),
    layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3"),
    layers.MaxPooling2D(name="pool3"),
    layers.Flatten(name="flatten"),
    layers.Dense(512, activation="relu", name="fc"),
    layers.Dense(1, name="logit"),
])
"""

FIXTURES["sequential_add"] = """
import keras
from keras import layers

model = keras.Sequential(name="digits")
model.add(keras.Input(shape=(28, 28, 1)))
model.add(layers.Rescaling(1.0 / 255, name="rescale"))
model.add(layers.RandomFlip("horizontal", name="flip"))
model.add(layers.Conv2D(32, (5, 5), strides=2, activation="relu", name="conv_s2"))
model.add(layers.Conv2D(32, 3, dilation_rate=2, name="conv_dilated"))
model.add(layers.AveragePooling2D(pool_size=3, strides=1, padding="same", name="avgpool_same"))
model.add(layers.Dropout(0.25, name="drop"))
model.add(layers.Flatten(name="flat"))
model.add(layers.Dense(128, activation="relu", name="hidden"))
model.add(layers.Dense(10, activation="softmax", name="probs"))
"""

FIXTURES["functional_skip"] = """
import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3), name="image")
x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu", name="stem")(inputs)
y = layers.Conv2D(32, 3, padding="same", activation="relu", name="branch_a")(x)
y = layers.Conv2D(32, 3, padding="same", name="branch_b")(y)
x = layers.add([x, y], name="residual")
z = layers.Conv2D(16, 1, name="proj")(x)
w = layers.MaxPooling2D(3, strides=1, padding="same", name="side_pool")(x)
x = layers.Concatenate(name="concat")([z, w])
x = layers.GlobalAveragePooling2D(name="gap")(x)
outputs = layers.Dense(10, activation="softmax", name="head")(x)
model = keras.Model(inputs, outputs, name="skip")
"""

FIXTURES["functional_two_inputs"] = """
import keras
from keras import layers

image = keras.Input(shape=(64, 64, 3), name="image")
meta = keras.Input(shape=(12,), name="meta")
x = layers.Conv2D(8, 3, name="img_conv")(image)
x = layers.MaxPooling2D(2, name="img_pool")(x)
x = layers.GlobalMaxPooling2D(name="img_gmp")(x)
m = layers.Dense(8, activation="relu", name="meta_dense")(meta)
both = layers.concatenate([x, m], name="merge")
gated = layers.Multiply(name="gate")([both, layers.Dense(16, activation="sigmoid", name="gate_weights")(both)])
out = layers.Dense(3, activation="softmax", name="out")(gated)
model = keras.Model(inputs=[image, meta], outputs=out)
"""

FIXTURES["conv1d_sequence"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(128, 9)),
    layers.Conv1D(32, 7, activation="relu", name="c1"),
    layers.MaxPooling1D(2, name="p1"),
    layers.Conv1D(64, 5, strides=2, padding="same", name="c2"),
    layers.Conv1D(64, 3, padding="causal", dilation_rate=4, name="c3_causal"),
    layers.AveragePooling1D(pool_size=3, strides=2, name="p2"),
    layers.GlobalAveragePooling1D(name="gap"),
    layers.Dense(6, activation="softmax", name="classes"),
])
"""

FIXTURES["text_rnn"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(40,), dtype="int32"),
    layers.Embedding(5000, 32, name="embed"),
    layers.LSTM(32, return_sequences=True, name="lstm_seq"),
    layers.GRU(16, return_sequences=True, name="gru_seq"),
    layers.GRU(16, reset_after=False, return_sequences=True, name="gru_v1"),
    layers.SimpleRNN(8, name="rnn_last"),
    layers.Dense(1, activation="sigmoid", name="score"),
])
lstm_only = keras.Sequential([
    keras.Input(shape=(None, 5)),
    layers.LSTM(12, name="lstm_last"),
    layers.Dense(1, name="value"),
])
"""

FIXTURES["bidirectional"] = """
import keras
from keras import layers

tokens = keras.Input(shape=(60,), dtype="int32", name="tokens")
x = layers.Embedding(input_dim=20000, output_dim=64, name="emb")(tokens)
x = layers.Bidirectional(layers.LSTM(32, return_sequences=True), name="bi_concat")(x)
x = layers.Bidirectional(layers.GRU(16, return_sequences=True), merge_mode="sum", name="bi_sum")(x)
x = layers.Bidirectional(layers.SimpleRNN(8), merge_mode="ave", name="bi_ave")(x)
out = layers.Dense(4, activation="softmax", name="labels")(x)
model = keras.Model(tokens, out)
"""

FIXTURES["time_distributed"] = """
import keras
from keras import layers

frames = keras.Input(shape=(8, 32, 32, 3), name="frames")
x = layers.TimeDistributed(layers.Conv2D(16, 3, activation="relu"), name="td_conv")(frames)
x = layers.TimeDistributed(layers.MaxPooling2D(), name="td_pool")(x)
x = layers.TimeDistributed(layers.GlobalAveragePooling2D(), name="td_gap")(x)
x = layers.LSTM(24, return_sequences=True, name="lstm")(x)
x = layers.TimeDistributed(layers.Dense(5), name="td_dense")(x)
model = keras.Model(frames, x)
"""

FIXTURES["autoencoder"] = """
import keras
from keras import layers

inputs = keras.Input(shape=(28, 28, 1), name="digits")
x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu", name="enc1")(inputs)
x = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu", name="enc2")(x)
x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", activation="relu", name="dec1")(x)
x = layers.UpSampling2D(size=2, name="up")(x)
x = layers.Conv2DTranspose(4, 3, name="dec_valid")(x)
x = layers.Conv2DTranspose(4, 3, strides=2, output_padding=1, name="dec_outpad")(x)
x = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="recon")(x)
model = keras.Model(inputs, x, name="autoencoder")
"""

FIXTURES["separable_depthwise"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(64, 64, 3)),
    layers.SeparableConv2D(16, 3, depth_multiplier=2, name="sep1"),
    layers.DepthwiseConv2D(3, strides=2, padding="same", name="dw_s2"),
    layers.DepthwiseConv2D(3, depth_multiplier=2, use_bias=False, name="dw_mult"),
    layers.SeparableConv2D(8, (3, 5), dilation_rate=2, padding="same", name="sep_dilated"),
    layers.GlobalMaxPooling2D(name="gmp"),
    layers.Dense(2, name="out"),
])
"""

FIXTURES["pad_crop_reshape"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(30, 30, 3)),
    layers.ZeroPadding2D(padding=((1, 2), (3, 4)), name="pad"),
    layers.Cropping2D(cropping=((2, 1), (0, 3)), name="crop"),
    layers.ZeroPadding2D(2, name="pad2"),
    layers.Cropping2D((1, 2), name="crop2"),
    layers.Conv2D(8, 3, strides=3, name="conv"),
    layers.Reshape((-1, 8), name="to_sequence"),
    layers.Conv1D(4, 3, name="seq_conv"),
    layers.Reshape((2, -1), name="split"),
    layers.Flatten(name="flat"),
])
"""

FIXTURES["normalization"] = """
import keras
from keras import layers

inputs = keras.Input(shape=(24, 24, 3), name="inp")
x = layers.Conv2D(16, 3, use_bias=False, name="conv")(inputs)
x = layers.BatchNormalization(name="bn")(x)
x = layers.Activation("relu", name="relu")(x)
x = layers.BatchNormalization(center=False, name="bn_no_center")(x)
x = layers.LayerNormalization(name="ln")(x)
x = layers.Flatten(name="flat")(x)
x = layers.Dense(32, name="fc")(x)
x = layers.LayerNormalization(scale=False, name="ln_no_scale")(x)
x = layers.BatchNormalization(scale=False, center=False, name="bn_bare")(x)
x = layers.Dense(1, name="out")(x)
model = keras.Model(inputs, x)
"""

FIXTURES["conv3d"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(16, 32, 32, 1)),
    layers.Conv3D(8, 3, activation="relu", name="c3d"),
    layers.MaxPooling3D(2, name="mp3d"),
    layers.Conv3D(16, (1, 3, 3), strides=(1, 2, 2), padding="same", name="c3d_b"),
    layers.AveragePooling3D((1, 2, 2), name="ap3d"),
    layers.GlobalMaxPooling3D(name="gmp3d"),
    layers.Dense(3, name="out"),
])
"""

FIXTURES["channels_first"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(3, 64, 48)),
    layers.Conv2D(8, 3, data_format="channels_first", name="cf_conv"),
    layers.MaxPooling2D(data_format="channels_first", name="cf_pool"),
    layers.Conv2D(16, 3, strides=2, padding="same", data_format="channels_first", name="cf_conv2"),
    layers.GlobalAveragePooling2D(data_format="channels_first", name="cf_gap"),
    layers.Dense(10, name="out"),
])
"""

FIXTURES["strides_dilation_padding"] = """
import keras
from keras import layers

inputs = keras.Input(shape=(100, 75, 3), name="inp")
x = layers.Conv2D(8, 5, strides=2, padding="valid", name="s2_valid")(inputs)
x = layers.Conv2D(8, 3, dilation_rate=2, name="dilated")(x)
x = layers.Conv2D(8, 3, strides=3, padding="same", name="s3_same")(x)
x = layers.Conv2D(8, (3, 1), strides=(2, 1), name="asym")(x)
x = layers.MaxPooling2D(pool_size=(2, 3), strides=(1, 2), padding="same", name="asym_pool")(x)
x = layers.GlobalAveragePooling2D(keepdims=True, name="gap_keep")(x)
x = layers.Conv2D(4, 1, name="pointwise")(x)
x = layers.Flatten(name="flat")(x)
model = keras.Model(inputs, x)
"""

FIXTURES["transfer_mobilenet_v2"] = """
import keras
from keras import layers

base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(160, 160, 3), name="base")
model = keras.Sequential([
    base,
    layers.GlobalAveragePooling2D(name="gap"),
    layers.Dropout(0.2, name="drop"),
    layers.Dense(42, activation="softmax", name="species"),
])
"""

FIXTURES["transfer_frozen_functional"] = """
import keras
from keras import layers

base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(160, 160, 3), name="base")
base.trainable = False
inputs = keras.Input(shape=(160, 160, 3), name="photo")
x = layers.Rescaling(1 / 127.5, offset=-1, name="scale")(inputs)
x = base(x, training=False)
x = layers.GlobalAveragePooling2D(name="gap")(x)
outputs = layers.Dense(5, activation="softmax", name="head")(x)
model = keras.Model(inputs, outputs)
"""

FIXTURES["transfer_resnet50_top"] = """
import keras
from keras import layers

classifier = keras.applications.ResNet50(weights=None, name="resnet")
features = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(224, 224, 3), name="features")
head = keras.Sequential([
    features,
    layers.Flatten(name="flat"),
    layers.Dense(3, name="out"),
])
"""

FIXTURES["inputs_spelled_differently"] = """
import keras
from keras import layers

stacked = keras.Sequential([
    layers.InputLayer(shape=(10, 4), name="inp"),
    layers.LSTM(3, name="lstm"),
    layers.Dense(2, name="lstm_out"),
])
legacy_dim = keras.Sequential([
    layers.Dense(8, input_dim=5, name="hidden"),
    layers.Dense(1, name="legacy_out"),
])
batch = keras.Input(batch_shape=(None, 12), name="batch_inp")
batched = keras.Model(batch, layers.Dense(3, name="batch_out")(batch))
"""

FIXTURES["shared_layer"] = """
import keras
from keras import layers

a = keras.Input(shape=(8,), name="a")
b = keras.Input(shape=(8,), name="b")
shared = layers.Dense(4, name="shared")
merged = layers.Concatenate(name="cat")([shared(a), shared(b)])
model = keras.Model([a, b], layers.Dense(1, name="out")(merged))
"""

FIXTURES["nested_sequential"] = """
import keras
from keras import layers

block = keras.Sequential([layers.Conv2D(4, 3, name="inner_conv"), layers.MaxPooling2D(name="inner_pool")], name="block")
model = keras.Sequential([keras.Input(shape=(16, 16, 3)), block, layers.Flatten(name="flat"), layers.Dense(2, name="out")])
"""

FIXTURES["frozen_layers"] = """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(6,)),
    layers.Dense(4, trainable=False, name="frozen"),
    layers.Dense(4, name="later_frozen"),
    layers.BatchNormalization(name="bn"),
    layers.Dense(2, name="out"),
])
model.layers[1].trainable = False
"""

# Scripts run a second time with ``from tensorflow import keras`` imports.
TENSORFLOW_KERAS_VARIANTS = ("seed_cnn", "functional_skip", "text_rnn", "autoencoder", "transfer_frozen_functional")


def tensorflow_keras_style(source: str) -> str:
    """The script with ``tensorflow.keras`` imports (Keras 3 behind ``tf.keras`` in TF 2.16+)."""
    return source.replace("import keras\n", "import tensorflow as tf\nfrom tensorflow import keras\n", 1).replace(
        "from keras import layers\n", "from tensorflow.keras import layers\n", 1
    )


_APPLICATION_NAME = re.compile(
    r"^(?P<var>\w+) = (?P<call>keras\.applications\.\w+\(.*), name=(?P<name>[\"'][^\"']+[\"'])\)$", re.M
)


def _keras_imports_to_tf_keras(source: str) -> str:
    """``import keras`` / ``from keras[.x] import ...`` -> tf_keras.  (``tensorflow.keras``
    imports need no rewrite: the harness runs tf_keras with TF_USE_LEGACY_KERAS=1.)"""
    source = re.sub(r"^import keras$", "import tf_keras as keras", source, flags=re.M)
    return re.sub(r"^from keras(\.[\w.]+)? import ", r"from tf_keras\1 import ", source, flags=re.M)


def tf_keras_style(source: str) -> str:
    """The script for Keras 2 (the ``tf_keras`` package).

    tf_keras's applications reject ``name=`` (Keras 3's accept it: see PROBES), so
    ``base = keras.applications.X(..., name="base")`` becomes a call without it followed
    by ``base._name = "base"``, keeping the layer names the comparison matches on; and
    its InputLayer spells ``shape=`` as ``input_shape=``.
    """
    source = _keras_imports_to_tf_keras(source).replace("InputLayer(shape=", "InputLayer(input_shape=")
    return _APPLICATION_NAME.sub(r"\g<var> = \g<call>)\n\g<var>._name = \g<name>", source)


# Scripts whose *Keras* behaviour differs between Keras 3 and tf_keras (API, not shape
# formulas); only the two Keras lines are compared on these, never kerasls.
PROBES: dict[str, str] = {
    "average_pooling_default_pool_size": """
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(8, 8, 3)),
    layers.AveragePooling2D(name="avg"),
])
""",
    "embedding_input_length": """
import keras
from keras import layers

model = keras.Sequential([
    layers.Embedding(1000, 16, input_length=20, name="emb"),
    layers.Flatten(name="flat"),
    layers.Dense(1, name="out"),
])
""",
    "input_layer_shape_argument": """
import keras
from keras import layers

model = keras.Sequential([layers.InputLayer(shape=(5,), name="inp"), layers.Dense(2, name="out")])
""",
    "application_name_argument": """
import keras

base = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(96, 96, 3), name="base")
""",
}


def fixture_sources() -> dict[str, str]:
    """All fixtures, plus ``<name>@tensorflow.keras`` variants."""
    out = {name: source.lstrip("\n") for name, source in FIXTURES.items()}
    for name in TENSORFLOW_KERAS_VARIANTS:
        out[f"{name}@tensorflow.keras"] = tensorflow_keras_style(out[name])
    return out


# ----------------------------------------------------------------------------------------
# Random valid models
# ----------------------------------------------------------------------------------------


def _conv_len(n, k, s, padding, d=1):
    if n is None:
        return None
    if padding == "valid":
        return (n - d * (k - 1) - 1) // s + 1
    return (n - 1) // s + 1  # same / causal


def _pool_len(n, p, s, padding):
    if n is None:
        return None
    if padding == "valid":
        return (n - p) // s + 1
    return (n - 1) // s + 1


def _deconv_len(n, k, s, padding, output_padding, d=1):
    if n is None:
        return None
    k = (k - 1) * d + 1
    if padding == "valid":
        op = max(k, s) - k if output_padding is None else output_padding
        return (n - 1) * s + k + op
    if output_padding is None:
        return n * s
    return (n - 1) * s + k % 2 + output_padding


def _fmt_args(*positional, **keywords) -> str:
    parts = [repr(p) if not isinstance(p, _Raw) else p.text for p in positional]
    for key, value in keywords.items():
        parts.append(f"{key}={value.text if isinstance(value, _Raw) else repr(value)}")
    return ", ".join(parts)


class _Raw:
    """Source text emitted as is (an inner layer expression)."""

    def __init__(self, text: str):
        self.text = text


class _Layer:
    """A proposed layer: class, arguments (without name=), output shape."""

    def __init__(self, cls: str, args: str, out: tuple):
        self.cls, self.args, self.out = cls, args, out

    def source(self, name: str, extra: str = "") -> str:
        args = ", ".join(a for a in (self.args, extra, f"name={name!r}") if a)
        return f"layers.{self.cls}({args})"


MAX_DIM = 96  # keep spatial sizes and widths small: building stays fast

# Names of the leading positional parameters, for writing them as keywords sometimes.
_POSITIONAL = {
    "Dense": ("units",),
    "Dropout": ("rate",),
    "Activation": ("activation",),
    "Rescaling": ("scale",),
    "Reshape": ("target_shape",),
    "Embedding": ("input_dim", "output_dim"),
    "RandomFlip": ("mode",),
    "Bidirectional": ("layer",),
    "TimeDistributed": ("layer",),
    "SimpleRNN": ("units",),
    "LSTM": ("units",),
    "GRU": ("units",),
    "GaussianNoise": ("stddev",),
}
for _r in (1, 2, 3):
    for _c in (f"Conv{_r}D", f"Conv{_r}DTranspose", f"SeparableConv{_r}D"):
        _POSITIONAL[_c] = ("filters", "kernel_size")
    _POSITIONAL[f"DepthwiseConv{_r}D"] = ("kernel_size",)
    for _c in ("MaxPooling", "AveragePooling"):
        _POSITIONAL[f"{_c}{_r}D"] = ("pool_size",)
    _POSITIONAL[f"UpSampling{_r}D"] = ("size",)
    _POSITIONAL[f"ZeroPadding{_r}D"] = ("padding",)
    _POSITIONAL[f"Cropping{_r}D"] = ("cropping",)
    _POSITIONAL[f"SpatialDropout{_r}D"] = ("rate",)

# Keras 3 aliases (same class), used now and then instead of the canonical name.
_ALIASES = {}
for _r in (1, 2, 3):
    _ALIASES.update(
        {
            f"MaxPooling{_r}D": f"MaxPool{_r}D",
            f"AveragePooling{_r}D": f"AvgPool{_r}D",
            f"GlobalAveragePooling{_r}D": f"GlobalAvgPool{_r}D",
            f"GlobalMaxPooling{_r}D": f"GlobalMaxPool{_r}D",
            f"Conv{_r}D": f"Convolution{_r}D",
            f"Conv{_r}DTranspose": f"Convolution{_r}DTranspose",
        }
    )
_ALIASES.update({"SeparableConv1D": "SeparableConvolution1D", "SeparableConv2D": "SeparableConvolution2D"})

_IMPORT_STYLES = ("layers", "keras.layers", "bare", "tf.keras", "tensorflow.keras")


def restyle(source: str, style: str) -> str:
    """Rewrite a ``import keras`` / ``from keras import layers`` script to another import style."""
    header = "import keras\nfrom keras import layers\n"
    assert source.startswith(header), source[:80]
    body = source[len(header) :]
    if style == "layers":
        return source
    if style == "keras.layers":
        return "import keras\n" + re.sub(r"(?<![\w.])layers\.", "keras.layers.", body)
    if style == "bare":
        names = sorted(set(re.findall(r"(?<![\w.])layers\.(\w+)", body)))
        body = re.sub(r"(?<![\w.])layers\.(\w+)", r"\1", body)
        return f"import keras\nfrom keras.layers import {', '.join(names)}\n" + body
    if style == "tf.keras":
        body = re.sub(r"(?<![\w.])layers\.", "tf.keras.layers.", body)
        return "import tensorflow as tf\n" + re.sub(r"(?<![\w.])keras\.", "tf.keras.", body)
    if style == "tensorflow.keras":
        return "from tensorflow import keras\nfrom tensorflow.keras import layers\n" + body
    raise ValueError(style)


class ModelGenerator:
    """Random valid Keras models as source, with the generator's own shape tracking."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.counter = 0
        self.expected: dict[str, tuple] = {}  # layer name -> the generator's own output shape

    def emit(self, layer: _Layer, extra: str = "") -> str:
        name = self.name(layer.cls)
        self.expected[name] = layer.out
        if layer.cls in _ALIASES and self.chance(0.12):
            layer = _Layer(_ALIASES[layer.cls], layer.args, layer.out)
        return layer.source(name, extra)

    def fmt(self, cls: str, *positional, **keywords) -> str:
        """Arguments; leading positional ones sometimes written as keywords."""
        names = _POSITIONAL.get(cls, ())
        if positional and len(positional) <= len(names) and self.chance(0.25):
            j = self.rng.randrange(len(positional))  # positional[:j] stay positional
            named = dict(zip(names[j : len(positional)], positional[j:]))
            return _fmt_args(*positional[:j], **named, **keywords)
        return _fmt_args(*positional, **keywords)

    # -- helpers ---------------------------------------------------------------------------
    def name(self, cls: str) -> str:
        self.counter += 1
        return f"k{self.counter}_{cls.lower()}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, *options):
        return self.rng.choice(options)

    def kernel(self, dims, rank, max_k=5, dilation=(1,)):
        """Kernel sizes (int or tuple) that fit every known dim for 'valid' padding."""
        ks = []
        for n, d in zip(dims, dilation * rank if len(dilation) == 1 else dilation):
            limit = max_k if n is None else max(1, min(max_k, (n - 1) // d + 1))
            ks.append(self.rng.randint(1, limit))
        if len(set(ks)) == 1 and self.chance(0.7):
            return ks[0], tuple(ks)
        return tuple(ks), tuple(ks)

    # -- layer proposals (shape without batch axis; None only when the layer is not valid) --
    def dense(self, s):
        if s[-1] is None or len(s) > 3:
            return None
        units = self.pick(1, 2, 3, 4, 8, 10, 16, 32, 64)
        kw = {}
        if self.chance(0.4):
            kw["activation"] = self.pick("relu", "sigmoid", "tanh", "softmax", "linear")
        if self.chance(0.15):
            kw["use_bias"] = False
        return _Layer("Dense", self.fmt("Dense", units, **kw), s[:-1] + (units,))

    def conv(self, s, rank, cls=None):
        if len(s) != rank + 1:
            return None
        first = rank == 2 and self.chance(0.2)
        channels = s[0] if first else s[-1]
        dims = list(s[1:]) if first else list(s[:-1])
        if channels is None:
            return None
        filters = self.pick(1, 2, 4, 8, 12, 16, 32)
        kw = {}
        strides, dilation = 1, 1
        r = self.rng.random()
        if r < 0.35:
            strides = self.pick(2, 3) if self.chance(0.7) else tuple(self.pick(1, 2) for _ in dims)
        elif r < 0.55:
            dilation = self.pick(2, 3)
        dil = (dilation,) if isinstance(dilation, int) else dilation
        padding = self.pick("valid", "same") if rank != 1 else self.pick("valid", "same", "causal")
        k_arg, ks = self.kernel(dims, rank, dilation=dil)
        st = (strides,) * rank if isinstance(strides, int) else strides
        out_dims = [_conv_len(n, k, t, padding, dilation) for n, k, t in zip(dims, ks, st)]
        if any(d is not None and d < 1 for d in out_dims):
            padding = "same"
            out_dims = [_conv_len(n, k, t, padding, dilation) for n, k, t in zip(dims, ks, st)]
        if padding != "valid" or self.chance(0.5):
            kw["padding"] = padding
        if strides != 1:
            kw["strides"] = strides
        if dilation != 1:
            kw["dilation_rate"] = dilation
        if rank == 2 and not first and self.chance(0.12):
            groups = self.pick(*[g for g in (2, 4) if channels % g == 0] or [1])
            if groups > 1:
                filters = groups * self.pick(1, 2, 4)
                kw["groups"] = groups
        if first:
            kw["data_format"] = "channels_first"
        if self.chance(0.3):
            kw["activation"] = self.pick("relu", "elu", "swish")
        if self.chance(0.1):
            kw["use_bias"] = False
        out = (filters, *out_dims) if first else (*out_dims, filters)
        cls = cls or f"Conv{rank}D"
        return _Layer(cls, self.fmt(cls, filters, k_arg, **kw), out)

    def conv_transpose(self, s, rank=2):
        if len(s) != rank + 1 or s[-1] is None:
            return None
        dims = list(s[:-1])
        filters = self.pick(1, 2, 4, 8, 16)
        strides = self.pick(1, 1, 2, 2, 3)
        dilation = self.pick(1, 1, 2) if strides == 1 else 1
        k = self.rng.randint(1, 4)
        padding = self.pick("valid", "same")
        output_padding = None
        if strides > 1 and self.chance(0.5):
            output_padding = self.rng.randint(0, strides - 1)
        out_dims = [_deconv_len(n, k, strides, padding, output_padding, dilation) for n in dims]
        if any(d is not None and (d < 1 or d > MAX_DIM) for d in out_dims):
            return None
        kw = {"padding": padding} if padding != "valid" or self.chance(0.5) else {}
        if strides != 1:
            kw["strides"] = strides
        if dilation != 1:
            kw["dilation_rate"] = dilation
        if output_padding is not None:
            kw["output_padding"] = output_padding
        cls = f"Conv{rank}DTranspose"
        return _Layer(cls, self.fmt(cls, filters, k, **kw), (*out_dims, filters))

    def separable(self, s, rank=2):
        if len(s) != rank + 1 or s[-1] is None:
            return None
        dims = list(s[:-1])
        filters = self.pick(2, 4, 8, 16)
        strides = self.pick(1, 1, 2)
        dilation = self.pick(1, 1, 2) if strides == 1 else 1
        k_arg, ks = self.kernel(dims, rank, max_k=4, dilation=(dilation,))
        padding = self.pick("valid", "same")
        out_dims = [_conv_len(n, k, strides, padding, dilation) for n, k in zip(dims, ks)]
        if any(d is not None and d < 1 for d in out_dims):
            padding = "same"
            out_dims = [_conv_len(n, k, strides, padding, dilation) for n, k in zip(dims, ks)]
        kw = {"padding": padding}
        if strides != 1:
            kw["strides"] = strides
        if dilation != 1:
            kw["dilation_rate"] = dilation
        if self.chance(0.4):
            kw["depth_multiplier"] = self.pick(1, 2, 3)
        if self.chance(0.1):
            kw["use_bias"] = False
        cls = f"SeparableConv{rank}D"
        return _Layer(cls, self.fmt(cls, filters, k_arg, **kw), (*out_dims, filters))

    def depthwise(self, s, rank=2):
        if len(s) != rank + 1 or s[-1] is None:
            return None
        dims = list(s[:-1])
        strides = self.pick(1, 1, 2)
        dilation = self.pick(1, 1, 2) if strides == 1 else 1
        k_arg, ks = self.kernel(dims, rank, max_k=4, dilation=(dilation,))
        padding = self.pick("valid", "same")
        out_dims = [_conv_len(n, k, strides, padding, dilation) for n, k in zip(dims, ks)]
        if any(d is not None and d < 1 for d in out_dims):
            padding = "same"
            out_dims = [_conv_len(n, k, strides, padding, dilation) for n, k in zip(dims, ks)]
        multiplier = self.pick(1, 1, 2, 3)
        if s[-1] * multiplier > 128:
            multiplier = 1
        kw = {"padding": padding}
        if strides != 1:
            kw["strides"] = strides
        if dilation != 1:
            kw["dilation_rate"] = dilation
        if multiplier != 1:
            kw["depth_multiplier"] = multiplier
        if self.chance(0.15):
            kw["use_bias"] = False
        cls = f"DepthwiseConv{rank}D"
        return _Layer(cls, self.fmt(cls, k_arg, **kw), (*out_dims, s[-1] * multiplier))

    def pool(self, s, rank):
        if len(s) != rank + 1:
            return None
        first = rank == 2 and s[0] is not None and self.chance(0.2)
        dims = list(s[1:]) if first else list(s[:-1])
        cls = self.pick("MaxPooling", "AveragePooling") + f"{rank}D"
        padding = self.pick("valid", "valid", "same")
        sizes = []
        for n in dims:
            limit = 3 if (n is None or padding == "same") else max(1, min(3, n))
            sizes.append(self.rng.randint(1, limit))
        pool_arg = sizes[0] if len(set(sizes)) == 1 and self.chance(0.7) else tuple(sizes)
        strides = None
        if self.chance(0.4):
            strides = self.pick(1, 2, 3)
        st = sizes if strides is None else [strides] * rank
        out_dims = [_pool_len(n, p, t, padding) for n, p, t in zip(dims, sizes, st)]
        if any(d is not None and d < 1 for d in out_dims):
            return None
        positional, kw = [], {}
        # Keras 3's AveragePooling*D has no default pool_size (MaxPooling*D's is 2).
        if pool_arg != 2 or cls.startswith("Average") or self.chance(0.5):
            if self.chance(0.5):
                positional.append(pool_arg)
            else:
                kw["pool_size"] = pool_arg
        if strides is not None:
            kw["strides"] = strides
        if padding != "valid" or self.chance(0.3):
            kw["padding"] = padding
        if first:
            kw["data_format"] = "channels_first"
        out = (s[0], *out_dims) if first else (*out_dims, s[-1])
        return _Layer(cls, self.fmt(cls, *positional, **kw), out)

    def global_pool(self, s, rank):
        if len(s) != rank + 1:
            return None
        first = rank == 2 and s[0] is not None and self.chance(0.2)
        cls = self.pick("GlobalAveragePooling", "GlobalMaxPooling") + f"{rank}D"
        channels = s[0] if first else s[-1]
        kw = {}
        keep = self.chance(0.3)
        if keep:
            kw["keepdims"] = True
        if first:
            kw["data_format"] = "channels_first"
        if keep:
            out = (channels, *([1] * rank)) if first else (*([1] * rank), channels)
        else:
            out = (channels,)
        return _Layer(cls, _fmt_args(**kw), out)

    def flatten(self, s):
        if len(s) < 2 or any(d is None for d in s) or math.prod(s) > 20000:
            return None
        return _Layer("Flatten", "", (math.prod(s),))

    def reshape(self, s):
        if any(d is None for d in s):
            return None
        total = math.prod(s)
        divisors = [d for d in range(1, min(total, MAX_DIM) + 1) if total % d == 0]
        rank = self.pick(1, 2, 2, 3)
        target = []
        rest = total
        for _ in range(rank - 1):
            options = [d for d in divisors if rest % d == 0 and d <= 32]
            d = self.rng.choice(options)
            target.append(d)
            rest //= d
        target.append(rest)
        self.rng.shuffle(target)
        shown = list(target)
        if self.chance(0.5):
            shown[self.rng.randrange(len(shown))] = -1
        return _Layer("Reshape", self.fmt("Reshape", tuple(shown)), tuple(target))

    def same_shape(self, s):
        choice = self.rng.randrange(6)
        if choice == 0:
            return _Layer("Dropout", self.fmt("Dropout", self.pick(0.1, 0.25, 0.5)), s)
        if choice == 1:
            act = self.pick("relu", "tanh", "gelu", "softmax")
            return _Layer("Activation", self.fmt("Activation", act), s)
        if choice == 2:
            kw = {"offset": -1.0} if self.chance(0.3) else {}
            return _Layer("Rescaling", self.fmt("Rescaling", self.pick(1 / 255, 0.5, 2.0), **kw), s)
        if choice == 3:
            return _Layer(self.pick("ReLU", "LeakyReLU", "Softmax", "ELU"), "", s)
        if choice == 4:
            return _Layer("GaussianNoise", self.fmt("GaussianNoise", 0.1), s)
        if 2 <= len(s) <= 4 and s[-1] is not None:
            cls = f"SpatialDropout{len(s) - 1}D"
            return _Layer(cls, self.fmt(cls, 0.2), s)
        return _Layer("Dropout", self.fmt("Dropout", 0.2), s)

    def random_flip(self, s):
        if len(s) != 3:
            return None
        mode = self.pick("horizontal", "vertical", "horizontal_and_vertical")
        return _Layer("RandomFlip", self.fmt("RandomFlip", mode) if self.chance(0.7) else "", s)

    def batch_norm(self, s):
        kw = {}
        if len(s) >= 2 and s[0] is not None and self.chance(0.1):
            kw["axis"] = 1  # channels_first style
        elif s[-1] is None:
            return None
        if self.chance(0.2):
            kw["center"] = False
        if self.chance(0.2):
            kw["scale"] = False
        return _Layer("BatchNormalization", _fmt_args(**kw), s)

    def layer_norm(self, s):
        if s[-1] is None:
            return None
        kw = {}
        if self.chance(0.2):
            kw["center"] = False
        if self.chance(0.2):
            kw["scale"] = False
        return _Layer("LayerNormalization", _fmt_args(**kw), s)

    def rnn_parts(self, s):
        cls = self.pick("SimpleRNN", "LSTM", "GRU")
        units = self.pick(1, 2, 4, 8, 16, 32)
        sequences = self.chance(0.5)
        kw = {}
        if sequences:
            kw["return_sequences"] = True
        if cls == "GRU" and self.chance(0.25):
            kw["reset_after"] = False
        if self.chance(0.1):
            kw["use_bias"] = False
        out = (s[0], units) if sequences else (units,)
        return cls, self.fmt(cls, units, **kw), out

    def rnn(self, s):
        if len(s) != 2 or s[-1] is None:
            return None
        cls, args, out = self.rnn_parts(s)
        return _Layer(cls, args, out)

    def bidirectional(self, s):
        if len(s) != 2 or s[-1] is None:
            return None
        cls, args, out = self.rnn_parts(s)
        mode = self.pick("concat", "concat", "sum", "mul", "ave")
        kw = {"merge_mode": mode} if mode != "concat" or self.chance(0.3) else {}
        if mode == "concat":
            out = out[:-1] + (out[-1] * 2,)
        return _Layer("Bidirectional", self.fmt("Bidirectional", _Raw(f"layers.{cls}({args})"), **kw), out)

    def time_distributed(self, s):
        if len(s) < 2:
            return None
        inner_shape = s[1:]
        if len(inner_shape) == 3 and self.chance(0.6):
            inner = self.pick(self.conv, self.pool, self.global_pool, self.flatten)
            proposal = (
                inner(inner_shape, 2) if inner in (self.conv, self.pool, self.global_pool) else inner(inner_shape)
            )
        elif len(inner_shape) == 2 and self.chance(0.3):
            proposal = self.conv(inner_shape, 1)
        else:
            proposal = self.dense(inner_shape)
        if proposal is None or "channels_first" in proposal.args:
            return None
        inner_src = f"layers.{proposal.cls}({proposal.args})"
        return _Layer("TimeDistributed", self.fmt("TimeDistributed", _Raw(inner_src)), (s[0], *proposal.out))

    def upsampling(self, s, rank=2):
        if len(s) != rank + 1:
            return None
        if rank == 1:
            size = self.pick(2, 2, 3)  # UpSampling1D: an int only
        else:
            size = self.pick(2, 2, 3, tuple(self.pick(1, 2, 3) for _ in range(rank)))
        sz = (size,) * rank if isinstance(size, int) else size
        dims = [None if n is None else n * f for n, f in zip(s[:-1], sz)]
        if any(d is not None and d > MAX_DIM for d in dims):
            return None
        cls = f"UpSampling{rank}D"
        args = self.fmt(cls, size) if size != 2 or self.chance(0.5) else ""
        return _Layer(cls, args, (*dims, s[-1]))

    def _amounts(self, rank, low, high):
        """A Keras padding/cropping argument and the (before, after) pairs it means.

        1D layers take an int or one (before, after) pair; 2D/3D layers an int, one int
        per axis, or one pair per axis.
        """
        form = self.rng.randrange(3)
        if form == 0:
            p = self.rng.randint(max(low, 1), high)
            return p, [(p, p)] * rank
        if rank == 1:
            pair = (self.rng.randint(low, high), self.rng.randint(low, high))
            return pair, [pair]
        if form == 1:
            each = tuple(self.rng.randint(low, high) for _ in range(rank))
            return each, [(v, v) for v in each]
        pairs = tuple((self.rng.randint(low, high), self.rng.randint(low, high)) for _ in range(rank))
        return pairs, list(pairs)

    def zero_padding(self, s, rank=2):
        if len(s) != rank + 1:
            return None
        arg, pads = self._amounts(rank, 0, 3)
        dims = [None if n is None else n + a + b for n, (a, b) in zip(s[:-1], pads)]
        if any(d is not None and d > MAX_DIM for d in dims):
            return None
        cls = f"ZeroPadding{rank}D"
        args = "" if arg == 1 and self.chance(0.5) else self.fmt(cls, arg)
        return _Layer(cls, args, (*dims, s[-1]))

    def cropping(self, s, rank=2):
        if len(s) != rank + 1 or any(n is None or n < 4 for n in s[:-1]):
            return None
        high = min(3, min(s[:-1]) // 2 - 1)
        arg, crops = self._amounts(rank, 0, high)
        dims = [n - a - b for n, (a, b) in zip(s[:-1], crops)]
        if any(d < 1 for d in dims):
            return None
        cls = f"Cropping{rank}D"
        return _Layer(cls, self.fmt(cls, arg), (*dims, s[-1]))

    # -- choosing ----------------------------------------------------------------------------
    def propose(self, s):
        """A random valid layer for shape s (tries several kinds)."""
        rank = len(s)
        menu = [(self.dense, 3), (self.same_shape, 2), (self.batch_norm, 1), (self.layer_norm, 1)]
        if rank >= 2:
            menu += [(self.flatten, 1), (self.reshape, 1)]
        if rank == 1:
            menu += [(self.reshape, 1), (self.dense, 3)]
        if rank == 2:
            menu += [
                (lambda x: self.conv(x, 1), 4),
                (lambda x: self.pool(x, 1), 2),
                (lambda x: self.global_pool(x, 1), 1),
                (self.rnn, 4),
                (self.bidirectional, 3),
                (self.time_distributed, 2),
                (lambda x: self.conv_transpose(x, 1), 0.5),
                (lambda x: self.separable(x, 1), 0.5),
                (lambda x: self.depthwise(x, 1), 0.5),
                (lambda x: self.upsampling(x, 1), 0.5),
                (lambda x: self.zero_padding(x, 1), 0.5),
                (lambda x: self.cropping(x, 1), 0.5),
            ]
        if rank == 3:
            menu += [
                (lambda x: self.conv(x, 2), 6),
                (self.conv_transpose, 2),
                (self.separable, 2),
                (self.depthwise, 2),
                (lambda x: self.pool(x, 2), 3),
                (lambda x: self.global_pool(x, 2), 1),
                (self.upsampling, 1),
                (self.zero_padding, 1),
                (self.cropping, 1),
                (self.time_distributed, 1),
                (self.random_flip, 1),
            ]
        if rank == 4:
            menu += [
                (lambda x: self.conv(x, 3), 5),
                (lambda x: self.pool(x, 3), 3),
                (lambda x: self.global_pool(x, 3), 2),
                (self.time_distributed, 2),
                (lambda x: self.conv_transpose(x, 3), 0.5),
                (lambda x: self.upsampling(x, 3), 0.5),
                (lambda x: self.zero_padding(x, 3), 0.5),
                (lambda x: self.cropping(x, 3), 0.5),
            ]
        funcs = [f for f, _ in menu]
        weights = [w for _, w in menu]
        for _ in range(20):
            proposal = self.rng.choices(funcs, weights)[0](s)
            if proposal is not None and self._small(proposal.out):
                return proposal
        return _Layer("Dropout", _fmt_args(0.1), s)

    @staticmethod
    def _small(shape) -> bool:
        known = [d for d in shape if d is not None]
        return all(d >= 1 for d in known) and math.prod(known) <= 60000

    def input_shape(self):
        kind = self.rng.choices(["vector", "sequence", "tokens", "image", "volume"], [2, 3, 2, 5, 2])[0]
        if kind == "vector":
            return kind, (self.pick(3, 8, 16, 20, 32),)
        if kind == "sequence":
            t = None if self.chance(0.15) else self.rng.randint(4, 40)
            return kind, (t, self.rng.randint(1, 16))
        if kind == "tokens":
            return kind, (None if self.chance(0.1) else self.rng.randint(5, 50),)
        if kind == "image":
            h = self.rng.randint(8, 64)
            w = h if self.chance(0.6) else self.rng.randint(8, 64)
            if self.chance(0.05):
                h = w = None
            return kind, (h, w, self.pick(1, 3, 3, 4, 8))
        return kind, (self.rng.randint(4, 12), self.rng.randint(6, 24), self.rng.randint(6, 24), self.pick(1, 2, 3))

    def embedding(self, s):
        vocab = self.pick(50, 100, 1000, 5000)
        dim = self.pick(4, 8, 16, 32)
        return _Layer("Embedding", self.fmt("Embedding", vocab, dim), (*s, dim))

    # -- models ------------------------------------------------------------------------------
    def sequential(self) -> str:
        kind, shape = self.input_shape()
        n = self.rng.randint(2, 8)
        chain = []
        s = shape
        if kind == "tokens":
            first = self.embedding(s)
            chain.append(first)
            s = first.out
        while len(chain) < n:
            layer = self.propose(s)
            chain.append(layer)
            s = layer.out
        style = self.rng.choice(["list", "add", "input_shape"]) if kind != "tokens" else self.pick("list", "add")
        if style == "input_shape" and chain[0].cls.startswith("SpatialDropout"):
            style = "list"  # Keras 3's SpatialDropout*D take no input_shape= argument
        dtype = ', dtype="int32"' if kind == "tokens" else ""
        lines = ["import keras", "from keras import layers", ""]
        if style == "list":
            lines.append("model = keras.Sequential([")
            lines.append(f"    keras.Input(shape={shape!r}{dtype}),")
            lines += [f"    {self.emit(layer)}," for layer in chain]
            lines.append("])")
        elif style == "add":
            lines.append("model = keras.Sequential()")
            lines.append(f"model.add(keras.Input(shape={shape!r}{dtype}))")
            lines += [f"model.add({self.emit(layer)})" for layer in chain]
        else:
            lines.append("model = keras.Sequential([")
            lines.append(f"    {self.emit(chain[0], f'input_shape={shape!r}')},")
            lines += [f"    {self.emit(layer)}," for layer in chain[1:]]
            lines.append("])")
        return "\n".join(lines) + "\n"

    def functional(self) -> str:
        lines = ["import keras", "from keras import layers", ""]
        inputs = []
        n_inputs = 2 if self.chance(0.15) else 1
        finals = []
        for i in range(n_inputs):
            kind, shape = self.input_shape()
            var = f"in{i}"
            dtype = ', dtype="int32"' if kind == "tokens" else ""
            lines.append(f"{var} = keras.Input(shape={shape!r}{dtype}, name={f'input_{i}'!r})")
            inputs.append(var)
            x, s = var, shape
            if kind == "tokens":
                layer = self.embedding(s)
                lines.append(f"x{i} = {self.emit(layer)}({x})")
                x, s = f"x{i}", layer.out
            steps = self.rng.randint(1, 6)
            for _ in range(steps):
                if self.chance(0.3) and s[-1] is not None:
                    x, s = self.merge_block(lines, x, s, i)
                else:
                    layer = self.propose(s)
                    lines.append(f"x{i} = {self.emit(layer)}({x})")
                    x, s = f"x{i}", layer.out
            if n_inputs > 1:
                x, s = self.to_vector(lines, x, s, i)
            finals.append((x, s))
        if n_inputs > 1:
            cls = self.pick("Concatenate", "concatenate")
            name = self.name("Concatenate")
            args = ", ".join(x for x, _ in finals)
            if cls == "Concatenate":
                lines.append(f"x = layers.Concatenate(name={name!r})([{args}])")
            else:
                lines.append(f"x = layers.concatenate([{args}], name={name!r})")
            s = (sum(s[0] for _, s in finals),)
            self.expected[name] = s
            layer = self.dense(s)
            lines.append(f"x = {self.emit(layer)}(x)")
            out = "x"
        else:
            out = finals[0][0]
        ins = inputs[0] if n_inputs == 1 else "[" + ", ".join(inputs) + "]"
        if self.chance(0.5):
            lines.append(f"model = keras.Model({ins}, {out})")
        else:
            lines.append(f"model = keras.Model(inputs={ins}, outputs={out})")
        return "\n".join(lines) + "\n"

    def to_vector(self, lines, x, s, i):
        while len(s) > 1:
            if len(s) in (2, 3, 4) and self.chance(0.6):
                layer = self.global_pool(s, len(s) - 1)
                if layer is None or "keepdims" in layer.args:
                    layer = self.flatten(s) or _Layer(f"GlobalAveragePooling{len(s) - 1}D", "", (s[-1],))
            else:
                layer = self.flatten(s) or _Layer(f"GlobalMaxPooling{len(s) - 1}D", "", (s[-1],))
            lines.append(f"x{i} = {self.emit(layer)}({x})")
            x, s = f"x{i}", layer.out
        return x, s

    def branch_layer(self, s, filters):
        """A layer mapping s to s[:-1] + (filters,) (spatial dims preserved)."""
        rank = len(s)
        k = self.pick(1, 3, 5)
        if rank == 2 and self.chance(0.6):
            return _Layer("Conv1D", _fmt_args(filters, k, padding="same"), s[:-1] + (filters,))
        if rank == 3 and self.chance(0.7):
            cls = self.pick("Conv2D", "Conv2D", "SeparableConv2D")
            return _Layer(cls, _fmt_args(filters, k, padding="same"), s[:-1] + (filters,))
        if rank == 4 and self.chance(0.7):
            return _Layer("Conv3D", _fmt_args(filters, self.pick(1, 3), padding="same"), s[:-1] + (filters,))
        return _Layer("Dense", _fmt_args(filters), s[:-1] + (filters,))

    def merge_block(self, lines, x, s, i):
        """Two or three branches from x, merged by Add / Multiply / Concatenate."""
        op = self.pick("Add", "Multiply", "Concatenate")
        axis = -1
        if op == "Concatenate" and len(s) >= 2 and self.chance(0.25):
            axis = self.pick(1, -len(s))  # the first non-batch axis, written either way
        same_width = op != "Concatenate" or axis != -1
        width = s[-1] if (same_width and self.chance(0.4)) else self.pick(4, 8, 16)
        parts = []  # (variable, shape)
        for b in range(self.pick(2, 2, 3)):
            if b == 0 and (not same_width or width == s[-1]) and self.chance(0.6):
                parts.append((x, s))  # identity / residual branch
                continue
            filters = width if same_width else self.pick(2, 4, 8)
            layer = self.branch_layer(s, filters)
            var = f"b{i}_{self.counter}"
            lines.append(f"{var} = {self.emit(layer)}({x})")
            if self.chance(0.3):
                extra = self.pick(self.batch_norm, self.layer_norm, self.same_shape)(layer.out)
                if extra is not None and extra.cls != "RandomFlip" and "axis" not in extra.args:
                    lines.append(f"{var} = {self.emit(extra)}({var})")
            parts.append((var, layer.out))
        if op != "Concatenate":
            out = s[:-1] + (width,)
        elif axis == -1:
            out = s[:-1] + (sum(shape[-1] for _, shape in parts),)
        else:
            first = [shape[0] for _, shape in parts]
            out = (None if None in first else sum(first),) + s[1:-1] + (width,)
        name = self.name(op)
        self.expected[name] = out
        listed = "[" + ", ".join(v for v, _ in parts) + "]"
        kw = f"axis={axis}, " if axis != -1 else ""
        if self.chance(0.35):  # the functional forms: layers.add([...]), layers.concatenate([...])
            lines.append(f"x{i} = layers.{op.lower()}({listed}, {kw}name={name!r})")
        else:
            lines.append(f"x{i} = layers.{op}({kw}name={name!r})({listed})")
        return f"x{i}", out

    def model(self) -> tuple[str, dict]:
        self.counter = 0
        self.expected = {}
        source = self.functional() if self.chance(0.5) else self.sequential()
        style = self.rng.choices(_IMPORT_STYLES, [45, 15, 15, 15, 10])[0]
        return restyle(source, style), self.expected


def generate_models_with_shapes(count: int, seed: int = 20260229) -> list[tuple[str, dict]]:
    """*count* random model scripts with the generator's own per-layer output shapes."""
    generator = ModelGenerator(random.Random(seed))
    return [generator.model() for _ in range(count)]


def generate_models(count: int, seed: int = 20260229) -> list[str]:
    """*count* random model scripts (deterministic for a seed); each binds ``model``."""
    return [source for source, _ in generate_models_with_shapes(count, seed)]


# ----------------------------------------------------------------------------------------
# Keras-side harness (subprocess)
# ----------------------------------------------------------------------------------------


def _shape_list(tensor):
    shape = tensor.shape
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    return [None if d is None else int(d) for d in shape]


def _count(weights) -> int:
    seen, total = set(), 0
    for w in weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        shape = w.shape.as_list() if hasattr(w.shape, "as_list") else w.shape
        total += math.prod(int(d) for d in shape)
    return total


def _describe(model) -> dict:
    layers_out = []
    for layer in model.layers:
        try:
            output = _shape_list(layer.output)
        except Exception as exc:  # noqa: BLE001 - multi-output or shared layers
            output = f"error: {type(exc).__name__}: {exc}"[:200]
        layers_out.append(
            {
                "name": layer.name,
                "class": type(layer).__name__,
                "output": output,
                "params": _count(layer.weights),
                "trainable": _count(layer.trainable_weights),
                "non_trainable": _count(layer.non_trainable_weights),
            }
        )
    return {
        "name": model.name,
        "class": type(model).__name__,
        "layers": layers_out,
        "total": _count(model.weights),
        "trainable": _count(model.trainable_weights),
        "non_trainable": _count(model.non_trainable_weights),
    }


def measure(sources: list[str], line: str, rewrite: bool = True) -> list[dict]:
    """Build every script with Keras (line 'keras3' or 'tf_keras'); describe its models.

    With *rewrite* False, tf_keras scripts only get their imports switched (PROBES).
    """
    import contextlib
    import gc
    import io
    import warnings

    warnings.simplefilter("ignore")
    if line == "tf_keras":
        import tf_keras as K
    else:
        import keras as K
    # clear_session() runs gc.collect(); without this it rescans all of TensorFlow's
    # objects for every script (most of a small model's build time).
    gc.freeze()
    results = []
    for source in sources:
        K.backend.clear_session()
        if line != "tf_keras":
            code = source
        elif rewrite:
            code = tf_keras_style(source)
        else:
            code = _keras_imports_to_tf_keras(source)
        namespace: dict = {}
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(code, "<model>", "exec"), namespace)  # noqa: S102 - our own generated scripts
        except Exception as exc:  # noqa: BLE001 - a rejected candidate is a result
            results.append({"error": f"{type(exc).__name__}: {exc}"[:1000]})
            continue
        models = {var: _describe(obj) for var, obj in namespace.items() if isinstance(obj, K.Model)}
        results.append({"models": models})
    return results


def main(argv: list[str]) -> int:
    """``LINE IN.json OUT.json``: IN is {"scripts": [...], "probes": [...]}."""
    line, in_path, out_path = argv
    with open(in_path, encoding="utf-8") as f:
        job = json.load(f)
    results = measure(job["scripts"], line) + measure(job.get("probes", []), line, rewrite=False)
    versions = {}
    if line == "tf_keras":
        import tf_keras

        versions["tf_keras"] = tf_keras.__version__
    else:
        import keras

        versions["keras"] = keras.__version__
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"versions": versions, "results": results}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
