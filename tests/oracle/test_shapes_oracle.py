"""Oracle: kerasls's static shapes and parameter counts against what Keras really builds.

For hand-written fixtures (``shape_models.FIXTURES``, plus ``tensorflow.keras``-import
variants of a few) and for several hundred seeded random valid models
(``shape_models.generate_models``), every script is

* analysed statically: ``analyze(source).summaries``, and
* executed with real Keras 3 (in a subprocess: the test process never imports TensorFlow),

and every layer the script names (``name=...``) is compared: output shape (batch axis
None), parameters, trainable and non-trainable parameters, plus the model totals and the
order of the rows.  A subset also runs under Keras 2 (``tf_keras``) to record where Keras 2
differs from Keras 3 (kerasls follows Keras 3).

    python -m pytest -m oracle tests/oracle/test_shapes_oracle.py -p no:cacheprovider

Set ``KERASLS_ORACLE_REPORT=/path/report.json`` to also write every mismatch (with the
model source) to a file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
import shape_models

pytestmark = pytest.mark.oracle

HERE = Path(__file__).resolve().parent
SEED = 20260229
RANDOM_COUNT = 600  # candidates generated; every one is built with Keras
REQUIRED_BUILT = 300
TF_KERAS_SUBSET = 150  # random models also built with tf_keras (plus every fixture)
FIELDS = ("output", "params", "trainable", "non_trainable")
STRUCTURAL = ("missing row", "extra row", "row order", "no summary")

# Where Keras 2 (tf_keras 2.21) and Keras 3 (3.15) disagree on the shapes or parameter
# counts of the fixtures and the random subset, as {(layer class, what differs)}.
# Measured: nowhere (every output shape, count and total agrees).  API differences that
# stop a script from building on one line are pinned by test_tf_keras_api_probes.
KNOWN_TF_KERAS_DIFFERENCES: set[tuple[str, str]] = set()
TF_KERAS = ("tf_keras", "keras3")


# ------------------------------------------------------------------------------- helpers


def _require_oracle_environment():
    missing = [m for m in ("tensorflow", "keras", "tf_keras") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"needs the 'oracle' extra (pip install -e .[oracle]); missing: {', '.join(missing)}")


def _start_harness(line: str, scripts: list[str], probes: list[str], workdir: Path) -> tuple[subprocess.Popen, Path]:
    """Run shape_models.py's harness for *line* ('keras3' or 'tf_keras') in a subprocess."""
    in_path, out_path = workdir / f"{line}-in.json", workdir / f"{line}-out.json"
    in_path.write_text(json.dumps({"scripts": scripts, "probes": probes}), encoding="utf-8")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1", KERAS_BACKEND="tensorflow")
    if line == "tf_keras":
        env["TF_USE_LEGACY_KERAS"] = "1"
    else:
        env.pop("TF_USE_LEGACY_KERAS", None)
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "shape_models.py"), line, str(in_path), str(out_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, out_path


def _finish_harness(proc: subprocess.Popen, out_path: Path, timeout: float = 1200) -> dict:
    _, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode == 0 and out_path.exists(), f"Keras harness failed:\n{stderr[-5000:]}"
    return json.loads(out_path.read_text(encoding="utf-8"))


def _named_in_source(source: str) -> set[str]:
    """Layer names the script itself writes (name="..." / name='...')."""
    return set(re.findall(r"""\bname=["']([^"']+)["']""", source))


def _ours(source: str) -> list:
    from kerasls.analysis import analyze

    return analyze(source).summaries


def _as_list(shape):
    return None if shape is None else list(shape)


@dataclass
class Mismatch:
    case: str  # fixture name or "random #i"
    model: str  # the variable the script binds the model to
    layer: str | None  # layer name (None: model totals / the whole model)
    kind: str  # Keras class of the layer ("Model" for totals)
    field: str  # output / params / trainable / non_trainable / missing row / extra row / order / ...
    ours: object
    keras: object
    source: str
    labels: tuple[str, str] = ("ours", "keras")  # what `ours` and `keras` hold

    def group(self) -> tuple[str, str]:
        return (self.kind, self.field)

    def line(self) -> str:
        where = f"{self.case}: {self.model}" + (f".{self.layer}" if self.layer else "")
        mine, theirs = self.labels
        return f"{where} [{self.kind}] {self.field}: {mine}={self.ours!r} {theirs}={self.keras!r}"


def compare(case: str, source: str, keras_result: dict, summaries: list) -> list[Mismatch]:
    """Every difference between our summaries and Keras's models for one script."""
    out: list[Mismatch] = []
    named = _named_in_source(source)
    by_name: dict = {}
    for summary in summaries:
        by_name[summary.name] = summary  # the variable's last binding wins
    for var, model in keras_result["models"].items():
        summary = by_name.get(var)
        if summary is None:
            out.append(
                Mismatch(case, var, None, "Model", "no summary", [s.name for s in summaries], model["class"], source)
            )
            continue
        rows = {}
        for row in summary.rows:
            if row.name is not None:
                rows.setdefault(row.name, row)
        keras_named = [layer for layer in model["layers"] if layer["name"] in named]
        for layer in keras_named:
            row = rows.get(layer["name"])
            if row is None:
                out.append(
                    Mismatch(case, var, layer["name"], layer["class"], "missing row", None, layer["output"], source)
                )
                continue
            for field in FIELDS:
                ours = _as_list(row.output) if field == "output" else getattr(row, field)
                if ours != layer[field]:
                    label = field if ours is not None else f"{field} unknown"
                    out.append(Mismatch(case, var, layer["name"], layer["class"], label, ours, layer[field], source))
        keras_names = {layer["name"] for layer in model["layers"]} | {model["name"]}
        for name, row in rows.items():
            if name not in keras_names:
                out.append(Mismatch(case, var, name, row.kind, "extra row", row.output, None, source))
        order_ours = [row.name for row in summary.rows if row.name in named and row.name in keras_names]
        order_keras = [layer["name"] for layer in keras_named if layer["name"] in rows]
        if order_ours != order_keras:
            out.append(Mismatch(case, var, None, "Model", "row order", order_ours, order_keras, source))
        for field, attribute in (
            ("total", "total_params"),
            ("trainable", "trainable_params"),
            ("non_trainable", "non_trainable_params"),
        ):
            ours = getattr(summary, attribute)
            if ours != model[field]:
                label = f"{field} params" if ours is not None else f"{field} params unknown"
                out.append(Mismatch(case, var, None, "Model", label, ours, model[field], source))
    return out


def _offending_line(m: Mismatch) -> str:
    if not m.layer:
        return ""
    for line in m.source.splitlines():
        if re.search(rf"""name=["']{re.escape(m.layer)}["']""", line):
            return line.strip()
    return ""


def report(mismatches: list[Mismatch], title: str, examples: int = 2) -> str:
    """Mismatches: counts by (layer kind, field); then, per model, the *first* layer (in
    Keras's order) whose value is wrong or unknown (later ones are mostly consequences),
    grouped, with examples and their sources; missing/extra rows and row order are
    grouped as they are."""
    if not mismatches:
        return f"{title}: none"
    groups: dict = defaultdict(list)
    for m in mismatches:
        groups[m.group()].append(m)
    lines = [
        f"{title}: {len(mismatches)} mismatches in {len({(m.case, m.model) for m in mismatches})} models",
        "all mismatches by (kind, field):",
    ]
    for (kind, field), items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"  {kind} / {field}: {len(items)}")

    per_model: dict = defaultdict(list)
    for position, m in enumerate(mismatches):  # compare() emits layers in Keras's order
        per_model[(m.case, m.model)].append((position, m))
    first: dict = defaultdict(list)
    for items in per_model.values():
        values = [m for _, m in items if m.layer and m.field not in STRUCTURAL]
        if values:
            first[values[0].group()].append(values[0])
        for _, m in items:
            if m.field in STRUCTURAL or (not values and m.layer is None):
                first[m.group()].append(m)
    lines.append("first wrong/unknown value per model (structural mismatches: each), by (kind, field):")
    for (kind, field), items in sorted(first.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lines.append(f"  {kind} / {field}: {len(items)} models")
    for (_kind, _field), items in sorted(first.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        for m in items[:examples]:
            lines.append("")
            lines.append("--- " + m.line())
            offending = _offending_line(m)
            if offending:
                lines.append("    at: " + offending)
            lines.append(m.source.rstrip())
    path = os.environ.get("KERASLS_ORACLE_REPORT")
    if path:
        existing = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        existing[title] = [asdict(m) for m in mismatches]
        Path(path).write_text(json.dumps(existing, indent=1, default=str))
    return "\n".join(lines)


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def fixture_sources() -> dict[str, str]:
    return shape_models.fixture_sources()


@pytest.fixture(scope="module")
def random_models() -> list[tuple[str, dict]]:
    return shape_models.generate_models_with_shapes(RANDOM_COUNT, SEED)


@pytest.fixture(scope="module")
def keras_runs(fixture_sources, random_models, tmp_path_factory):
    """Keras 3 on everything and tf_keras on the fixtures + a random subset, concurrently."""
    _require_oracle_environment()
    workdir = tmp_path_factory.mktemp("shape-oracle")
    fixture_names = list(fixture_sources)
    randoms = [source for source, _ in random_models]
    base_fixtures = [n for n in fixture_names if "@" not in n]
    probes = [source.lstrip("\n") for source in shape_models.PROBES.values()]
    started = time.monotonic()
    keras3 = _start_harness("keras3", [fixture_sources[n] for n in fixture_names] + randoms, probes, workdir)
    legacy = _start_harness(
        "tf_keras", [fixture_sources[n] for n in base_fixtures] + randoms[:TF_KERAS_SUBSET], probes, workdir
    )
    k3 = _finish_harness(*keras3)
    k2 = _finish_harness(*legacy)
    n_probes = len(probes)
    k3_probes, k2_probes = k3["results"][-n_probes:], k2["results"][-n_probes:]
    k3["results"], k2["results"] = k3["results"][:-n_probes], k2["results"][:-n_probes]
    elapsed = time.monotonic() - started
    print(
        f"\nKeras harnesses: {elapsed:.1f}s ({len(fixture_names) + len(randoms)} Keras 3 scripts, "
        f"{len(base_fixtures) + TF_KERAS_SUBSET} tf_keras scripts); versions {k3['versions']} {k2['versions']}"
    )
    n = len(fixture_names)
    return {
        "fixtures": dict(zip(fixture_names, k3["results"][:n])),
        "random": k3["results"][n:],
        "tf_keras_fixtures": dict(zip(base_fixtures, k2["results"][: len(base_fixtures)])),
        "tf_keras_random": k2["results"][len(base_fixtures) :],
        "probes": dict(zip(shape_models.PROBES, zip(k3_probes, k2_probes))),
    }


@pytest.fixture(scope="module")
def ours_fixtures(fixture_sources):
    return {name: _ours(source) for name, source in fixture_sources.items()}


@pytest.fixture(scope="module")
def ours_random(random_models):
    started = time.monotonic()
    out = [_ours(source) for source, _ in random_models]
    print(f"\nstatic analysis of {len(out)} random models: {time.monotonic() - started:.2f}s")
    return out


# --------------------------------------------------------------------------------- tests


def test_fixtures_build_with_keras3(keras_runs):
    failed = {name: r["error"] for name, r in keras_runs["fixtures"].items() if "error" in r}
    assert not failed, failed


def test_seed_cnn_totals(keras_runs, ours_fixtures):
    keras_model = keras_runs["fixtures"]["seed_cnn"]["models"]["model"]
    assert keras_model["total"] == 10_641_441 and keras_model["non_trainable"] == 0
    ours = {s.name: s for s in ours_fixtures["seed_cnn"]}["model"]
    assert (ours.total_params, ours.trainable_params, ours.non_trainable_params) == (10_641_441, 10_641_441, 0)
    by_name = {row.name: row for row in ours.rows}
    assert by_name["flatten"].output == (None, 20736)
    assert by_name["fc"].params == 10_617_344


def test_fixtures_match_keras3(keras_runs, fixture_sources, ours_fixtures):
    mismatches = []
    for name, source in fixture_sources.items():
        result = keras_runs["fixtures"][name]
        if "error" in result:
            continue  # reported by test_fixtures_build_with_keras3
        mismatches += compare(name, source, result, ours_fixtures[name])
    if mismatches:
        pytest.fail(report(mismatches, "fixtures vs Keras 3", examples=3), pytrace=False)


def test_random_models_build(keras_runs, random_models):
    errors = [(i, r["error"]) for i, r in enumerate(keras_runs["random"]) if "error" in r]
    built = len(random_models) - len(errors)
    print(f"\nrandom models: {len(random_models)} generated, {built} built, {len(errors)} discarded")
    for i, error in errors[:10]:
        print(f"  discarded #{i}: {error[:200]}")
    assert built >= REQUIRED_BUILT, errors[:5]


def test_generator_tracks_keras_shapes(keras_runs, random_models):
    """The generator's own shape bookkeeping agrees with Keras (keeps the generator honest)."""
    wrong = []
    for i, ((source, expected), result) in enumerate(zip(random_models, keras_runs["random"])):
        if "error" in result:
            continue
        for layer in result["models"]["model"]["layers"]:
            want = expected.get(layer["name"])
            if want is not None and [None, *want] != layer["output"]:
                wrong.append(f"#{i} {layer['name']}: generator {want} keras {layer['output']}\n{source}")
    assert not wrong, "\n".join(wrong[:5])


def test_random_models_match_keras3(keras_runs, random_models, ours_random):
    mismatches = []
    compared_layers = Counter()
    for i, ((source, _), result) in enumerate(zip(random_models, keras_runs["random"])):
        if "error" in result:
            continue
        for layer in result["models"]["model"]["layers"]:
            compared_layers[layer["class"]] += 1
        mismatches += compare(f"random #{i}", source, result, ours_random[i])
    print("\nlayers compared: " + ", ".join(f"{k} {v}" for k, v in compared_layers.most_common()))
    if mismatches:
        pytest.fail(report(mismatches, "random models vs Keras 3"), pytrace=False)


def _keras_differences(case: str, source: str, k3: dict, k2: dict) -> list[Mismatch]:
    """Where tf_keras's measurement of a script differs from Keras 3's."""
    if "error" in k3 or "error" in k2:
        if ("error" in k3) != ("error" in k2):
            return [
                Mismatch(
                    case,
                    "-",
                    None,
                    case,
                    "builds in one line only",
                    k2.get("error", "builds"),
                    k3.get("error", "builds"),
                    source,
                    TF_KERAS,
                )
            ]
        return []
    out = []
    named = _named_in_source(source)
    for var, m3 in k3["models"].items():
        m2 = k2["models"].get(var)
        if m2 is None:
            out.append(Mismatch(case, var, None, "Model", "model missing in tf_keras", None, None, source, TF_KERAS))
            continue
        layers2 = {layer["name"]: layer for layer in m2["layers"]}
        for layer in m3["layers"]:
            if layer["name"] not in named:
                continue
            other = layers2.get(layer["name"])
            if other is None:
                out.append(
                    Mismatch(
                        case,
                        var,
                        layer["name"],
                        layer["class"],
                        "layer missing in tf_keras",
                        None,
                        None,
                        source,
                        TF_KERAS,
                    )
                )
                continue
            for field in FIELDS:
                if layer[field] != other[field]:
                    out.append(
                        Mismatch(
                            case,
                            var,
                            layer["name"],
                            layer["class"],
                            field,
                            other[field],
                            layer[field],
                            source,
                            TF_KERAS,
                        )
                    )
        for field in ("total", "trainable", "non_trainable"):
            if m3[field] != m2[field]:
                out.append(
                    Mismatch(case, var, None, "Model", f"{field} params", m2[field], m3[field], source, TF_KERAS)
                )
    return out


def test_tf_keras_differences(keras_runs, fixture_sources, random_models):
    """Record where Keras 2 (tf_keras) differs from Keras 3 on the same scripts.

    kerasls follows Keras 3 (the other tests assert that); this test documents the
    Keras 2 differences in shapes and parameter counts and fails when they change.
    """
    differences = []
    for name, k2 in keras_runs["tf_keras_fixtures"].items():
        differences += _keras_differences(name, fixture_sources[name], keras_runs["fixtures"][name], k2)
    for i, k2 in enumerate(keras_runs["tf_keras_random"]):
        differences += _keras_differences(f"random #{i}", random_models[i][0], keras_runs["random"][i], k2)
    found = {m.group() for m in differences}
    text = report(differences, "tf_keras vs Keras 3", examples=2)
    print(
        f"\n{len(keras_runs['tf_keras_fixtures'])} fixtures and {len(keras_runs['tf_keras_random'])} random models "
        f"under tf_keras; {text}"
    )
    if found != KNOWN_TF_KERAS_DIFFERENCES:
        pytest.fail(f"differing (kind, field) pairs: {sorted(found)}\n\n{text}", pytrace=False)


def test_tf_keras_api_probes(keras_runs):
    """Keras 2 / Keras 3 API differences that decide whether (and how) a model builds."""
    probes = keras_runs["probes"]

    # Keras 3's AveragePooling*D has no default pool_size (MaxPooling*D's is 2); tf_keras's is 2.
    k3, k2 = probes["average_pooling_default_pool_size"]
    assert "missing 1 required positional argument: 'pool_size'" in k3["error"], k3
    assert k2["models"]["model"]["layers"][0]["output"] == [None, 4, 4, 3], k2

    # Keras 3 drops Embedding(input_length=...): the Sequential has no input shape and stays
    # unbuilt (no output shapes, no weights); tf_keras builds it from input_length.
    k3, k2 = probes["embedding_input_length"]
    k3_layers = {layer["name"]: layer for layer in k3["models"]["model"]["layers"]}
    k2_layers = {layer["name"]: layer for layer in k2["models"]["model"]["layers"]}
    assert str(k3_layers["emb"]["output"]).startswith("error:") and k3["models"]["model"]["total"] == 0
    assert k2_layers["emb"]["output"] == [None, 20, 16] and k2_layers["flat"]["output"] == [None, 320]
    assert k2["models"]["model"]["total"] == 16000 + 321

    # Keras 3's InputLayer takes shape=; tf_keras's takes input_shape= and rejects shape=.
    k3, k2 = probes["input_layer_shape_argument"]
    assert k3["models"]["model"]["layers"][0]["output"] == [None, 2], k3
    assert k2["error"] == "ValueError: Unrecognized keyword arguments: ['shape']", k2

    # Keras 3's applications accept name=; tf_keras's raise.
    k3, k2 = probes["application_name_argument"]
    assert k3["models"]["base"]["name"] == "base"
    assert k2["error"].startswith("ValueError: Unknown argument(s): {'name': 'base'}"), k2
