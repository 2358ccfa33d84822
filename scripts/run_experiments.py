"""Run the ground-truth experiments under Keras 3 and Keras 2 and write measured.json.

    python scripts/run_experiments.py                      # everything, both lines
    python scripts/run_experiments.py --only KLS201,KLS401 # update those entries
    python scripts/run_experiments.py --line tf_keras      # update one line only

Each Keras line runs in its own child process (``--child LINE``), because the
line is chosen by environment variables before TensorFlow is imported:
``keras3`` is plain Keras 3, ``tf_keras`` sets ``TF_USE_LEGACY_KERAS=1``.
Experiments that define ``JAX = True`` also run under Keras 3 with
``KERAS_BACKEND=jax`` when jax is installed; their result goes to
``experiments[RULE]["keras3"]["jax"]`` (``"not measured"`` without jax).

With ``--only``/``--line`` the existing output file is updated in place:
other entries are kept. Output is deterministic: sorted keys, indent=1,
floats rounded to 5 decimals, non-finite floats written as "nan"/"inf"/"-inf".
"""

import argparse
import importlib
import importlib.util
import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "scripts" / "experiments"
DEFAULT_OUTPUT = ROOT / "kerasls" / "knowledge" / "measured.json"
LINES = ("keras3", "tf_keras")
CHILD_ENV = {
    "keras3": {"TF_USE_LEGACY_KERAS": "0", "KERAS_BACKEND": "tensorflow"},
    "tf_keras": {"TF_USE_LEGACY_KERAS": "1", "KERAS_BACKEND": "tensorflow"},
    "keras3_jax": {"TF_USE_LEGACY_KERAS": "0", "KERAS_BACKEND": "jax"},
}


def all_rules():
    return sorted(p.stem.upper() for p in EXPERIMENTS.glob("kls[0-9]*.py"))


# ------------------------------------------------------------------ child side


def child_main(rules, output):
    """Run ``rules`` in this process (line fixed by the environment); dump JSON to ``output``."""
    sys.path.insert(0, str(ROOT))
    from scripts.experiments import common

    result = {"versions": versions(common), "experiments": {}}
    for rule in rules:
        module = importlib.import_module(f"scripts.experiments.{rule.lower()}")
        if common.BACKEND == "jax" and not getattr(module, "JAX", False):
            continue
        started = time.monotonic()
        variants = module.run()
        result["experiments"][rule] = {"setup": module.SETUP, "fix": module.FIX, "variants": variants}
        print(f"[{common.LINE}/{common.BACKEND}] {rule} {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
    with open(output, "w") as fh:
        json.dump(result, fh, default=float)


def versions(common):
    out = {"tensorflow": common.tf.__version__}
    if common.LINE == "tf_keras":
        import tf_keras

        out["tf_keras"] = tf_keras.__version__
    else:
        out["keras"] = common.keras.__version__
    return out


# ----------------------------------------------------------------- parent side


def start_child(kind, rules):
    fd, path = tempfile.mkstemp(prefix=f"kls_{kind}_", suffix=".json")
    os.close(fd)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", **CHILD_ENV[kind]}
    cmd = [
        sys.executable,
        str(pathlib.Path(__file__).resolve()),
        "--child",
        "--only",
        ",".join(rules),
        "--output",
        path,
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc, path


def finish_child(kind, proc, path):
    _, stderr = proc.communicate()
    progress = [line for line in stderr.splitlines() if line.startswith("[")]
    sys.stderr.write("".join(line + "\n" for line in progress))
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} child failed ({proc.returncode}):\n{stderr[-4000:]}")
    with open(path) as fh:
        data = json.load(fh)
    os.unlink(path)
    return data


def measure(rules=None, lines=LINES):
    """Run ``rules`` (default: all) under ``lines``; return the measured.json fragment for them."""
    rules = rules or all_rules()
    kinds = list(lines)
    if "keras3" in lines and importlib.util.find_spec("jax") is not None:
        kinds.append("keras3_jax")
    children = {kind: start_child(kind, rules) for kind in kinds}  # run side by side
    raw = {}
    for kind in kinds:
        try:
            raw[kind] = finish_child(kind, *children[kind])
        except RuntimeError as exc:
            if kind != "keras3_jax":  # jax is optional: its rules then say "not measured"
                raise
            print(f"warning: the jax run failed, recorded as 'not measured':\n{exc}", file=sys.stderr)

    doc = {"versions": {}, "experiments": {}}
    for kind in lines:
        doc["versions"].update(raw[kind]["versions"])
        for rule, entry in raw[kind]["experiments"].items():
            exp = doc["experiments"].setdefault(rule, {"setup": entry["setup"], "fix": entry["fix"]})
            exp[kind] = entry["variants"]
            if kind == "keras3" and entry["variants"].get("jax") is None and is_jax_rule(rule):
                jax = raw.get("keras3_jax", {}).get("experiments", {}).get(rule)
                exp[kind]["jax"] = jax["variants"] if jax else "not measured"
    return tidy(doc)


def is_jax_rule(rule):
    text = (EXPERIMENTS / f"{rule.lower()}.py").read_text()
    return "\nJAX = True" in text


def tidy(value):
    """Round floats to 5 decimals; non-finite floats become strings."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        rounded = round(value, 5)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {key: tidy(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy(v) for v in value]
    return value


def merge(old, new):
    """Update ``old`` with the lines/experiments measured in ``new``."""
    out = {"versions": {**old.get("versions", {}), **new["versions"]}, "experiments": dict(old.get("experiments", {}))}
    for rule, entry in new["experiments"].items():
        out["experiments"][rule] = {**out["experiments"].get(rule, {}), **entry}
    return out


def dumps(doc):
    return json.dumps(doc, sort_keys=True, indent=1, allow_nan=False) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="comma-separated rule ids, e.g. KLS201,KLS401")
    ap.add_argument("--output", default=str(DEFAULT_OUTPUT))
    ap.add_argument("--line", choices=LINES, help="run one Keras line only")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    rules = [r.strip().upper() for r in args.only.split(",")] if args.only else all_rules()
    unknown = sorted(set(rules) - set(all_rules()))
    if unknown:
        ap.error(f"unknown rule(s): {', '.join(unknown)}")
    if args.child:
        return child_main(rules, args.output)

    started = time.monotonic()
    doc = measure(rules, (args.line,) if args.line else LINES)
    output = pathlib.Path(args.output)
    if (args.only or args.line) and output.exists():
        doc = merge(json.loads(output.read_text()), doc)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(dumps(doc))
    print(f"wrote {output} ({len(doc['experiments'])} experiments) in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
