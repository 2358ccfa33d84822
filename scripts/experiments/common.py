"""Shared helpers for the ground-truth experiments.

An experiment module runs inside a child process whose Keras line was chosen
through the environment before anything imported TensorFlow:

* ``keras3``:   plain ``import keras`` (Keras 3; TensorFlow backend unless
  ``KERAS_BACKEND`` says otherwise);
* ``tf_keras``: ``TF_USE_LEGACY_KERAS=1``, so ``tf.keras`` is Keras 2.

``keras`` below is the Keras of the running line; experiments write
``from .common import keras`` and never import Keras themselves.
"""

import atexit
import contextlib
import logging
import os
import re
import shutil
import tempfile
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

LINE = "tf_keras" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras3"
if LINE == "tf_keras":
    keras = tf.keras
    BACKEND = "tensorflow"
else:
    import keras  # noqa: E402

    BACKEND = keras.backend.backend()

layers = keras.layers

# One thread per op keeps the numbers stable between runs (the lines run side
# by side on a 2-core machine). Op determinism is deliberately NOT enabled: it
# swaps in other kernels and so changes the very error messages we record
# (e.g. "indices[3] = 9 is not in [0, 9)" instead of "Received a label value
# of 9 which is outside the valid range of [0, 9)").
tf.config.threading.set_intra_op_parallelism_threads(1)


def seed(value=0):
    keras.utils.set_random_seed(value)


# ---------------------------------------------------------------- data makers


def blobs(n, d, k, sep=3.0, noise=1.0, seed=0):
    """Gaussian blobs: ``n`` samples of ``d`` features, labels 0..k-1 balanced."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, sep, (k, d))
    y = np.arange(n) % k
    rng.shuffle(y)
    x = centers[y] + rng.normal(0.0, noise, (n, d))
    return x.astype("float32"), y.astype("int64")


def split(x, y, n_val):
    return (x[:-n_val], y[:-n_val]), (x[-n_val:], y[-n_val:])


def one_hot(y, k):
    return np.eye(k, dtype="float32")[y]


def images(n, size, channels, k, seed=0):
    """Images in [0, 1] whose mean colour/brightness depends on the class."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    rng.shuffle(y)
    base = rng.uniform(0.1, 0.9, (k, 1, 1, channels))
    x = base[y] + rng.normal(0.0, 0.05, (n, size, size, channels))
    return np.clip(x, 0.0, 1.0).astype("float32"), y.astype("int64")


def unknown_shape_dataset(x, y, batch=32):
    """A ``tf.data`` pipeline (``from_generator``) whose label spec is all-``None``: Keras can't see the label shape."""

    def gen():
        for i in range(0, len(x), batch):
            yield x[i : i + batch].astype("float32"), y[i : i + batch].astype("float32")

    spec = (tf.TensorSpec((None,) + x.shape[1:], tf.float32), tf.TensorSpec((None,) * y.ndim, tf.float32))
    return tf.data.Dataset.from_generator(gen, output_signature=spec)


def image_dir(k, per_class, size=8, seed=0):
    """A temp directory ``class_XX/img_YYY.png`` of tiny RGB images; returns its path."""
    from PIL import Image

    root = tempfile.mkdtemp(prefix="kls_images_")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    x, y = images(k * per_class, size, 3, k, seed=seed)
    for i, (img, label) in enumerate(zip(x, y)):
        folder = os.path.join(root, f"class_{label:02d}")
        os.makedirs(folder, exist_ok=True)
        Image.fromarray((img * 255).astype("uint8")).save(os.path.join(folder, f"img_{i:04d}.png"))
    return root


def image_data_generator():
    """``ImageDataGenerator`` as a beginner reaches it on this line (``tf.keras``)."""
    return tf.keras.preprocessing.image.ImageDataGenerator


# ------------------------------------------------------------ models and fit


def mlp(d, units, activation=None, hidden=32):
    seed()
    return keras.Sequential(
        [keras.Input((d,)), layers.Dense(hidden, activation="relu"), layers.Dense(units, activation=activation)]
    )


def fit(model, x, y=None, *, epochs, batch_size=32, **kwargs):
    """Fit silently; return ``{"history": {...}, "final": {...}}`` (last epoch)."""
    if isinstance(x, np.ndarray):
        kwargs["batch_size"] = batch_size
    hist = model.fit(x, y, epochs=epochs, verbose=0, **kwargs).history
    hist = {key: [float(v) for v in values] for key, values in hist.items()}
    return {"history": hist, "final": {key: values[-1] for key, values in hist.items()}}


def resolved_accuracy(model):
    """Name of the function behind the compiled metric named 'accuracy' (e.g. 'binary_accuracy')."""
    seen, todo = set(), list(model.metrics)
    while todo:
        m = todo.pop(0)
        if id(m) in seen:
            continue
        seen.add(id(m))
        fn = getattr(m, "_fn", None)
        if getattr(m, "name", None) in ("accuracy", "acc") and fn is not None:
            return getattr(fn, "__name__", type(m).__name__)
        for attr in ("metrics", "_metrics", "_flat_metrics", "_user_metrics"):
            sub = getattr(m, attr, None)
            if isinstance(sub, (list, tuple)):
                todo.extend(s for s in sub if hasattr(s, "name"))
    return None


def binary_accuracy_broadcast(y_true, y_pred):
    """What 'binary_accuracy' computes when (N, 1) predictions broadcast against (N, K) labels."""
    return float(np.mean(np.asarray(y_true) == (np.asarray(y_pred) > 0.5)))


# ------------------------------------------------------- capturing outcomes

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LAYER_SUFFIX = re.compile(
    r"\b(dense|sequential|conv2d|max_pooling2d|flatten|functional|input_layer|input|keras_tensor|model"
    r"|activation|global_average_pooling2d)(?:_\d+)+\b"
)
_GENERIC = re.compile(
    r"^(Graph execution error|Exception encountered when calling|in user code|Detected at node|File \"|"
    r"Traceback|\[\[|Call arguments received|Arguments received by)"
)


def normalise(text):
    text = _ANSI.sub("", text)
    text = re.sub(r"0x[0-9a-fA-F]+", "0x...", text)
    text = _LAYER_SUFFIX.sub(r"\1", text)
    text = re.sub(r"\s+Label values:.*", "", text)  # the batch's labels: noise
    text = re.sub(r"\s*\[Op:\S+\]", "", text)
    text = re.sub(r"(\[\[\{\{node )[^}]*", r"\1...", text)
    return text.strip()


def error_line(exc):
    """The first informative line of an exception's message, normalised.

    TensorFlow and Keras wrap the real message in generic headers ("Graph
    execution error:", "in user code:", "Exception encountered when calling
    ...") and tracebacks; those are skipped.
    """
    lines = [line for line in _ANSI.sub("", str(exc)).splitlines() if line.strip()]
    if lines and lines[0].startswith("in user code:"):  # tf_keras: traceback, then "    ValueError: <message>"
        for i in range(len(lines) - 1, -1, -1):
            m = re.match(r"\s*[\w.]+(?:Error|Exception|Warning): (.*)", lines[i])
            if m:
                lines = [m.group(1)] + [line.strip() for line in lines[i + 1 :]]
                break
    for line in lines:
        if line[:1].isspace() or _GENERIC.match(line.strip()):
            continue
        return normalise(line)
    return normalise(lines[0]) if lines else ""


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


# Warnings about the harness, not about the configuration under test.
_NOISE = re.compile(
    r"(^Your input ran out of data|^Local rendezvous|triggered tf\.function retracing|^`shuffle=True` was passed)"
)


@contextlib.contextmanager
def _capture(rec):
    handler = _Records()
    loggers = [logging.getLogger(name) for name in ("", "tensorflow", "absl", "keras")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        found = []
        for text in [str(w.message) for w in caught] + handler.messages:
            lines = [line for line in _ANSI.sub("", text).splitlines() if line.strip()]
            first = normalise(lines[0]) if lines else ""
            if first and first not in found and not _NOISE.search(first):
                found.append(first)
        if found:
            rec["warnings"] = found


def attempt(fn):
    """Run ``fn(rec)`` and return the variant dict ``rec``.

    ``fn`` fills ``rec`` with whatever it measures (and may fill some before
    raising). The outcome, the exception (type and first informative line)
    and the warnings Keras/TensorFlow emitted are added here.
    """
    rec = {}
    with _capture(rec):
        try:
            fn(rec)
            rec["outcome"] = "trains"
        except Exception as exc:  # noqa: BLE001 - recording *what* raises is the point
            rec.update(outcome="raises", error_type=type(exc).__name__, error=error_line(exc))
    return rec
