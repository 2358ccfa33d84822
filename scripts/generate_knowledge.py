#!/usr/bin/env python
"""Generate kerasls's Keras knowledge base by introspecting a real install.

kerasls never imports TensorFlow at run time.  Everything it "knows" about
Keras signatures, loss/metric/activation identifiers and Keras 2 -> Keras 3
differences is produced here, from a real TensorFlow + Keras 3 + tf_keras
environment, and shipped as ``kerasls/knowledge/generated.json``.

Usage::

    python scripts/generate_knowledge.py [--output PATH] [--check]

``--check`` regenerates into memory and exits 1 (with a short diff summary)
when the shipped file differs.

The parent process never imports TensorFlow: it re-runs this script in a
child process (``--emit PATH``) with TF logging silenced, forwards the
child's ``note:`` lines (things that could not be introspected) to stderr and
drops TensorFlow's own log noise.  Keras 3 is used through ``keras``; Keras 2
behaviour through importing ``tf_keras`` directly.

The ``applications`` section also records, for every ``keras.applications``
model, the parameter counts with and without the classifier top, the default
input size and the no-top output shape for a list of square input sizes.
Those ~500 model builds run in a pool of worker processes (about two
minutes on 2 CPUs), concurrently with the other sections.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "kerasls" / "knowledge" / "generated.json"
NOTE_PREFIX = "note: "
REGENERATE_HINT = "regenerate with: python scripts/generate_knowledge.py"

# Accuracy-resolution grid (all combinations are recorded).
Y_PRED_WIDTHS = (1, 2, 42)
Y_TRUE_SHAPES = ((None,), (None, 1), (None, 2), (None, 42))

PIPELINE_FUNCTIONS = (
    "image_dataset_from_directory",
    "text_dataset_from_directory",
    "audio_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
)
IMAGE_DATA_GENERATOR_METHODS = ("flow", "flow_from_dataframe", "flow_from_directory")
REMOVED_MODEL_METHODS = ("fit_generator", "evaluate_generator", "predict_generator")
ACTIVATION_SCAN_MODULES = ("tensorflow", "tensorflow.nn", "tensorflow.math")

# Square RGB input sizes probed for every keras.applications model built with
# include_top=False (only the sizes the constructor accepts are recorded).
# Each application's own default size is probed as well.  (The longer list
# 96..600 -- adding 192, 200, 260, 384, 456, 480, 512, 528, 600 -- took the
# generator to ~4.5 minutes on 2 CPUs; every model accepted every size.)
APPLICATION_SIZES = (96, 128, 150, 160, 180, 224, 240, 256, 299, 300, 331, 380)


# --------------------------------------------------------------------------
# Small helpers (no TensorFlow needed)
# --------------------------------------------------------------------------


def note(message: str) -> None:
    """Report something that could not be introspected (stderr)."""
    print(NOTE_PREFIX + message, file=sys.stderr)


_MISSING = object()


def to_json_value(value):
    """Return a JSON-representable copy of *value*, or _MISSING."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _MISSING
    if isinstance(value, (tuple, list)):
        items = [to_json_value(v) for v in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    return _MISSING


def signature_info(func, skip_first: bool = False) -> dict:
    """``{"params": [...], "defaults": {...}}`` of a callable.

    Excludes ``self`` (when *skip_first*), ``*args`` and ``**kwargs``; keeps
    only JSON-representable defaults.
    """
    sig = inspect.signature(func)
    params, defaults = [], {}
    parameters = list(sig.parameters.values())
    if skip_first and parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    for p in parameters:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        params.append(p.name)
        if p.default is not p.empty:
            value = to_json_value(p.default)
            if value is not _MISSING:
                defaults[p.name] = value
    return {"params": params, "defaults": defaults}


def class_signature(cls) -> dict:
    return signature_info(cls.__init__, skip_first=True)


def public_names(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def sanitize_message(text: str) -> str:
    """Remove memory addresses so exception messages are deterministic."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def identifier_variants(names) -> set[str]:
    """Candidate strings for ``*.get()``: names plus case/style variants."""
    from keras.src.utils.naming import to_snake_case

    out = set()
    for name in names:
        if not isinstance(name, str) or not name or name.startswith("_"):
            continue
        snake = to_snake_case(name)
        camel = "".join(part.capitalize() for part in snake.split("_"))
        out.update({name, name.lower(), name.upper(), snake, snake.upper(), camel})
    return out


@contextlib.contextmanager
def quiet():
    """Swallow stdout/stderr chatter and warnings from probed calls."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield


def try_call(func, *args, **kwargs):
    """Call *func*; return (ok, result_or_exception)."""
    try:
        with quiet():
            return True, func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - probing is the point
        return False, exc


def wrapped_function_name(obj):
    """Name of the function a Loss/Metric wrapper instance (or function) wraps."""
    if inspect.isfunction(obj):
        return obj.__name__
    for attr in ("fn", "_fn"):
        fn = getattr(obj, attr, None)
        if callable(fn) and hasattr(fn, "__name__"):
            return fn.__name__
    return None


# --------------------------------------------------------------------------
# Sections (run in the child process; TensorFlow imported lazily)
# --------------------------------------------------------------------------


def collect_versions() -> dict:
    import keras
    import tensorflow as tf
    import tf_keras

    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "tf_keras": tf_keras.__version__,
    }


def _layer_table(layers_module) -> dict:
    """{public name: (class name, signature info)} for one layers module."""
    base = layers_module.Layer
    table = {}
    for name in public_names(layers_module):
        obj = getattr(layers_module, name)
        try:
            if inspect.isclass(obj) and issubclass(obj, base):
                table[name] = (obj.__name__, class_signature(obj))
            elif name == "Input":
                table[name] = (obj.__name__, signature_info(obj))
        except (TypeError, ValueError) as exc:
            note(f"layers: cannot introspect {layers_module.__name__}.{name}: {exc}")
    return table


def collect_layers() -> dict:
    import keras
    import tf_keras

    k3 = _layer_table(keras.layers)
    k2 = _layer_table(tf_keras.layers)
    out = {}
    for name in sorted(set(k3) | set(k2)):
        if name in k3:
            cls_name, info = k3[name]
        else:
            cls_name, info = k2[name]
        entry = {"class": cls_name, "params": info["params"], "defaults": info["defaults"]}
        if name in k3 and name in k2:
            k2_params = k2[name][1]["params"]
            if k2_params[:4] != info["params"][:4]:
                entry["tf_keras_params"] = k2_params
        elif name in k3:
            entry["only_in"] = "keras3"
        else:
            entry["only_in"] = "tf_keras"
            entry["tf_keras_params"] = info["params"]
        out[name] = entry
    return out


def _resolve_strings(get, candidates, accept) -> dict:
    """Probe ``get(s)`` for every candidate string; keep the accepted ones.

    *accept(result)* returns the canonical name or None to reject.
    """
    out = {}
    for s in sorted(candidates):
        ok, result = try_call(get, s)
        if not ok:
            continue
        canonical = accept(result)
        if canonical is None:
            continue
        out[s] = canonical
    return out


def collect_losses() -> dict:
    import keras
    import tf_keras
    from keras.src import losses as k3_losses_src
    from tf_keras.src import losses as k2_losses_src

    registry = k3_losses_src.ALL_OBJECTS_DICT
    api_module = keras.losses.get.__module__  # get/serialize/deserialize live here

    # Public loss functions, plus the function aliases Keras registers
    # (mse, bce, kld, ...; Keras 3 resolves them but does not export them).
    functions = {}
    for name in public_names(keras.losses):
        obj = getattr(keras.losses, name)
        if inspect.isfunction(obj) and obj.__module__ != api_module:
            functions[name] = obj.__name__
    for key, obj in registry.items():
        if inspect.isfunction(obj):
            functions.setdefault(key, obj.__name__)

    classes = {}
    for name in public_names(keras.losses):
        obj = getattr(keras.losses, name)
        if inspect.isclass(obj) and issubclass(obj, keras.losses.Loss):
            ok, inst = try_call(obj)
            if not ok:
                note(f"losses: {name}() needs arguments; wrapped function unknown")
            entry = {"function": wrapped_function_name(inst) if ok else None}
            entry.update(class_signature(obj))
            classes[name] = entry

    def make_accept(loss_base, public_module):
        # Loss functions = public functions of the losses module, minus its
        # get/serialize/deserialize API (tf_keras resolves strings against the
        # whole module namespace, so these would otherwise "resolve").
        api = [getattr(public_module, n, None) for n in ("get", "serialize", "deserialize")]
        loss_functions = [
            obj
            for obj in (getattr(public_module, n) for n in public_names(public_module))
            if inspect.isfunction(obj) and not any(obj is a for a in api)
        ]

        def accept(result):
            if isinstance(result, loss_base):
                return wrapped_function_name(result)  # None for the bare base class
            if any(result is f for f in loss_functions):
                return result.__name__
            return None

        return accept

    k3_candidates = identifier_variants(list(registry) + public_names(keras.losses) + list(functions) + list(classes))
    strings = _resolve_strings(keras.losses.get, k3_candidates, make_accept(keras.losses.Loss, keras.losses))

    k2_candidates = identifier_variants(list(vars(k2_losses_src)) + public_names(tf_keras.losses) + list(k3_candidates))
    tf_keras_strings = _resolve_strings(
        tf_keras.losses.get,
        k2_candidates,
        make_accept(tf_keras.losses.Loss, tf_keras.losses),
    )
    return {
        "functions": functions,
        "classes": classes,
        "strings": strings,
        "tf_keras_strings": tf_keras_strings,
    }


def _metric_canonical(result):
    """Canonical metric name: wrapped function, else Keras's snake-case class name."""
    from keras.src.utils.naming import to_snake_case

    name = wrapped_function_name(result)
    if name is not None:
        return name
    if inspect.isfunction(result):
        return result.__name__
    return to_snake_case(type(result).__name__)


def _accuracy_cases_keras3() -> list:
    import keras
    from keras.src.trainers import compile_utils

    cases = []
    for width in Y_PRED_WIDTHS:
        for y_true_shape in Y_TRUE_SHAPES:
            y_true = keras.KerasTensor(y_true_shape, dtype="float32")
            y_pred = keras.KerasTensor((None, width), dtype="float32")
            with quiet():
                metric = compile_utils.get_metric("accuracy", y_true, y_pred)
            cases.append(
                {
                    "y_true": list(y_true_shape),
                    "y_pred": [None, width],
                    "metric": _metric_canonical(metric),
                }
            )
    return cases


def _accuracy_cases_tf_keras() -> list:
    import tensorflow as tf
    from tf_keras.src.engine import compile_utils

    container = compile_utils.MetricsContainer(metrics=["accuracy"])
    cases = []
    for width in Y_PRED_WIDTHS:
        for y_true_shape in Y_TRUE_SHAPES:
            y_true = tf.TensorSpec(y_true_shape, tf.float32)
            y_pred = tf.TensorSpec((None, width), tf.float32)
            with quiet():
                metric = container._get_metric_object("accuracy", y_true, y_pred)
            cases.append(
                {
                    "y_true": list(y_true_shape),
                    "y_pred": [None, width],
                    "metric": _metric_canonical(metric),
                }
            )
    return cases


def collect_metrics() -> dict:
    import keras
    from keras.src import metrics as k3_metrics_src

    # compile() resolves these specially (see accuracy_resolution).
    compile_special = {"accuracy", "acc"}

    public_objects = [getattr(keras.metrics, n) for n in public_names(keras.metrics)]

    def accept(result):
        if type(result) is keras.metrics.Metric:
            return None  # the abstract base class: resolves, but cannot compute anything
        if isinstance(result, keras.metrics.Metric) or any(result is o for o in public_objects):
            return _metric_canonical(result)
        return None

    registry = k3_metrics_src.ALL_OBJECTS_DICT
    candidates = identifier_variants(list(registry) + public_names(keras.metrics))
    candidates = {c for c in candidates if c.lower() not in compile_special}
    strings = _resolve_strings(keras.metrics.get, candidates, accept)
    if "Metric" in registry and "Metric" not in strings:
        note("metrics: 'Metric'/'metric' resolve to the abstract base class; not recorded")
    needs_args = [
        key
        for key in sorted(registry)
        if key not in strings and key.lower() not in compile_special and not try_call(keras.metrics.get, key)[0]
    ]
    if needs_args:
        note(
            "metrics: keras.metrics.get() raises (constructor needs arguments) for "
            + ", ".join(needs_args)
            + "; not recorded in metrics.strings"
        )

    classes = {}
    for name in public_names(keras.metrics):
        obj = getattr(keras.metrics, name)
        if inspect.isclass(obj) and issubclass(obj, keras.metrics.Metric):
            ok, inst = try_call(obj)
            entry = {"function": wrapped_function_name(inst) if ok else None}
            entry.update(class_signature(obj))
            classes[name] = entry

    resolution = {}
    for line, func in (("keras3", _accuracy_cases_keras3), ("tf_keras", _accuracy_cases_tf_keras)):
        try:
            resolution[line] = func()
        except Exception as exc:  # noqa: BLE001
            note(f"metrics: accuracy resolution for {line} failed: {exc!r}")
            resolution[line] = []
    return {"strings": strings, "classes": classes, "accuracy_resolution": resolution}


def _probe_input():
    import numpy as np

    # Wide, asymmetric range so relu/relu6, sigmoid/hard_sigmoid, ... differ.
    values = np.linspace(-11.0, 9.5, 24, dtype="float32").reshape(4, 6)
    values[1] = values[1][::-1]
    return values


def _tf_activation_matches(activation_outputs) -> dict:
    """Dotted tensorflow paths whose op computes a Keras activation."""
    import numpy as np
    import tensorflow as tf

    x = tf.constant(_probe_input())
    out = {}
    for module_path in ACTIVATION_SCAN_MODULES:
        module = tf
        for part in module_path.split(".")[1:]:
            module = getattr(module, part)
        for name in public_names(module):
            obj = getattr(module, name, None)
            if obj is None or inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
                continue
            ok, result = try_call(obj, x)
            if not ok or not tf.is_tensor(result) or result.dtype != tf.float32:
                continue
            try:
                got = result.numpy()
            except Exception:  # noqa: BLE001
                continue
            if got.shape != x.shape:
                continue
            matches = sorted(
                canon
                for canon, expected in activation_outputs.items()
                if expected.shape == got.shape and np.allclose(got, expected, rtol=1e-5, atol=1e-6)
            )
            if not matches:
                continue
            # Several activations can coincide at their defaults (elu == celu
            # with alpha=1): prefer the one the tf function is named after.
            chosen = name if name in matches else matches[0]
            if len(matches) > 1 and name not in matches:
                note(f"activations: {module_path}.{name} matches {matches}; using {chosen}")
            out[f"{module_path}.{name}"] = chosen
    return out


def collect_activations() -> dict:
    import keras
    import tensorflow as tf
    from keras.src import activations as k3_activations_src

    public = [getattr(keras.activations, n) for n in public_names(keras.activations)]

    def accept(result):
        if inspect.isfunction(result) and any(result is o for o in public):
            return result.__name__
        return None

    candidates = identifier_variants(list(k3_activations_src.ALL_OBJECTS_DICT) + public_names(keras.activations))
    names = _resolve_strings(keras.activations.get, candidates, accept)

    # Reference outputs of every canonical activation callable with x alone.
    # 'linear' is left out: identity-like tf functions (identity, stop_gradient,
    # squeeze, ...) would all "match" it.
    x = tf.constant(_probe_input())
    reference = {}
    for canon in sorted(set(names.values())):
        if canon == "linear":
            continue
        ok, result = try_call(keras.activations.get(canon), x)
        if ok:
            reference[canon] = keras.ops.convert_to_numpy(result)
        else:
            note(f"activations: {canon}(x) needs more arguments; no tensorflow match searched")
    return {"names": names, "tensorflow_functions": _tf_activation_matches(reference)}


def _with_tf_keras_variant(k3_info, k2_info) -> dict:
    entry = dict(k3_info)
    if k2_info is not None and k2_info != k3_info:
        entry["tf_keras"] = k2_info
    return entry


def collect_pipelines() -> dict:
    import keras
    import tensorflow as tf
    import tf_keras

    # Keras 3 line: tf.keras re-exports keras.src.legacy's ImageDataGenerator.
    k3_idg = tf.keras.preprocessing.image.ImageDataGenerator
    k2_idg = tf_keras.preprocessing.image.ImageDataGenerator
    out = {"ImageDataGenerator": _with_tf_keras_variant(class_signature(k3_idg), class_signature(k2_idg))}
    for method in IMAGE_DATA_GENERATOR_METHODS:
        k3 = signature_info(getattr(k3_idg, method), skip_first=True)
        k2 = signature_info(getattr(k2_idg, method), skip_first=True)
        out[f"ImageDataGenerator.{method}"] = _with_tf_keras_variant(k3, k2)

    for name in PIPELINE_FUNCTIONS:
        k3_func = getattr(keras.utils, name, None)
        k2_func = getattr(tf_keras.utils, name, None)
        if k3_func is None:
            note(f"pipelines: keras.utils.{name} missing")
            continue
        if k2_func is None:
            note(f"pipelines: tf_keras.utils.{name} missing")
        k2 = signature_info(k2_func) if k2_func is not None else None
        out[name] = _with_tf_keras_variant(signature_info(k3_func), k2)
    return out


def _exception_summary(func, **kwargs) -> str:
    ok, result = try_call(func, **kwargs)
    if ok:
        return "accepted"
    return sanitize_message(f"{type(result).__name__}: {result}")


def collect_removed_in_keras3() -> dict:
    import keras
    import tensorflow as tf
    import tf_keras

    out = {}
    for method in REMOVED_MODEL_METHODS:
        out[f"Model.{method}"] = not hasattr(keras.Model, method) and hasattr(tf_keras.Model, method)

    def has_idg(root):
        try:
            return hasattr(root.preprocessing.image, "ImageDataGenerator")
        except AttributeError:
            return False

    out["keras.preprocessing.image.ImageDataGenerator"] = has_idg(keras)
    out["tensorflow.keras.preprocessing.image.ImageDataGenerator"] = has_idg(tf.keras)
    out["optimizer_lr_argument"] = {
        "keras3": _exception_summary(keras.optimizers.Adam, lr=0.01),
        "tf_keras": _exception_summary(tf_keras.optimizers.Adam, lr=0.01),
    }
    return out


def _parameter_counts(model) -> dict:
    """Keras's model.summary() counts: unique weights, split by trainability."""

    def count(weights):
        seen, total = set(), 0
        for w in weights:
            if id(w) not in seen:
                seen.add(id(w))
                total += math.prod(int(d) for d in w.shape)
        return total

    trainable = count(model.trainable_weights)
    non_trainable = count(model.non_trainable_weights)
    return {
        "total": trainable + non_trainable,
        "trainable": trainable,
        "non_trainable": non_trainable,
    }


def _build_application(ctor, **kwargs) -> dict:
    """Build one keras.applications model (weights=None); its shapes and counts.

    Built inside a StatelessScope that leaves the variables uninitialised:
    shapes and parameter counts only need the variables' shapes, and
    skipping the initialisation of up to 350M weights makes the sweep
    affordable.
    """
    import keras

    try:
        with quiet(), keras.StatelessScope(initialize_variables=False):
            model = ctor(weights=None, **kwargs)
        return {
            "input": [None if d is None else int(d) for d in model.input_shape[1:]],
            "output": [None if d is None else int(d) for d in model.output_shape[1:]],
            "params": _parameter_counts(model),
        }
    except Exception as exc:  # noqa: BLE001 - a rejected size is a result
        return {"error": sanitize_message(f"{type(exc).__name__}: {exc}")[:300]}
    finally:
        keras.backend.clear_session()


def _application_job(job) -> list:
    """Worker: the builds of one job, as ``[((name, key), result), ...]``.

    ``(name, size)`` builds include_top=False (pooling=None) at
    ``(size, size, 3)``.  ``(name, None)`` builds include_top=True at the
    default input size (key ``"top"``) and, when that default is square and
    not in APPLICATION_SIZES, include_top=False at the default size too.
    """
    name, size = job
    import keras

    ctor = getattr(keras.applications, name)
    if size is not None:
        result = _build_application(ctor, include_top=False, input_shape=(size, size, 3))
        return [((name, size), result)]
    top = _build_application(ctor, include_top=True)
    out = [((name, "top"), top)]
    h, w = (top.get("input") or [None, None])[:2]
    if h is not None and h == w and h not in APPLICATION_SIZES:
        result = _build_application(ctor, include_top=False, input_shape=(h, w, 3))
        out.append(((name, h), result))
    return out


def _application_worker_init() -> None:
    """Import Keras once per worker, then freeze the GC's view of it.

    Every build ends with keras.backend.clear_session(), whose gc.collect()
    would otherwise rescan all of TensorFlow's objects each time (about half
    of a small model's build time).
    """
    import gc

    warnings.simplefilter("ignore")
    import keras  # noqa: F401

    gc.freeze()


def _application_jobs(names) -> list:
    return [(name, size) for name in names for size in (None, *APPLICATION_SIZES)]


# Rough relative build cost (about the layer count), for scheduling only.
_HEAVY_APPLICATIONS = (
    "NASNetLarge",
    "EfficientNetV2L",
    "EfficientNetB7",
    "InceptionResNetV2",
    "EfficientNetB6",
    "EfficientNetV2M",
    "DenseNet201",
    "EfficientNetB5",
    "ResNet152",
    "ResNet152V2",
    "DenseNet169",
    "EfficientNetB4",
)


def _application_cost(name: str) -> int:
    heavy = _HEAVY_APPLICATIONS
    return len(heavy) - heavy.index(name) if name in heavy else 0


def start_application_measurements(names):
    """Start building every (application, size) in a pool of worker processes.

    Returns a zero-argument callable that waits and returns
    ``{(name, size or "top"): result}``.  The ~500 builds are pure-Python
    Keras work, so they are spread over the CPUs (spawned workers:
    TensorFlow is not fork-safe) while the parent introspects the other
    sections.
    """
    import multiprocessing

    jobs = _application_jobs(names)
    # Big models first, so the pool does not end waiting on one straggler.
    jobs.sort(key=lambda job: (-_application_cost(job[0]), job[0], job[1] or 0))
    workers = max(1, min(len(jobs), os.cpu_count() or 1, 8))
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_application_worker_init)
    pending = pool.map_async(_application_job, jobs, chunksize=1)

    def finish() -> dict:
        try:
            return {key: result for batch in pending.get() for key, result in batch}
        finally:
            pool.close()
            pool.join()

    return finish


def application_shapes(name: str, results: dict) -> dict:
    """The shape/parameter fields of one ``applications`` entry."""
    out = {}
    top = results[(name, "top")]
    if "error" in top:
        note(f"applications: {name}(include_top=True, weights=None) failed: {top['error']}")
    else:
        out["default_input"] = top["input"]
        out["params_top"] = top["params"]
    sizes = sorted(key for (n, key) in results if n == name and key != "top")
    outputs, params = {}, {}
    for size in sizes:
        result = results[(name, size)]
        if "error" in result:
            note(f"applications: {name} rejects {size}x{size}: {result['error'][:120]}")
            continue
        outputs[f"{size}x{size}"] = result["output"]
        params[size] = result["params"]
    if outputs:
        out["output_no_top"] = outputs
        channels = {shape[-1] for shape in outputs.values()}
        if len(channels) == 1:
            out["channels_no_top"] = channels.pop()
        else:
            note(f"applications: {name} output channels vary with the input size")
    # params_no_top: at the default input size (MobileNetV3 has none: its
    # default input is (None, None, 3)), else the most common count.  Sizes
    # whose count differs would be listed separately (none do in Keras 3.15).
    if params:
        default = out.get("default_input", [None])[0]
        counts = [json.dumps(p, sort_keys=True) for p in params.values()]
        reference = params.get(default) or json.loads(max(sorted(set(counts)), key=counts.count))
        out["params_no_top"] = reference
        differing = {f"{s}x{s}": p for s, p in params.items() if p != reference}
        if differing:
            out["params_no_top_by_size"] = differing
            note(f"applications: {name} no-top parameter count depends on the input size")
    return out


def collect_applications(shapes: dict | None = None) -> dict:
    import keras

    apps = keras.applications
    submodules = [n for n in public_names(apps) if inspect.ismodule(getattr(apps, n))]
    out = {}
    for name in public_names(apps):
        obj = getattr(apps, name)
        if inspect.ismodule(obj) or not callable(obj):
            continue
        homes = [m for m in submodules if getattr(getattr(apps, m), name, None) is obj]
        defining = obj.__module__.rsplit(".", 1)[-1]
        if homes:
            module = name.lower() if name.lower() in homes else homes[0]
        elif defining in submodules:
            # e.g. mobilenet_v3 exports only preprocess_input/decode_predictions
            module = defining
        else:
            note(f"applications: no public submodule for {name}")
            module = None
        try:
            info = signature_info(obj)
        except (TypeError, ValueError) as exc:
            note(f"applications: cannot introspect {name}: {exc}")
            continue
        out[name] = {"module": module, **info}
        if shapes is not None:
            out[name].update(application_shapes(name, shapes))
    return out


def application_names() -> list[str]:
    import keras

    apps = keras.applications
    return [n for n in public_names(apps) if not inspect.ismodule(getattr(apps, n)) and callable(getattr(apps, n))]


SECTIONS = (
    ("versions", collect_versions),
    ("layers", collect_layers),
    ("losses", collect_losses),
    ("metrics", collect_metrics),
    ("activations", collect_activations),
    ("pipelines", collect_pipelines),
    ("removed_in_keras3", collect_removed_in_keras3),
    ("applications", collect_applications),
)


def collect_all() -> dict:
    # The application sweep (hundreds of model builds) runs in worker
    # processes while the other sections are introspected here.
    finish_applications = start_application_measurements(application_names())
    data = {}
    for key, func in SECTIONS:
        try:
            if key == "applications":
                data[key] = func(finish_applications())
            else:
                data[key] = func()
        except Exception as exc:  # noqa: BLE001
            note(f"section {key!r} failed: {exc!r}")
            raise
    return data


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n"


# --------------------------------------------------------------------------
# Parent process: run the child, write or check
# --------------------------------------------------------------------------


def generate_text() -> str:
    """Run the introspection in a child interpreter; return the JSON text."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    env.pop("TF_USE_LEGACY_KERAS", None)  # keras must be Keras 3; tf_keras is imported directly
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env["CUDA_VISIBLE_DEVICES"] = "-1"
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "generated.json"
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--emit", str(out_path)],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not out_path.exists():
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"introspection failed (exit {proc.returncode})")
        for line in proc.stderr.splitlines():
            if line.startswith(NOTE_PREFIX):
                print(line, file=sys.stderr)
        return out_path.read_text(encoding="utf-8")


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}/{k}" if prefix else str(k))
    else:
        yield prefix, value


def _short(value, width: int = 60) -> str:
    text = json.dumps(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def diff_summary(old_text: str, new_text: str, limit: int = 20) -> list[str]:
    try:
        old = dict(_flatten(json.loads(old_text)))
    except ValueError:
        return ["shipped file is not valid JSON"]
    new = dict(_flatten(json.loads(new_text)))
    lines = []
    for path in sorted(set(old) | set(new)):
        if path not in new:
            lines.append(f"- {path}")
        elif path not in old:
            lines.append(f"+ {path}")
        elif old[path] != new[path]:
            lines.append(f"~ {path}: {_short(old[path])} -> {_short(new[path])}")
    if not lines:
        lines.append("(formatting differs only)")
    if len(lines) > limit:
        lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the shipped file differs from a fresh generation",
    )
    parser.add_argument("--emit", type=Path, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args(argv)

    if args.emit is not None:
        args.emit.write_text(render(collect_all()), encoding="utf-8")
        return 0

    text = generate_text()
    if args.check:
        try:
            shipped = args.output.read_text(encoding="utf-8")
        except FileNotFoundError:
            print(f"{args.output} does not exist; {REGENERATE_HINT}", file=sys.stderr)
            return 1
        if shipped == text:
            print(f"{args.output} is up to date")
            return 0
        print(f"{args.output} is stale; {REGENERATE_HINT}", file=sys.stderr)
        for line in diff_summary(shipped, text):
            print("  " + line, file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
