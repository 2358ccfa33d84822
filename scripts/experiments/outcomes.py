"""Compile the experiment matrix's results into what kerasls ships: kerasls/knowledge/outcomes.json.

    python scripts/experiments/outcomes.py [--results scripts/experiments/matrix_results.json]

For every measured configuration and Keras line, one compact entry (stored as a JSON string):

    ["raises", stage, error type, template, verified]
        fit raises; `template` is the error's first line with the configuration's numbers as
        {K}, {units}, {batch}... placeholders (cut before graph-node names, ending in " …");
        `verified` when the template re-rendered the messages of the same runs at other numbers
        (so the user's numbers can go in), and the wording does not vary between runs.
    ["trains", loss flags, metrics, real]
        fit trains. loss flags: negative, zero, nan, constant. metrics: for each of the four
        accuracy metrics, ["trains", resolves to, last, constant] or a "raises" entry (compiling
        that metric makes fit raise). real: [learns (`learned`: None when too close to call),
        predictions sum to 1 (None: one output), output constant, real accuracy, chance].

The data pipeline and the label kind are part of the key (`Setup.key()` in kerasls/rules/setups.py).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.experiments.matrix import DEFAULT_OUTPUT, METRICS, load_results  # noqa: E402

OUT = ROOT / "kerasls" / "knowledge" / "outcomes.json"
LOSS_FLAGS = (("loss_negative", "negative"), ("loss_zero", "zero"), ("loss_nan", "nan"), ("loss_constant", "constant"))


# Texts whose operand order changes between runs of the same configuration (which of the
# graph's ops fails first): measured both ways, so no one wording can be promised.
UNSTABLE = ("Incompatible shapes:", "Inputs to operation ")
# Where a text goes on to name the experiment's own graph nodes and layers ('sequential/dense'):
# only the part before it is the user's.
INTERNAL = " for '{{node "


def _error(entry: dict) -> list:
    checks = entry.get("template_checks", "")
    verified = "cross_k" in checks and "other_numbers" in checks and "mismatch" not in checks
    template = entry.get("error_template")
    if template and template.startswith(UNSTABLE):
        verified = False
    if template and INTERNAL in template:
        template = template[: template.index(INTERNAL)] + " …"  # quoted as the start of the message
    return ["raises", entry.get("stage", "first_step"), entry.get("error_type"), template, verified]


def learned(real: dict) -> bool | None:
    """True: clearly learnt; False: stayed at chance; None: in between, or too close to call.

    The matrix calls a run "learns" at chance + 25% of the way to perfect (R^2 > 0.5). A claim is
    made only well away from that line, so that a re-run's last digits cannot turn it around.
    """
    value, chance = real.get("value"), real.get("chance")
    if value is None or chance is None or real.get("output_nan"):
        return False if real.get("output_nan") else None
    if real.get("rule") == "r2_first_unit":
        return True if value > 0.6 else False if value < 0.1 else None
    if value >= chance + 0.35 * (1 - chance):
        return True
    if value <= chance + 0.1 * (1 - chance):
        return False
    return None


def compile_record(record: dict) -> list:
    if record.get("outcome") == "raises":
        return _error(record)
    flags = [name for flag, name in LOSS_FLAGS if record.get(flag)]
    metrics = {}
    for name in METRICS:
        m = (record.get("metrics") or {}).get(name)
        if not m:
            continue
        if m.get("outcome") == "raises":
            metrics[name] = _error(m)
        else:
            resolves = record.get("accuracy_resolves_to") if name == "accuracy" else name
            metrics[name] = ["trains", resolves, m.get("last"), bool(m.get("constant") and m.get("val_constant"))]
    real = record.get("real") or {}
    return [
        "trains",
        flags,
        metrics,
        [
            learned(real),
            real.get("predict_sums_to_one"),
            bool(real.get("output_constant")),
            real.get("value"),
            real.get("chance"),
        ],
    ]


def _compact(entry: list) -> str:
    return json.dumps(entry, separators=(",", ":"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    doc = load_results(args.results)
    out = {
        "format": 1,
        "about": "what fit does per configuration, measured by scripts/experiments/matrix.py; see outcomes.py",
        "versions": doc.get("versions", {}),
        "settings": {k: doc.get("settings", {}).get(k) for k in ("batch", "epochs", "n_train", "n_val")},
        # each entry as a JSON string: kerasls decodes only those it is asked about
        "lines": {
            line: {key: _compact(compile_record(record)) for key, record in sorted(records.items())}
            for line, records in doc["results"].items()
        },
    }
    text = json.dumps(out, separators=(",", ":"), sort_keys=True)
    pathlib.Path(args.out).write_text(text + "\n")
    counts = {line: len(records) for line, records in out["lines"].items()}
    print(f"wrote {args.out}: {counts} configurations, {len(text) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
