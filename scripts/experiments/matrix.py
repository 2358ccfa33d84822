"""Measure a whole matrix of Keras configurations, under Keras 3 and Keras 2 (``tf_keras``).

One configuration = one small complete training run: labels (kind, class count K), the final
``Dense(units, activation)``, the loss (``from_logits``) and the data pipeline; every run also
compiles the four accuracy metrics. Each record says whether ``fit`` raises (error type, first
informative line, stage, and a template of the message with named placeholders) or trains
(per-epoch loss/metrics, derived facts, and the real accuracy measured independently).

    python scripts/experiments/matrix.py --all --out scripts/experiments/matrix_results.json
    python scripts/experiments/matrix.py --all --limit 1000 --line keras3 --out /tmp/m.json
    python scripts/experiments/matrix.py --configs keys.json --out /tmp/m.json
    python scripts/experiments/matrix.py --filter labels=one_hot,pipeline=arrays --out /tmp/m.json
    python scripts/experiments/matrix.py --all --limit 200 --verify 60 --out /tmp/v.json

Python API (the part above "Runner" never imports TensorFlow)::

    from scripts.experiments.matrix import Config, enumerate_space, run_configs, measure
    configs = enumerate_space(labels=["one_hot"], pipelines=["arrays"])
    results = measure(configs)                      # {"keras3": {key: record}, "tf_keras": {...}}
    results = run_configs(configs, "tf_keras")      # in this process (TensorFlow not imported yet,
                                                    # or imported for that same line)

See MATRIX.md for the record schema and how templates are verified.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import io
import json
import math
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The names kerasls keys its measured outcomes by (kerasls/rules/setups.py): one vocabulary for both.
from kerasls.rules.setups import ACTIVATIONS, LOGIT_LOSSES, METRICS  # noqa: E402

DEFAULT_OUTPUT = ROOT / "scripts" / "experiments" / "matrix_results.json"
FORMAT = 1

LINES = ("keras3", "tf_keras")
CHILD_ENV = {
    "keras3": {"TF_USE_LEGACY_KERAS": "0", "KERAS_BACKEND": "tensorflow"},
    "tf_keras": {"TF_USE_LEGACY_KERAS": "1", "KERAS_BACKEND": "tensorflow"},
}

# ------------------------------------------------------------------ the space

CLASS_LABELS = ("integer", "integer_column", "one_hot", "multi_hot")
BINARY_LABELS = ("binary", "binary_column")
REGRESSION_LABELS = ("continuous", "continuous_column")
LABELS = CLASS_LABELS + BINARY_LABELS + REGRESSION_LABELS
CORE_LOSSES = (
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
)
EXTRA_LOSSES = ("binary_focal_crossentropy", "hinge", "poisson", "kl_divergence")
LOSSES = CORE_LOSSES + EXTRA_LOSSES
PIPELINES = ("arrays", "dataset", "dataset_unknown_shape", "directory_iterator")
DIRECTORY_CLASS_MODE = {"integer": "sparse", "one_hot": "categorical", "binary": "binary"}
CLASS_KS = (3, 10)
LARGE_K = 42
NEUTRAL_LOSS = "kls_neutral"  # screens only: a loss that never looks at the labels

_FIELDS = ("labels", "K", "units", "activation", "loss", "from_logits", "pipeline")


@dataclass(frozen=True, order=True)
class Config:
    """One configuration. ``K`` is the class count (2 for binary labels, ``None`` for regression)."""

    labels: str
    K: int | None
    units: int
    activation: str  # "linear" means Dense(units) without activation
    loss: str
    from_logits: bool
    pipeline: str

    def key(self) -> str:
        """Stable string, e.g. ``labels=one_hot,K=10,units=1,activation=sigmoid,...,pipeline=arrays``."""
        return ",".join(f"{name}={_fmt(getattr(self, name))}" for name in _FIELDS)

    @classmethod
    def from_key(cls, key: str) -> Config:
        parts = dict(item.split("=", 1) for item in key.split(","))
        return cls(
            labels=parts["labels"],
            K=None if parts["K"] == "none" else int(parts["K"]),
            units=int(parts["units"]),
            activation=parts["activation"],
            loss=parts["loss"],
            from_logits=parts["from_logits"] == "true",
            pipeline=parts["pipeline"],
        )

    @classmethod
    def from_dict(cls, d: dict) -> Config:
        return cls(**{name: d[name] for name in _FIELDS})

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)

    @property
    def kind(self) -> str:
        """'class' (K >= 3 classes), 'binary' or 'regression'."""
        if self.labels in BINARY_LABELS:
            return "binary"
        if self.labels in REGRESSION_LABELS:
            return "regression"
        return "class"

    def relation(self) -> str:
        """How ``units`` relates to K: '1', '2', 'K', 'K-1', 'K+1' (else the number)."""
        if self.K is None or self.units in (1, 2):
            return str(self.units)
        return {self.K: "K", self.K - 1: "K-1", self.K + 1: "K+1"}.get(self.units, str(self.units))

    def family(self) -> str:
        """The key with K left open and units as a relation: configurations that should fail alike."""
        return self.key().replace(f"K={_fmt(self.K)},units={self.units}", f"K=*,units={self.relation()}")

    def screen_key(self) -> str:
        """What the metric screen depends on: labels, K, units and pipeline (numpy arrays and
        ``from_tensor_slices(...).batch()`` give Keras the same element spec: one screen)."""
        pipeline = "arrays+dataset" if self.pipeline in ("arrays", "dataset") else self.pipeline
        return f"labels={self.labels},K={_fmt(self.K)},units={self.units},pipeline={pipeline}"


def _fmt(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def units_for(labels: str, K: int | None) -> tuple[int, ...]:
    """1, 2, K, and the wrong K-1/K+1 (only where they differ from 1 and 2)."""
    if labels in REGRESSION_LABELS:
        return (1, 2, 3)
    values = {1, 2, K, K + 1} | ({K - 1} if K - 1 > 2 else set())
    return tuple(sorted(values))


def loss_variants(losses) -> list[tuple[str, bool]]:
    return [(loss, fl) for loss in losses for fl in ((False, True) if loss in LOGIT_LOSSES else (False,))]


def enumerate_space(
    *,
    labels=None,
    K=None,
    units=None,
    activations=None,
    losses=None,
    from_logits=None,
    pipelines=None,
    extra_losses=False,
    large_k=True,
    where=None,
) -> list[Config]:
    """The default space (sorted by key), optionally filtered.

    Every filter is an iterable of allowed values (``None``: all). ``extra_losses`` adds
    binary_focal_crossentropy, hinge, poisson and kl_divergence; ``large_k`` adds a few K=42
    configurations (integer/one-hot labels, units 1 and 42, linear/sigmoid/softmax, no
    dataset pipeline with a known shape). ``where`` is a final predicate on Config.
    """
    loss_names = CORE_LOSSES + (EXTRA_LOSSES if extra_losses else ())
    out = set()

    def add(lab, k, us, acts, variants, pipes):
        for u in us:
            for act in acts:
                for loss, fl in variants:
                    for pipe in pipes:
                        if pipe == "directory_iterator" and lab not in DIRECTORY_CLASS_MODE:
                            continue
                        out.add(Config(lab, k, u, act, loss, fl, pipe))

    variants = loss_variants(loss_names)
    for lab in LABELS:
        ks = CLASS_KS if lab in CLASS_LABELS else (2,) if lab in BINARY_LABELS else (None,)
        for k in ks:
            add(lab, k, units_for(lab, k), ACTIVATIONS, variants, PIPELINES)
    if large_k:
        for lab in ("integer", "one_hot"):
            add(
                lab,
                LARGE_K,
                (1, LARGE_K),
                ("linear", "sigmoid", "softmax"),
                loss_variants(CORE_LOSSES),
                ("arrays", "dataset_unknown_shape", "directory_iterator"),
            )

    def keep(c):
        for name, allowed in (
            ("labels", labels),
            ("K", K),
            ("units", units),
            ("activation", activations),
            ("loss", losses),
            ("from_logits", from_logits),
            ("pipeline", pipelines),
        ):
            if allowed is not None and getattr(c, name) not in set(allowed):
                return False
        return where is None or where(c)

    return sorted((c for c in out if keep(c)), key=Config.key)


def sample(configs, n, seed=0):
    """A deterministic, spread-out subset of ``n`` configurations (sorted by key)."""
    configs = sorted(configs, key=Config.key)
    if n is None or n >= len(configs):
        return configs
    return sorted(random.Random(seed).sample(configs, n), key=Config.key)


# --------------------------------------------------------------- experimental numbers


@dataclass(frozen=True)
class Settings:
    """Sizes and training hyper-parameters. The numbers are chosen so that none of them equals a
    K or units value of the space (error templates can then tell them apart)."""

    name: str = "default"
    features: int = 7  # D (inputs of the MLP)
    hidden: int = 17  # width of the hidden Dense (it shows in gradient shape errors)
    batch: int = 24
    n_train: int = 110  # 4 full batches + 14: the batch dimension stays None in graphs
    n_val: int = 39
    n_train_large: int = 350  # K=42 (last batch 14 again)
    n_val_large: int = 87
    n_test: int = 600  # independent test set for the real accuracy (not seen by fit)
    image_size: int = 5  # directory_iterator: 5x5 RGB PNGs
    per_class: int = 19  # images per class folder; validation_split takes int(0.25 * 19) = 4
    validation_split: float = 0.25
    epochs: int = 3
    learning_rate: float = 0.02  # Adam
    seed: int = 0

    def sizes(self, config: Config) -> tuple[int, int]:
        if config.pipeline == "directory_iterator":
            val = int(self.validation_split * self.per_class)
            k = config.K or 2
            return k * (self.per_class - val), k * val
        if config.K is not None and config.K > 20:
            return self.n_train_large, self.n_val_large
        return self.n_train, self.n_val


DEFAULT_SETTINGS = Settings()
# Other numbers, used to check that templates re-render a run made with different numbers.
ALT_SETTINGS = Settings(
    name="alt", features=6, hidden=12, batch=20, n_train=113, n_val=34, n_train_large=353, n_val_large=94, per_class=23
)


def numbers_for(config: Config, settings: Settings = DEFAULT_SETTINGS) -> dict:
    """The placeholders of a configuration's error templates and their values (None: n/a)."""
    n, nv = settings.sizes(config)
    return {
        "units": config.units,
        "K": config.K if config.kind != "regression" else None,
        "K_minus_1": config.K - 1 if config.K else None,
        "batch": settings.batch,
        "last_batch": n % settings.batch or None,
        "N": n,
        "N_val": nv,
        "val_last_batch": nv % settings.batch or None,
        "features": settings.features if config.pipeline != "directory_iterator" else None,
        "hidden": settings.hidden,
    }


# ------------------------------------------------------------------ templates

PLACEHOLDERS = ("units", "K", "K_minus_1", "batch", "last_batch", "N", "N_val", "val_last_batch", "features", "hidden")
_NUM = re.compile(r"(?<![\w.])\d+(?![\w]|\.\d)")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_LITERAL = "literal"


def _order(prefix: str) -> tuple[str, ...]:
    """Placeholder preference for a number, from the words just before it."""
    p = prefix[-32:].lower()
    if re.search(r"(rank|ndim|axis|dim\[|dimension of|dimensions|rank of|rank is)\s*:?\s*\(?$", p):
        return (_LITERAL,) + PLACEHOLDERS
    if re.search(r"label value of\s*$", p):
        return ("K_minus_1", "units", "K") + PLACEHOLDERS + (_LITERAL,)
    if re.search(r"\[0,\s*$", p):
        return ("units", "K") + PLACEHOLDERS + (_LITERAL,)
    return PLACEHOLDERS + (_LITERAL,)


def _split(message: str):
    """(skeleton texts, numbers, prefixes) of a message."""
    texts, numbers, prefixes, last = [], [], [], 0
    for m in _NUM.finditer(message):
        texts.append(message[last : m.start()])
        numbers.append(int(m.group()))
        prefixes.append(message[: m.start()])
        last = m.end()
    texts.append(message[last:])
    return texts, numbers, prefixes


def make_template(message: str, numbers: dict, others=()) -> tuple[str, list[str]]:
    """Replace the configuration's numbers in ``message`` by named placeholders.

    ``others`` are ``(message, numbers)`` of sibling runs (same family, other numbers): a
    placeholder is kept only if it re-renders every sibling whose message has the same wording;
    ambiguous numbers are resolved by them (else by the words before the number). Returns the
    template and the keys of the checks it passed/failed ("self", "cross_k", "mismatch").
    """
    texts, values, prefixes = _split(message)
    comparable = []
    for other_msg, other_numbers in others:
        t, v, _ = _split(other_msg)
        if t == texts:
            comparable.append((v, other_numbers))
    out, mismatch = [texts[0]], False
    for i, value in enumerate(values):
        chosen = None
        for cand in _order(prefixes[i]):
            own = value if cand == _LITERAL else numbers.get(cand)
            if own != value:
                continue
            if all((value if cand == _LITERAL else other_numbers.get(cand)) == v[i] for v, other_numbers in comparable):
                chosen = cand
                break
        if chosen is None:  # no placeholder explains every sibling: keep what explains this run
            mismatch = True
            chosen = next(c for c in _order(prefixes[i]) if (value if c == _LITERAL else numbers.get(c)) == value)
        out.append(str(value) if chosen == _LITERAL else "{" + chosen + "}")
        out.append(texts[i + 1])
    template = "".join(out)
    checks = ["self"] if render(template, numbers) == message else ["self_failed"]
    if comparable:
        checks.append("cross_k_mismatch" if mismatch else "cross_k")
    return template, checks


def render(template: str, numbers: dict) -> str:
    """Fill a template's placeholders (unknown or None values are left as placeholders)."""

    def sub(m):
        value = numbers.get(m.group(1))
        return m.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(sub, template)


def _error_sites(record: dict):
    """(path, error dict) of every error in a record: the loss's and each metric's."""
    if record.get("outcome") == "raises":
        yield ("loss",), record
    for name, m in sorted((record.get("metrics") or {}).items()):
        if m.get("outcome") == "raises":
            yield ("metrics", name), m


def assign_templates(records: dict, settings: Settings = DEFAULT_SETTINGS) -> None:
    """Add ``error_template`` / ``template_checks`` to every error of one line's records, checking
    each template against the configurations of the same family measured at other K."""
    families = {}
    for key, rec in records.items():
        config = Config.from_key(key)
        for path, err in _error_sites(rec):
            families.setdefault((config.family(), path, err.get("error_type")), []).append((config, err))
    for members in families.values():
        for config, err in members:
            numbers = numbers_for(config, settings)
            others = [(e["error"], numbers_for(c, settings)) for c, e in members if c.K != config.K]
            err["error_template"], err["template_checks"] = make_template(err["error"], numbers, others)


# -------------------------------------------------------------- reading records


def fit_outcome(record: dict, metrics=("accuracy",)) -> dict:
    """What ``fit`` does for a user compiling this configuration with ``metrics``.

    The loss's error if it raises, else the error of the first listed metric that raises, else
    ``{"outcome": "trains"}``. (When two metrics raise, which one TensorFlow reports first is
    not guaranteed; this returns the first in the list.)
    """
    if record.get("outcome") == "raises":
        return {k: record[k] for k in ("outcome", "error_type", "error", "error_template", "stage") if k in record}
    for name in metrics:
        m = (record.get("metrics") or {}).get(name)
        if m and m.get("outcome") == "raises":
            return {k: m[k] for k in ("outcome", "error_type", "error", "error_template", "stage") if k in m}
    return {"outcome": "trains"}


FLAGS = ("loss_nan", "loss_negative", "loss_zero", "loss_tiny", "loss_constant", "screen_mismatch")
REAL_FLAGS = ("output_nan", "output_constant", "learns")


def compact(doc: dict) -> dict:
    """The committed form of a results document (``expand`` undoes all but the metric histories):

    * per-epoch metric histories are dropped (``last``, ``val_last``, ``constant`` and
      ``val_constant`` stay; loss histories stay);
    * a metric error copied from the screen becomes ``"screen"`` (the screen has it);
    * an error text that its template re-renders exactly is left out;
    * false flags and ``None`` values are left out, ``accuracy_resolves_to`` too when it is
      the screen's;
    * a ``dataset`` record equal to its ``arrays`` twin becomes ``{"same_as": <arrays key>}``.
    """
    doc = copy.deepcopy(doc)
    for _line, screens in doc.get("screens", {}).items():
        for skey, screen in screens.items():
            numbers = numbers_for(Config.from_key(_screen_config_key(skey)))
            for err in screen["metrics"].values():
                _compact_error(err, numbers)
    for line, records in doc.get("results", {}).items():
        screens = doc.get("screens", {}).get(line, {})
        for key, rec in records.items():
            config = Config.from_key(key)
            numbers = numbers_for(config)
            screen = screens.get(config.screen_key(), {})
            for name, m in list((rec.get("metrics") or {}).items()):
                if m.get("source") == "screen" and m.get("outcome") == "raises":
                    rec["metrics"][name] = "screen"
                    continue
                m.pop("train", None)
                m.pop("val", None)
                if m.get("outcome") == "trains":
                    del m["outcome"]  # implied by "last"
                _drop_false(m)
            if rec.get("outcome") == "raises":
                _compact_error(rec, numbers)
                if rec.get("raised_by") == "loss":
                    del rec["raised_by"]  # top-level errors are always the loss's
            for m in (rec.get("metrics") or {}).values():
                if isinstance(m, dict) and m.get("outcome") == "raises":
                    _compact_error(m, numbers)
            if screen and rec.get("accuracy_resolves_to") == screen.get("accuracy_resolves_to"):
                del rec["accuracy_resolves_to"]
            _drop_false(rec)
            if isinstance(rec.get("real"), dict):
                _drop_false(rec["real"])
        for key in sorted(records):
            if ",pipeline=dataset" in key and key.endswith(",pipeline=dataset"):
                twin = key[: -len("dataset")] + "arrays"
                if records.get(twin) == records[key]:
                    records[key] = {"same_as": twin}
    doc["compact"] = True
    return doc


def _compact_error(err, numbers):
    if "error_template" in err and render(err["error_template"], numbers) == err.get("error"):
        del err["error"]
    if isinstance(err.get("template_checks"), list):
        err["template_checks"] = "+".join(err["template_checks"])


def _expand_error(err, numbers):
    if "error_template" in err and "error" not in err:
        err["error"] = render(err["error_template"], numbers)
    if isinstance(err.get("template_checks"), str):
        err["template_checks"] = err["template_checks"].split("+")


def _drop_false(d):
    for k in [k for k, v in d.items() if v is False or v is None]:
        del d[k]


def expand(doc: dict) -> dict:
    """Inverse of ``compact`` (metric histories excepted): every record complete."""
    doc = copy.deepcopy(doc)
    for _line, screens in doc.get("screens", {}).items():
        for skey, screen in screens.items():
            numbers = numbers_for(Config.from_key(_screen_config_key(skey)))
            for err in screen["metrics"].values():
                _expand_error(err, numbers)
    for line, records in doc.get("results", {}).items():
        screens = doc.get("screens", {}).get(line, {})
        for key, rec in list(records.items()):
            if "same_as" in rec:
                records[key] = rec = copy.deepcopy(records[rec["same_as"]])
                if "same_as" in rec:  # the twin was expanded already? no: twins are never references
                    raise ValueError(key)
            config = Config.from_key(key)
            numbers = numbers_for(config)
            screen = screens.get(config.screen_key(), {})
            rec.setdefault("accuracy_resolves_to", screen.get("accuracy_resolves_to"))
            if rec.get("outcome") == "raises":
                _expand_error(rec, numbers)
                rec.setdefault("raised_by", "loss")
            else:
                for flag in FLAGS[:-1]:
                    rec.setdefault(flag, False)
                if isinstance(rec.get("real"), dict):
                    for flag in REAL_FLAGS:
                        rec["real"].setdefault(flag, False)
                    # compact() drops False and None alike: one output never sums to anything
                    rec["real"].setdefault("predict_sums_to_one", False if config.units > 1 else None)
            for name, m in list((rec.get("metrics") or {}).items()):
                if m == "screen":
                    rec["metrics"][name] = m = dict(screen.get("metrics", {}).get(name, {}), source="screen")
                    _expand_error(m, numbers)
                elif m.get("outcome") == "raises":
                    _expand_error(m, numbers)
                else:
                    m.setdefault("outcome", "trains")
                    m.setdefault("constant", False)
                    m.setdefault("val_constant", False)
    doc.pop("compact", None)
    return doc


def load_results(path=DEFAULT_OUTPUT) -> dict:
    """A results file (compact or not) as a complete document: ``doc["results"][line][key]``."""
    doc = json.loads(pathlib.Path(path).read_text())
    return expand(doc) if doc.get("compact") else doc


def lookup(doc: dict, config: Config, line: str) -> dict | None:
    """The record of ``config`` on ``line`` in a loaded document (None if not measured)."""
    return doc.get("results", {}).get(line, {}).get(config.key())


def tidy(value):
    """Round floats to 5 decimals; non-finite floats become strings (as run_experiments.py does)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        rounded = round(value, 5)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {str(k): tidy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy(v) for v in value]
    return value


def dumps(doc: dict) -> str:
    """Deterministic JSON: sorted keys, one record per line under ``results``/``screens``."""

    def compact(v):
        return json.dumps(v, sort_keys=True, separators=(",", ":"), allow_nan=False)

    parts = ["{"]
    keys = sorted(doc)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = doc[key]
        if key in ("results", "screens") and isinstance(value, dict):
            parts.append(f" {json.dumps(key)}: {{")
            lines = sorted(value)
            for j, line in enumerate(lines):
                parts.append(f"  {json.dumps(line)}: {{")
                recs = value[line]
                rkeys = sorted(recs)
                for n, rk in enumerate(rkeys):
                    parts.append(f"   {json.dumps(rk)}: {compact(recs[rk])}" + ("," if n < len(rkeys) - 1 else ""))
                parts.append("  }" + ("," if j < len(lines) - 1 else ""))
            parts.append(" }" + comma)
        else:
            text = json.dumps(value, sort_keys=True, indent=1, allow_nan=False).replace("\n", "\n ")
            parts.append(f" {json.dumps(key)}: {text}{comma}")
    parts.append("}")
    return "\n".join(parts) + "\n"


# ============================================================================ Runner
# Everything below imports TensorFlow (through common.py) and runs in one process per Keras line.


def _ensure_line(line: str | None) -> str:
    """Fix the Keras line through the environment before TensorFlow is imported."""
    current = "tf_keras" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras3"
    line = line or current
    if line not in LINES:
        raise ValueError(f"unknown line {line!r}")
    if "tensorflow" in sys.modules or "scripts.experiments.common" in sys.modules:
        if line != current:
            raise RuntimeError(
                f"TensorFlow is already imported for {current}; run {line} in another process (measure() does)"
            )
    else:
        os.environ.update(CHILD_ENV[line])
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return line


_LAYER_NAMES = re.compile(
    r"\b(sequential|dense|flatten|functional|input_layer|rescaling|model|keras_tensor)(?:_\d+)+\b"
)


def _clean(text: str) -> str:
    """Extra normalisation on top of common.normalise: nested layer-name suffixes (``dense_9_1``)."""
    return _LAYER_NAMES.sub(r"\1", text)


def _finite(v) -> bool:
    return isinstance(v, float) and math.isfinite(v)


class Engine:
    """Runs configurations in this process (one Keras line). Keeps data, image folders, metric
    screens and the last compiled model (to reuse its traced graph) between runs."""

    def __init__(
        self,
        *,
        share=True,
        grappler=True,
        exact_metrics=False,
        prebuild=True,
        attribute=True,
        metrics=METRICS,
        log=None,
    ):
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from scripts.experiments import common

        self.common = common
        self.tf, self.keras, self.line = common.tf, common.keras, common.LINE
        self.share, self.exact_metrics, self.prebuild, self.attribute = share, exact_metrics, prebuild, attribute
        self.metrics = tuple(m for m in METRICS if m in metrics)  # the metrics screened and compiled
        self.log = log or (lambda msg: None)
        # Grappler (TensorFlow's graph optimiser) is on by default, as for users: turning it off saves
        # ~25% CPU but changes which op fails first in some run-time errors, and the last digits of
        # numerically chaotic runs (measured by --verify). Process-wide setting.
        self.tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": not grappler})
        self._data, self._dirs, self._dir_test = {}, {}, {}
        self.screens = {}  # (settings.name, screen_key) -> screen record
        self._cache = None  # (signature, model, weights, optimizer values, warnings)
        self._errors = {}  # signature -> record of an error raised while compiling or tracing
        self._pool = {}  # architecture -> [model, weights, optimizer, optimizer values, compiles]
        from tensorflow.python.framework import ops as tf_ops

        self._gradient_registry = tf_ops._gradient_registry._registry  # noqa: SLF001 (see _release_gradients)
        self._unshareable = set()
        self.stats = {
            "runs": 0,
            "fresh_traces": 0,
            "reused_traces": 0,
            "retraced": 0,
            "screen_runs": 0,
            "isolation_runs": 0,
            "screen_mismatch": 0,
        }

    # ---------------------------------------------------------------- data

    def data(self, config: Config, settings: Settings):
        """(x_train, y_train, x_val, y_val, x_test, truth_test) for non-directory pipelines."""
        key = (config.labels, config.K, settings)
        if key not in self._data:
            self._data[key] = self._make_data(config, settings)
        return self._data[key]

    def _make_data(self, config, settings):
        np = self.common.np
        n_tr, n_va = settings.sizes(config)
        n = n_tr + n_va + settings.n_test
        d = settings.features
        if config.kind == "regression":
            rng = np.random.default_rng(settings.seed)
            x = rng.normal(size=(n, d)).astype("float32")
            w = rng.normal(size=d)
            t = (x @ w / np.linalg.norm(w) + 0.1 * rng.normal(size=n)).astype("float32")
            y = t if config.labels == "continuous" else t.reshape(-1, 1)
            truth = t[n_tr + n_va :]
        else:
            k = config.K
            x, c = self.common.blobs(n, d, k, seed=settings.seed)
            # The first training and validation samples have the largest label (K-1): sparse
            # losses then report "label value of K-1" in the first batch.
            for start in (0, n_tr):
                j = start + int(np.argmax(c[start:] == k - 1))
                x[[start, j]], c[[start, j]] = x[[j, start]], c[[j, start]]
            eye = np.eye(k, dtype="float32")
            y = {
                "integer": c,
                "binary": c,
                "integer_column": c.reshape(-1, 1),
                "binary_column": c.reshape(-1, 1),
                "one_hot": eye[c],
                "multi_hot": eye[c] + eye[(c + 1) % k],
            }[config.labels]
            truth = y[n_tr + n_va :] if config.labels == "multi_hot" else c[n_tr + n_va :]
        return (x[:n_tr], y[:n_tr], x[n_tr : n_tr + n_va], y[n_tr : n_tr + n_va], x[n_tr + n_va :], truth)

    def image_root(self, k, settings):
        key = (k, settings.per_class, settings.image_size, settings.seed)
        if key not in self._dirs:
            self._dirs[key] = self.common.image_dir(k, settings.per_class, size=settings.image_size, seed=settings.seed)
        return self._dirs[key]

    def directory_flows(self, config, settings):
        gen = self.common.image_data_generator()(rescale=1 / 255, validation_split=settings.validation_split)
        root = self.image_root(config.K, settings)
        flow = {
            "target_size": (settings.image_size,) * 2,
            "class_mode": DIRECTORY_CLASS_MODE[config.labels],
            "batch_size": settings.batch,
            "seed": settings.seed,
        }
        with contextlib.redirect_stdout(io.StringIO()):
            return (
                gen.flow_from_directory(root, subset="training", **flow),
                gen.flow_from_directory(root, subset="validation", **flow),
            )

    def directory_test(self, config, settings):
        """Every image of the folder (train and validation), in order, with its class."""
        np = self.common.np
        key = (config.K, settings)
        if key not in self._dir_test:
            gen = self.common.image_data_generator()(rescale=1 / 255)
            with contextlib.redirect_stdout(io.StringIO()):
                it = gen.flow_from_directory(
                    self.image_root(config.K, settings),
                    target_size=(settings.image_size,) * 2,
                    class_mode="sparse",
                    batch_size=64,
                    shuffle=False,
                )
            x = np.concatenate([it[i][0] for i in range(len(it))])
            self._dir_test[key] = (x, np.asarray(it.classes, dtype="int64"))
        return self._dir_test[key]

    def inputs(self, config, settings):
        """(fit args, fit kwargs) for the configuration's pipeline."""
        tf = self.tf
        if config.pipeline == "directory_iterator":
            train, val = self.directory_flows(config, settings)
            return (train,), {"validation_data": val}
        xt, yt, xv, yv, _, _ = self.data(config, settings)
        b = settings.batch
        if config.pipeline == "arrays":
            return (xt, yt), {"validation_data": (xv, yv), "batch_size": b, "shuffle": False}
        if config.pipeline == "dataset":
            return (
                (tf.data.Dataset.from_tensor_slices((xt, yt)).batch(b),),
                {"validation_data": tf.data.Dataset.from_tensor_slices((xv, yv)).batch(b)},
            )
        if config.pipeline == "dataset_unknown_shape":
            return (self._unknown(xt, yt, b),), {"validation_data": self._unknown(xv, yv, b)}
        raise ValueError(config.pipeline)

    def _unknown(self, x, y, batch):
        """from_generator with an all-None label spec (the labels' own dtype): Keras can't see their shape."""
        tf = self.tf

        def gen():
            for i in range(0, len(x), batch):
                yield x[i : i + batch], y[i : i + batch]

        spec = (tf.TensorSpec((None,) + x.shape[1:], tf.float32), tf.TensorSpec((None,) * y.ndim, tf.as_dtype(y.dtype)))
        return tf.data.Dataset.from_generator(gen, output_signature=spec)

    # ----------------------------------------------------------- model and graph

    def signature(self, config, metrics, settings):
        """Everything the traced train/test graphs depend on. Runs with the same signature reuse the graph."""
        if config.pipeline == "directory_iterator":
            data = ("directory", config.labels, config.K, settings.name)
        else:
            y = self.data(config, settings)[1]
            if config.pipeline == "dataset_unknown_shape":
                data = ("unknown", y.dtype.str, y.ndim, settings.features)
            else:  # numpy arrays and from_tensor_slices(...).batch(): same element spec
                data = ("tensor", y.dtype.str, y.shape[1:], settings.features)
        return (data, config.units, config.activation, config.loss, config.from_logits, tuple(metrics))

    def loss_object(self, config):
        keras = self.keras
        if config.loss == NEUTRAL_LOSS:
            return _neutral_loss(keras, self.tf)
        if not config.from_logits:
            return config.loss
        cls = {
            "binary_crossentropy": keras.losses.BinaryCrossentropy,
            "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
            "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
            "binary_focal_crossentropy": keras.losses.BinaryFocalCrossentropy,
        }[config.loss]
        return cls(from_logits=True)

    def build(self, config, settings):
        keras, layers = self.keras, self.keras.layers
        keras.utils.set_random_seed(settings.seed)
        act = None if config.activation == "linear" else config.activation
        if config.pipeline == "directory_iterator":
            head = [keras.Input((settings.image_size, settings.image_size, 3)), layers.Flatten()]
        else:
            head = [keras.Input((settings.features,))]
        return keras.Sequential(
            head + [layers.Dense(settings.hidden, activation="relu"), layers.Dense(config.units, activation=act)]
        )

    def _fresh_model(self, config, settings):
        """An uncompiled-looking model at its initial weights, with a built Adam at its initial state.

        Building costs ~60 ms, so one model per architecture is kept and reset (weights and
        optimizer variables restored; ``compile`` then resets Keras's train/test functions).
        """
        keras = self.keras
        arch = (
            config.units,
            config.activation,
            config.pipeline == "directory_iterator",
            settings.features,
            settings.image_size,
            settings.hidden,
            settings.learning_rate,
            settings.seed,
        )
        entry = self._pool.pop(arch, None) if self.share else None
        if entry is not None and entry[4] >= POOL_COMPILES:
            entry = None  # retired: a model keeps some state of every compile (tf_keras: its old functions)
        if entry is None:
            model = self.build(config, settings)
            opt = keras.optimizers.Adam(settings.learning_rate)
            opt.build(model.trainable_variables)  # else its variables are created while tracing (2 traces)
            entry = [model, model.get_weights(), opt, [v.numpy() for v in _variables(opt)], 0]
        else:
            model, weights, opt, opt_values, _ = entry
            if self._cache and self._cache[1] is model:
                self._cache = None  # its graph is about to be replaced
            model.set_weights(weights)
            for var, value in zip(_variables(opt), opt_values):
                var.assign(value)
        entry[4] += 1
        if self.share:
            self._pool[arch] = entry  # most recently used last
            while len(self._pool) > POOL_SIZE:
                self._pool.pop(next(iter(self._pool)))
        return tuple(entry[:4])

    def _release_gradients(self, before):
        """Forget the gradient functions a run registered with TensorFlow.

        Every traced train step registers a ``CustomGradient-N`` entry in TensorFlow's global
        gradient registry that is never removed and keeps the whole traced graph alive (a few MB
        per configuration). The entry is only read while a gradient is being traced, so once the
        run is over it can go: a graph that is reused is not traced again (checked), and a
        retrace registers a new one.
        """
        for name in [n for n in self._gradient_registry if n not in before and n.startswith("CustomGradient-")]:
            del self._gradient_registry[name]

    def _error_text(self, exc):
        """common.error_line, also skipping TensorFlow's "<stack traces unavailable>" header."""
        text = str(exc)
        if "<stack traces unavailable>" in text:
            exc = RuntimeError("\n".join(t for t in text.splitlines() if t.strip() != "<stack traces unavailable>"))
        return _clean(self.common.error_line(exc))

    def label_spec(self, config, settings):
        """(shape, dtype) of the labels as the traced graph sees them (batch dimension None)."""
        if config.pipeline == "directory_iterator":
            return ((None, config.K) if config.labels == "one_hot" else (None,)), "float32"
        y = self.data(config, settings)[1]
        if config.pipeline == "dataset_unknown_shape":
            return (None,) * y.ndim, y.dtype.name
        return (None,) + y.shape[1:], y.dtype.name

    def _prebuild_metrics(self, model, config, settings):
        """Build the compiled metrics before fit, from the label/prediction specs (what Keras does
        itself under a distribution strategy). Without it the metric variables are created while
        tracing, and TensorFlow traces train_step twice. False if it raised."""
        shape, dtype = self.label_spec(config, settings)
        try:
            if self.line == "keras3":
                y_true = self.keras.KerasTensor(shape, dtype)
                y_pred = self.keras.KerasTensor((None, config.units), "float32")
                model._compile_metrics.build(y_true, y_pred)
            else:
                y_true = self.tf.TensorSpec(shape, dtype)
                y_pred = self.tf.TensorSpec((None, config.units), self.tf.float32)
                model.compiled_metrics.build(y_pred, y_true)
        except Exception:  # noqa: BLE001 - then let fit build them, as it normally does
            return False
        return True

    def _trace_count(self, model):
        """Total traces of the model's train/test tf.functions (None if they can't be found)."""
        found, seen, todo = [], set(), [getattr(model, "train_function", None), getattr(model, "test_function", None)]
        function_type = type(self.tf.function(lambda: 0))
        while todo:
            f = todo.pop()
            if f is None or id(f) in seen:
                continue
            seen.add(id(f))
            if isinstance(f, function_type):
                found.append(f.experimental_get_tracing_count())
                todo.append(getattr(f, "python_function", None))
                continue
            todo.append(getattr(f, "__wrapped__", None))
            for cell in getattr(f, "__closure__", None) or ():
                try:
                    value = cell.cell_contents
                except ValueError:
                    continue
                if callable(value):
                    todo.append(value)
        return sum(found) if found else None

    # ---------------------------------------------------------------- one fit

    def fit_run(self, config, metrics, settings, *, epochs=None, fresh=False, measure_real=True, probe=False):
        """Compile ``config`` with ``metrics`` and fit it; the raw record of that one run.

        ``probe``: ``evaluate`` on one batch instead of ``fit`` (screens: only whether a metric raises;
        ``train_step`` and ``test_step`` compute metrics through the same ``compute_metrics``).
        """
        keras = self.keras
        t_start, c_start = time.monotonic(), time.process_time()
        registered = set(self._gradient_registry)
        epochs = 1 if probe else epochs or settings.epochs
        sig = self.signature(config, metrics, settings) + (epochs, probe)
        if self.share and not fresh and sig in self._errors:
            # Raised while compiling or tracing this very graph: the same graph raises the same way
            # whatever the label values (they never enter a trace).
            self.stats["reused_errors"] = self.stats.get("reused_errors", 0) + 1
            return copy.deepcopy(self._errors[sig])
        cached = (
            self._cache
            if (self.share and not fresh and self._cache and self._cache[0] == sig and sig not in self._unshareable)
            else None
        )
        self.stats["runs"] += 1
        rec, tracker = {"_blame": None}, _stage_tracker(keras)
        state = {"stage": "compile"}
        model = before = None
        with self.common._capture(rec):
            try:
                if cached:
                    _, model, weights, opt_values, _ = cached
                    model.set_weights(weights)
                    for var, value in zip(_variables(model.optimizer), opt_values):
                        var.assign(value)
                else:
                    model, weights, opt, opt_values = self._fresh_model(config, settings)
                    model.compile(opt, self.loss_object(config), metrics=list(metrics))
                    if self.prebuild and metrics and not self._prebuild_metrics(model, config, settings):
                        self.stats["prebuild_failed"] = self.stats.get("prebuild_failed", 0) + 1
                        model.compile(opt, self.loss_object(config), metrics=list(metrics))  # let fit build them
                state["stage"] = "fit"
                before = self._trace_count(model)
                args, kwargs = self.inputs(config, settings)
                keras.utils.set_random_seed(settings.seed)
                with contextlib.redirect_stdout(io.StringIO()):
                    if probe:
                        kwargs.pop("validation_data", None)
                        kwargs.pop("shuffle", None)
                        model.evaluate(*args, steps=1, verbose=0, **kwargs)
                        history = {}
                    else:
                        history = model.fit(*args, epochs=epochs, verbose=0, callbacks=[tracker], **kwargs).history
            except Exception as exc:  # noqa: BLE001 - recording what raises is the point
                rec.update(
                    outcome="raises", error_type=type(exc).__name__, error=self._error_text(exc), _blame=_blame(exc)
                )
                state["op_error"] = isinstance(exc, self.tf.errors.OpError)
                if state["stage"] == "compile":
                    rec["stage"] = "compile"
                elif tracker.batches == 0 and tracker.phase == "train":
                    rec["stage"] = "first_step"
                else:
                    rec.update(stage="later", epoch=tracker.epoch + 1, phase=tracker.phase)
            else:
                rec["outcome"] = "trains"
                rec["history"] = {k: [float(v) for v in vals] for k, vals in history.items()}
        if cached:
            after = self._trace_count(model)
            if before is None or after != before:  # the graph was traced again: not a faithful reuse
                self.stats["retraced"] += 1
                self._unshareable.add(sig)
                self._cache = None
                return self.fit_run(
                    config, metrics, settings, epochs=epochs, fresh=True, measure_real=measure_real, probe=probe
                )
            self.stats["reused_traces"] += 1
            group_warnings = cached[4]
            if group_warnings:  # trace-time warnings were emitted by the run that traced the graph
                rec["warnings"] = list(dict.fromkeys(group_warnings + rec.get("warnings", [])))
        elif state["stage"] != "compile":
            self.stats["fresh_traces"] += 1
        if model is not None and state["stage"] != "compile":
            rec["accuracy_resolves_to"] = self.common.resolved_accuracy(model)
        if rec["outcome"] == "trains" and measure_real:
            rec["real"] = self.real(config, settings, model)
        if (
            rec["outcome"] == "raises"
            and self.share
            and not cached
            and not state.get("op_error")
            and (state["stage"] == "compile" or not self._trace_count(model))
        ):
            self._errors[sig] = copy.deepcopy(rec)  # raised before any graph existed
        self._release_gradients(registered)
        bucket = "t_probe" if probe else f"t_{rec['outcome']}_{'reused' if cached else 'fresh'}"
        self.stats[bucket] = round(self.stats.get(bucket, 0.0) + time.monotonic() - t_start, 2)
        self.stats["cpu" + bucket[1:]] = round(
            self.stats.get("cpu" + bucket[1:], 0.0) + time.process_time() - c_start, 2
        )
        self.stats["n" + bucket[1:]] = self.stats.get("n" + bucket[1:], 0) + 1
        if (
            not cached
            and self.share
            and sig not in self._unshareable
            and state["stage"] != "compile"
            and (self._trace_count(model) or 0) > 0
        ):  # a graph was traced (also when it then failed to run)
            self._cache = (sig, model, weights, opt_values, list(rec.get("warnings", [])))
        return rec

    # ------------------------------------------------------------ real accuracy

    def real(self, config, settings, model):
        """Accuracy (or R^2) of the trained model on held-out data, measured by predict, not by Keras metrics."""
        np = self.common.np
        if config.pipeline == "directory_iterator":
            x, truth = self.directory_test(config, settings)
        else:
            _, _, _, _, x, truth = self.data(config, settings)
        with self.common.warnings.catch_warnings():  # e.g. Keras 3's "softmax over an axis of size 1" (already
            self.common.warnings.simplefilter("ignore")  # recorded when fit traced the same call)
            out = np.asarray(model(x, training=False), dtype="float64")
        facts = {
            "output_nan": bool(not np.all(np.isfinite(out))),
            "output_constant": bool(np.all(np.nan_to_num(out.std(axis=0)) < 1e-6)),
        }
        facts["predict_sums_to_one"] = bool(np.all(np.abs(out.sum(axis=1) - 1) < 1e-3)) if config.units > 1 else None
        out = np.nan_to_num(out, nan=0.0, posinf=1e6, neginf=-1e6)
        if config.kind == "regression":
            pred = out[:, 0]
            sst = float(np.sum((truth - truth.mean()) ** 2))
            r2 = 1.0 - float(np.sum((truth - pred) ** 2)) / sst
            facts.update(
                rule="r2_first_unit",
                value=r2,
                mse=float(np.mean((truth - pred) ** 2)),
                chance=0.0,
                learns=bool(r2 > 0.5 and not facts["output_nan"]),
            )
            return facts
        if config.labels == "multi_hot":
            top = out.argmax(axis=1)
            hit = np.array([top[i] < truth.shape[1] and truth[i, top[i]] > 0 for i in range(len(top))])
            value, chance, rule = float(hit.mean()), float(truth.mean(axis=0).max()), "top1_in_label_set"
        else:
            k = config.K
            if config.units == 1:
                if config.kind == "binary":
                    threshold = 0.0 if config.from_logits else 0.5
                    pred, rule = (out[:, 0] > threshold).astype("int64"), f"threshold_{threshold:g}"
                else:  # one output for K classes: the nearest class index is the best reading of it
                    pred, rule = np.clip(np.rint(out[:, 0]), 0, k - 1).astype("int64"), "rounded"
            else:
                pred, rule = out.argmax(axis=1), "argmax"
            value = float(np.mean(pred == truth))
            chance = float(np.bincount(truth, minlength=k).max() / len(truth))
        learns = value >= chance + LEARNS_MARGIN * (1 - chance) and not facts["output_nan"]
        facts.update(rule=rule, value=value, chance=chance, learns=bool(learns))
        return facts

    # ----------------------------------------------------------------- screens

    @staticmethod
    def screen_probe(config):
        """The configuration a screen runs: same labels/K/units/pipeline, linear output, neutral loss."""
        pipeline = "dataset" if config.pipeline == "arrays" else config.pipeline
        return config.replace(activation="linear", loss=NEUTRAL_LOSS, from_logits=False, pipeline=pipeline)

    def screen(self, config, settings):
        """Which metrics raise for these labels/K/units/pipeline: each metric compiled alone with a
        loss that never reads the labels (so only the metric can raise), one training step. Cached."""
        key = (settings.name, config.screen_key())
        for m in self.metrics:
            self.screen_metric(config, m, settings)
        return self.screens[key]

    def screen_metric(self, config, m, settings):
        key = (settings.name, config.screen_key())
        result = self.screens.setdefault(key, {"metrics": {}, "accuracy_resolves_to": None})
        if m not in result["metrics"]:
            self.stats["screen_runs"] += 1
            single = self.fit_run(self.screen_probe(config), (m,), settings, measure_real=False, probe=True)
            result["metrics"][m] = _error_fields(single) if single["outcome"] == "raises" else {"outcome": "trains"}
            if m == "accuracy":
                result["accuracy_resolves_to"] = single.get("accuracy_resolves_to")

    # ------------------------------------------------------------ one config

    def run_config(self, config, settings=DEFAULT_SETTINGS):
        """The full record of one configuration (loss outcome, every metric, derived facts)."""
        screen = self.screen(config, settings)
        safe = tuple(m for m in self.metrics if screen["metrics"][m]["outcome"] == "trains")
        raw = self.fit_run(config, safe, settings)
        check = "no_metrics_compiled" if not safe else None
        if raw["outcome"] == "raises" and safe:
            if self.attribute and raw.get("_blame") == "loss":
                check = "traceback"  # the error comes from loss code: no need to re-run without metrics
            else:
                self.stats["isolation_runs"] += 1
                alone = self.fit_run(config, (), settings)  # does the loss raise without metrics?
                if alone["outcome"] == "trains":
                    self.stats["screen_mismatch"] += 1
                    return self._isolate(config, settings, alone, screen)
                raw, check = alone, "run_without_metrics"
        record = self._record(config, raw, screen, safe)
        if record["outcome"] == "raises":
            record["raised_by"], record["raised_by_check"] = "loss", check
        if self.exact_metrics and record["outcome"] == "trains":
            for m in self.metrics:
                if m not in safe:
                    self.stats["isolation_runs"] += 1
                    single = self.fit_run(config, (m,), settings, measure_real=False)
                    if single["outcome"] == "raises":
                        record["metrics"][m] = dict(_error_fields(single), source="this_config")
                    else:
                        record["metrics"][m] = dict(self._metric_fields(single["history"], m), source="this_config")
                        record["screen_mismatch"] = True
        return record

    def _isolate(self, config, settings, alone, screen):
        """The screen missed a metric error: measure each metric alone with this loss."""
        record = self._record(config, alone, screen, ())
        record["screen_mismatch"] = True
        for m in self.metrics:
            self.stats["isolation_runs"] += 1
            single = self.fit_run(config, (m,), settings, measure_real=False)
            if single["outcome"] == "raises":
                record["metrics"][m] = dict(_error_fields(single), source="this_config")
            else:
                record["metrics"][m] = dict(self._metric_fields(single["history"], m), source="this_config")
                if m == "accuracy":
                    record["accuracy_resolves_to"] = single.get("accuracy_resolves_to")
        return record

    def _metric_fields(self, history, m):
        train, val = history.get(m, []), history.get("val_" + m, [])
        return {
            "outcome": "trains",
            "train": train,
            "val": val,
            "last": train[-1] if train else None,
            "val_last": val[-1] if val else None,
            "constant": _constant(train),
            "val_constant": _constant(val),
        }

    def _record(self, config, raw, screen, safe):
        rec = {"outcome": raw["outcome"]}
        for k in ("warnings",):
            if raw.get(k):
                rec[k] = raw[k]
        rec["accuracy_resolves_to"] = raw.get("accuracy_resolves_to") or screen.get("accuracy_resolves_to")
        if raw["outcome"] == "raises":
            rec.update(_error_fields(raw))
            return rec
        h = raw["history"]
        loss, val = h.get("loss", []), h.get("val_loss", [])
        rec["loss"], rec["val_loss"] = loss, val
        both = loss + val
        rec["loss_nan"] = any(not _finite(v) for v in both)
        rec["loss_negative"] = any(_finite(v) and v < 0 for v in both)
        rec["loss_zero"] = bool(loss) and all(v == 0.0 for v in loss)
        rec["loss_tiny"] = bool(loss) and all(_finite(v) and abs(v) < 1e-6 for v in loss)  # prints as ~1e-07
        rec["loss_constant"] = _constant(loss)
        rec["metrics"] = {}
        for m in self.metrics:
            if m in safe:
                rec["metrics"][m] = self._metric_fields(h, m)
            else:
                rec["metrics"][m] = dict(screen["metrics"][m], source="screen")
        rec["real"] = raw.get("real")
        return rec


_LOSS_CODE = re.compile(r"(/losses?/|/losses\.py|compile_loss|LossesContainer|loss_container|nn\.py.*crossentropy)")
_METRIC_CODE = re.compile(r"(/metrics/|metrics_utils|compile_metrics|MetricsContainer|update_state)")
_NODE = re.compile(r"Detected at node '?([\w/.-]+)")
_LOSS_SCOPE = re.compile(
    r"^(compile_loss|[\w]*(loss|crossentropy|squared_error|absolute_error|hinge|poisson"
    r"|divergence|focal)[\w]*)$"
)


def _blame(exc):
    """'loss' if the exception clearly comes from the loss (innermost loss/metric code location in
    the traceback or in TensorFlow's message, or a loss-scoped graph node), else None."""
    text = str(exc)
    node = _NODE.search(text)
    if node:  # a graph node that failed at run time: its name scopes say whose op it is
        return "loss" if any(_LOSS_SCOPE.match(part) for part in node.group(1).split("/")[:-1]) else None
    places = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        places.append(f"{code.co_filename}:{code.co_name}")
        tb = tb.tb_next
    places += re.findall(r'File "([^"]+)", line \d+, in (\w+)', text)
    for place in reversed([p if isinstance(p, str) else ":".join(p) for p in places]):
        if _METRIC_CODE.search(place):
            return None
        if _LOSS_CODE.search(place):
            return "loss"
    return None


POOL_SIZE = 8  # models kept for re-compiling (runs are ordered so that neighbours share them)
POOL_COMPILES = 25  # then the model is rebuilt
LEARNS_MARGIN = 0.25  # "learns": real accuracy beyond chance by a quarter of the way to 100% (R^2 > 0.5)


def _constant(values) -> bool:
    finite = [v for v in values if _finite(v)]
    if len(finite) != len(values):
        return all(not _finite(v) for v in values) and len(set(map(str, values))) == 1
    return bool(values) and max(values) - min(values) <= 1e-6


def _error_fields(raw):
    return {k: raw[k] for k in ("outcome", "error_type", "error", "stage", "epoch", "phase") if k in raw}


def _variables(optimizer):
    v = optimizer.variables
    return list(v() if callable(v) else v)


def _neutral_loss(keras, tf):
    """Mean of the predictions times zero: never reads y_true, never raises, never trains."""

    class NeutralLoss(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(y_pred, axis=-1) * 0.0

    return NeutralLoss(name=NEUTRAL_LOSS)


def _stage_tracker(keras):
    class Stage(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches, self.epoch, self.phase = 0, 0, "train"

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch, self.phase = epoch, "train"

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1

        def on_test_begin(self, logs=None):
            self.phase = "validation"

        def on_test_end(self, logs=None):
            self.phase = "train"

    return Stage()


def _run_order(engine, configs, settings):
    """Configurations grouped so that runs sharing a traced graph follow each other."""

    def sort_key(c):
        safe = tuple(m for m in engine.metrics if engine.screen(c, settings)["metrics"][m]["outcome"] == "trains")
        return (repr(engine.signature(c, safe, settings)), c.key())

    return sorted(configs, key=sort_key)


def run_configs(
    configs,
    line=None,
    *,
    share=True,
    grappler=True,
    exact_metrics=False,
    prebuild=True,
    attribute=True,
    metrics=METRICS,
    templates=True,
    alt_check=True,
    settings=DEFAULT_SETTINGS,
    progress=None,
    engine=None,
    return_meta=False,
):
    """Measure ``configs`` in this process for ``line`` (default: the line of the environment).

    Returns ``{key: record}`` (tidied: rounded floats, NaN as strings), or with
    ``return_meta=True`` a dict ``{"results", "screens", "versions", "timing", "stats"}``.
    """
    line = _ensure_line(line)
    started = time.monotonic()
    engine = engine or Engine(
        share=share,
        grappler=grappler,
        exact_metrics=exact_metrics,
        prebuild=prebuild,
        attribute=attribute,
        metrics=metrics,
        log=progress,
    )
    say = progress or (lambda msg: None)
    configs = list(dict.fromkeys(configs))
    # Screens first (they decide the metric list, hence which runs share a graph), ordered so that
    # probes with the same graph follow each other.
    probes = {c.screen_key(): c for c in configs}.values()
    for m in engine.metrics:
        for c in sorted(
            probes, key=lambda c: (repr(engine.signature(engine.screen_probe(c), (m,), settings)), c.screen_key())
        ):
            engine.screen_metric(c, m, settings)
    t_screens = time.monotonic() - started
    say(f"[{line}] {len(engine.screens)} screens in {t_screens:.0f}s")
    records, last = {}, time.monotonic()
    for i, c in enumerate(_run_order(engine, configs, settings)):
        records[c.key()] = engine.run_config(c, settings)
        if time.monotonic() - last > 30:
            last = time.monotonic()
            say(f"[{line}] {i + 1}/{len(configs)} configs, {last - started:.0f}s")
    t_runs = time.monotonic() - started - t_screens
    screens = {k: v for (name, k), v in engine.screens.items() if name == settings.name}
    if templates:
        assign_templates(records, settings)
        screen_records = {
            _screen_config_key(k): {"outcome": "trains", "metrics": v["metrics"]} for k, v in screens.items()
        }
        assign_templates(screen_records, settings)
    t_alt = 0.0
    if templates and alt_check:
        t0 = time.monotonic()
        check_templates_with_other_numbers(engine, records, screens, settings, ALT_SETTINGS)
        t_alt = time.monotonic() - t0
    total = time.monotonic() - started
    say(
        f"[{line}] {len(configs)} configs in {total:.0f}s (screens {t_screens:.0f}s, runs {t_runs:.0f}s, "
        f"template check {t_alt:.0f}s) {engine.stats}"
    )
    records = {k: tidy(v) for k, v in sorted(records.items())}
    if not return_meta:
        return records
    return {
        "results": records,
        "screens": {k: tidy(v) for k, v in sorted(screens.items())},
        "versions": versions(engine.common),
        "engine": {
            "share": engine.share,
            "grappler": grappler,
            "exact_metrics": engine.exact_metrics,
            "prebuild": engine.prebuild,
            "attribute": engine.attribute,
            "metrics": list(engine.metrics),
        },
        "timing": {
            "configs": len(configs),
            "seconds": round(total, 1),
            "screens_seconds": round(t_screens, 1),
            "runs_seconds": round(t_runs, 1),
            "template_check_seconds": round(t_alt, 1),
            "per_config_seconds": round(total / max(1, len(configs)), 4),
        },
        "stats": dict(engine.stats),
    }


def _screen_config_key(screen_key):
    """A config key standing for a screen (for template families)."""
    parts = dict(item.split("=", 1) for item in screen_key.split(","))
    pipeline = "dataset" if parts["pipeline"] == "arrays+dataset" else parts["pipeline"]
    return Config(
        parts["labels"],
        None if parts["K"] == "none" else int(parts["K"]),
        int(parts["units"]),
        "linear",
        NEUTRAL_LOSS,
        False,
        pipeline,
    ).key()


def check_templates_with_other_numbers(engine, records, screens, settings, alt):
    """Re-run one configuration per distinct error template with other numbers (batch, N, features)
    and check the template renders that run's message; adds "other_numbers" (or
    "other_numbers_mismatch") to ``template_checks``."""
    sites = {}
    for key, rec in sorted(records.items()):
        config = Config.from_key(key)
        for path, err in _error_sites(rec):
            if err.get("source") == "screen":
                continue  # checked through the screen below
            sites.setdefault((path[-1] if path[0] == "metrics" else "loss", err["error_template"]), []).append(
                (config, path, err)
            )
    for skey, screen in sorted(screens.items()):
        config = Config.from_key(_screen_config_key(skey))
        for m, err in sorted(screen["metrics"].items()):
            if err.get("outcome") == "raises":
                sites.setdefault((m, err["error_template"]), []).append((config, ("metrics", m), err))
    verdicts = {}
    for (what, template), members in sorted(sites.items()):
        config, path, err = members[0]
        engine.stats.setdefault("alt_runs", 0)
        engine.stats["alt_runs"] += 1
        if config.loss == NEUTRAL_LOSS:
            raw = engine.fit_run(config, (what,), alt, measure_real=False, probe=True)
        elif what == "loss":
            raw = engine.fit_run(config, (), alt, measure_real=False)
        else:
            raw = engine.fit_run(config, (what,), alt, measure_real=False)
        ok = raw.get("outcome") == "raises" and render(template, numbers_for(config, alt)) == raw.get("error")
        verdicts[(what, template)] = ok
    for (what, template), members in sites.items():
        for _, _, err in members:
            err["template_checks"] = err.get("template_checks", []) + (
                ["other_numbers"] if verdicts[(what, template)] else ["other_numbers_mismatch"]
            )
    # records whose metric errors come from a screen carry the screen's checks
    for key, rec in records.items():
        config = Config.from_key(key)
        screen = screens.get(config.screen_key())
        for name, m in (rec.get("metrics") or {}).items():
            if m.get("source") == "screen" and m.get("outcome") == "raises" and screen:
                s = screen["metrics"][name]
                m["error_template"], m["template_checks"] = s["error_template"], s["template_checks"]


def versions(common):
    out = {"tensorflow": common.tf.__version__}
    if common.LINE == "tf_keras":
        import tf_keras

        out["tf_keras"] = tf_keras.__version__
    else:
        out["keras"] = common.keras.__version__
    return out


# ===================================================================== parent side


def _child_cmd(line, in_path, out_path, options):
    cmd = [
        sys.executable,
        str(pathlib.Path(__file__).resolve()),
        "--child",
        "--line",
        line,
        "--configs",
        in_path,
        "--out",
        out_path,
    ]
    if options.get("metrics"):
        cmd += ["--metrics", ",".join(options["metrics"])]
    for flag in ("no_share", "no_grappler", "exact_metrics", "no_alt_check"):
        if options.get(flag):
            cmd.append("--" + flag.replace("_", "-"))
    return cmd


def measure(configs, lines=LINES, jobs=2, *, return_meta=False, progress=True, **options):
    """Run ``configs`` under each Keras line, one child process per line (``jobs`` at a time).

    Returns ``{line: {key: record}}`` (``return_meta``: ``{line: run_configs(..., return_meta=True)}``).
    ``options``: ``no_share``, ``no_grappler``, ``exact_metrics``, ``no_alt_check``, ``metrics`` (see the CLI).
    """
    configs = list(configs)
    fd, in_path = tempfile.mkstemp(prefix="kls_matrix_", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump([c.key() for c in configs], fh)
    pending, running, raw = list(lines), {}, {}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                line = pending.pop(0)
                fd, out_path = tempfile.mkstemp(prefix=f"kls_matrix_{line}_", suffix=".json")
                os.close(fd)
                env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", **CHILD_ENV[line]}
                proc = subprocess.Popen(
                    _child_cmd(line, in_path, out_path, options),
                    env=env,
                    cwd=str(ROOT),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                lines_seen = []
                reader = threading.Thread(target=_relay, args=(proc.stderr, lines_seen, progress), daemon=True)
                reader.start()
                running[line] = (proc, out_path, reader, lines_seen)
            line = next(iter(running))
            proc, out_path, reader, lines_seen = running.pop(line)
            proc.wait()
            reader.join()
            if proc.returncode != 0:
                raise RuntimeError(f"{line} child failed ({proc.returncode}):\n{''.join(lines_seen[-60:])}")
            with open(out_path) as fh:
                raw[line] = json.load(fh)
            os.unlink(out_path)
    finally:
        os.unlink(in_path)
    return raw if return_meta else {line: raw[line]["results"] for line in lines}


def _relay(stream, keep, progress):
    """Forward a child's progress lines ("[line] ...") as they come; keep everything for errors."""
    for text in stream:
        keep.append(text)
        if progress and text.startswith("["):
            sys.stderr.write(text)
            sys.stderr.flush()


def load_configs(path) -> list[Config]:
    """A JSON list of keys or of config dicts (or ``{"configs": [...]}``)."""
    data = json.loads(pathlib.Path(path).read_text())
    if isinstance(data, dict):
        data = data.get("configs", list(data.get("results", {}).get(LINES[0], {})))
    return [Config.from_key(item) if isinstance(item, str) else Config.from_dict(item) for item in data]


def parse_filter(text) -> dict:
    """``labels=one_hot|integer,pipeline=arrays`` -> enumerate_space keyword arguments."""
    names = {
        "labels": "labels",
        "K": "K",
        "units": "units",
        "activation": "activations",
        "loss": "losses",
        "from_logits": "from_logits",
        "pipeline": "pipelines",
    }
    out = {}
    for item in filter(None, (text or "").split(",")):
        name, _, values = item.partition("=")
        conv = {"K": lambda v: None if v == "none" else int(v), "units": int, "from_logits": lambda v: v == "true"}.get(
            name, str
        )
        out[names[name]] = [conv(v) for v in values.split("|")]
    return out


def verify(configs, line, **options) -> dict:
    """Determinism and shortcut checks, in this process: each configuration run (a) as the engine
    runs it, (b) again, (c) with no shortcut (no graph reuse, model pool, metric prebuild or
    traceback attribution; every metric measured on this very configuration), (d) with grappler
    off. Returns counts and the differences."""
    line = _ensure_line(line)
    a = run_configs(configs, line, templates=False, alt_check=False)
    b = run_configs(configs, line, templates=False, alt_check=False)
    c = run_configs(
        configs,
        line,
        share=False,
        exact_metrics=True,
        prebuild=False,
        attribute=False,
        templates=False,
        alt_check=False,
    )
    d = run_configs(configs, line, grappler=False, templates=False, alt_check=False)

    def strip(rec):
        rec = json.loads(json.dumps(rec))
        for m in (rec.get("metrics") or {}).values():
            m.pop("source", None)
        rec.pop("screen_mismatch", None)
        rec.pop("raised_by_check", None)  # how the loss was shown to raise: differs by design
        return rec

    out = {}
    for name, other in (("repeat", b), ("fresh_exact", c), ("grappler_off", d)):
        diff = sorted(k for k in a if strip(a[k]) != strip(other[k]))
        out[name] = {
            "same": len(a) - len(diff),
            "differ": len(diff),
            "details": {k: _diff(strip(a[k]), strip(other[k])) for k in diff[:40]},
        }
    return out


def _diff(x, y, path=""):
    if isinstance(x, dict) and isinstance(y, dict):
        out = {}
        for k in sorted(set(x) | set(y)):
            sub = _diff(x.get(k), y.get(k), f"{path}.{k}")
            out.update(sub)
        return out
    return {} if x == y else {path: [x, y]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--all", action="store_true", help="the full default space")
    ap.add_argument("--configs", help="JSON file: list of keys or config dicts")
    ap.add_argument("--filter", help="e.g. labels=one_hot|integer,pipeline=arrays (restricts the default space)")
    ap.add_argument("--extra-losses", action="store_true", help="add focal, hinge, poisson, kl_divergence")
    ap.add_argument("--limit", type=int, help="a deterministic spread-out subset of this many configurations")
    ap.add_argument("--line", choices=LINES, help="one Keras line only")
    ap.add_argument("--jobs", type=int, default=2, help="lines measured at once (one process each)")
    ap.add_argument("--out", default=str(DEFAULT_OUTPUT))
    ap.add_argument("--no-share", action="store_true", help="never reuse a traced graph between configurations")
    ap.add_argument(
        "--no-grappler",
        action="store_true",
        help="TensorFlow's graph optimiser off: ~25%% faster, but some run-time error texts and the "
        "last digits of chaotic runs differ from what users see",
    )
    ap.add_argument(
        "--exact-metrics",
        action="store_true",
        help="measure every raising metric on the configuration itself, not from the screen",
    )
    ap.add_argument("--no-alt-check", action="store_true", help="skip re-running templates with other numbers")
    ap.add_argument("--verify", type=int, metavar="N", help="run N sampled configs 4 ways and report differences")
    ap.add_argument("--full", action="store_true", help="write every record complete (not the compact form)")
    ap.add_argument("--metrics", help="comma-separated subset of the four metrics to screen and compile (faster)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        configs = load_configs(args.configs)

        def progress(msg):
            print(msg, file=sys.stderr, flush=True)

        meta = run_configs(
            configs,
            args.line,
            share=not args.no_share,
            grappler=not args.no_grappler,
            metrics=tuple(args.metrics.split(",")) if args.metrics else METRICS,
            exact_metrics=args.exact_metrics,
            alt_check=not args.no_alt_check,
            progress=progress,
            return_meta=True,
        )
        pathlib.Path(args.out).write_text(json.dumps(meta, sort_keys=True, allow_nan=False))
        return

    if args.configs:
        configs = load_configs(args.configs)
    elif args.all or args.filter or args.extra_losses:
        configs = enumerate_space(extra_losses=args.extra_losses, **parse_filter(args.filter))
    else:
        ap.error("give --all, --filter or --configs")
    configs = sample(configs, args.limit)
    lines = (args.line,) if args.line else LINES

    if args.verify:
        picked = sample(configs, args.verify, seed=1)
        report = {}
        for line in lines:  # each in a fresh child: the line is fixed at import
            code = (
                "import json,sys; sys.path.insert(0, %r); from scripts.experiments import matrix as m; "
                "cs=[m.Config.from_key(k) for k in json.load(open(%r))]; "
                "print(json.dumps(m.verify(cs, %r)))"
            )
            fd, path = tempfile.mkstemp(suffix=".json")
            with os.fdopen(fd, "w") as fh:
                json.dump([c.key() for c in picked], fh)
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", **CHILD_ENV[line]}
            started = time.monotonic()
            out = subprocess.run(
                [sys.executable, "-c", code % (str(ROOT), path, line)],
                env=env,
                cwd=str(ROOT),
                capture_output=True,
                text=True,
            )
            os.unlink(path)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-4000:])
            report[line] = json.loads(out.stdout.strip().splitlines()[-1])
            report[line]["seconds"] = round(time.monotonic() - started, 1)
        text = json.dumps(report, indent=1, sort_keys=True)
        pathlib.Path(args.out).write_text(text + "\n")
        print(text)
        return

    started = time.monotonic()
    meta = measure(
        configs,
        lines,
        jobs=args.jobs,
        return_meta=True,
        no_share=args.no_share,
        no_grappler=args.no_grappler,
        metrics=args.metrics.split(",") if args.metrics else None,
        exact_metrics=args.exact_metrics,
        no_alt_check=args.no_alt_check,
    )
    doc = {
        "format": FORMAT,
        "settings": dataclasses.asdict(DEFAULT_SETTINGS),
        "alt_settings": dataclasses.asdict(ALT_SETTINGS),
        "space": {
            "configs": len(configs),
            "all": bool(args.all),
            "filter": args.filter,
            "limit": args.limit,
            "extra_losses": args.extra_losses,
            "metrics": args.metrics.split(",") if args.metrics else list(METRICS),
        },
        "versions": {},
        "timing": {"wall_seconds": round(time.monotonic() - started, 1), "jobs": args.jobs},
        "results": {},
        "screens": {},
    }
    for line in lines:
        doc["versions"].update(meta[line]["versions"])
        doc["timing"][line] = dict(meta[line]["timing"], **{"stats": meta[line]["stats"]})
        doc["engine"] = meta[line]["engine"]
        doc["results"][line] = meta[line]["results"]
        doc["screens"][line] = meta[line]["screens"]
    if not args.full:
        doc = compact(doc)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps(doc))
    print(
        f"wrote {out} ({len(configs)} configs x {len(lines)} lines, {out.stat().st_size / 1e6:.1f} MB) "
        f"in {time.monotonic() - started:.0f}s"
    )


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
        from scripts.experiments import matrix as _self  # run as the package module (one set of globals)

        _self.main()
    else:
        main()
