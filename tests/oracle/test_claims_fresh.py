"""Claims re-measured: what kerasls says fit does, checked against fresh runs in TensorFlow.

Two sets of configurations, each run by the experiment matrix's engine under Keras 3 and
Keras 2 (one child process per line):
- every training kerasls makes a claim about in the rule examples, the fixture programs and
  examples/ (the configuration the analysis found, with the user's class count);
- a sample of the generated programs of tests/claim_programs.py, half of them at class counts
  the shipped data never measured (where claims generalise from 3, 10 and 42).
For each, the claim computed from the fresh run must equal the claim kerasls ships. The whole
space is checked against the committed measurements in tests/test_claims.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest
from claim_programs import analysed
from helpers import check

from kerasls.analysis import analyze
from kerasls.filesystem import FileSystemHost
from kerasls.rules import RULES, consequences
from kerasls.rules.consequences import About

pytestmark = pytest.mark.oracle

ROOT = Path(__file__).resolve().parents[2]
LINES = ("keras3", "tf_keras")
SAMPLE_MEASURED, SAMPLE_UNMEASURED = 40, 30


def _order(setup) -> str:
    return hashlib.sha256(setup.key().encode()).hexdigest()


def program_setups() -> dict:
    """Setups kerasls states a consequence for in the shipped programs, with where they came from."""
    found = {}
    runs = [
        (f"{rule.code} example", lambda e=e: check(e.code, folders=e.folders)) for rule in RULES for e in rule.INVALID
    ]
    for path in sorted((ROOT / "tests" / "fixtures").glob("*.py")) + sorted((ROOT / "examples").glob("*.py")):
        runs.append((path.name, lambda p=path: analyze(p.read_text(), host=FileSystemHost(p))))
    for where, run in runs:
        for d in run().diagnostics:
            if isinstance(d.topic, About) and "Measured on" in d.message:
                found.setdefault(d.topic.setup, where)
    return found


def sampled_setups() -> list:
    stated = [s for s, ds in analysed() if ds and ds[0].topic.setup and consequences.statement(s, None)]
    measured = sorted((s for s in stated if s.K in (None, 2, 3, 10, 42)), key=_order)
    unmeasured = sorted((s for s in stated if s.K in (5, 7)), key=_order)
    return measured[:SAMPLE_MEASURED] + unmeasured[:SAMPLE_UNMEASURED]


@pytest.fixture(scope="module")
def fresh():
    missing = [m for m in ("tensorflow", "keras", "tf_keras") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"needs the 'oracle' extra (pip install -e .[oracle]); missing: {', '.join(missing)}")
    sys.path.insert(0, str(ROOT))
    from scripts.experiments import matrix
    from scripts.experiments.outcomes import compile_record

    setups = {**dict.fromkeys(sampled_setups(), "generated"), **program_setups()}
    configs = {
        s: matrix.Config(s.labels, s.K, s.units, s.activation, s.loss, s.from_logits, s.pipeline) for s in setups
    }
    results = matrix.measure(list(dict.fromkeys(configs.values())), lines=LINES, progress=False)
    raw = {line: {s: results[line][c.key()] for s, c in configs.items()} for line in LINES}
    numbers = {s: matrix.numbers_for(c) for s, c in configs.items()}
    return setups, raw, numbers, compile_record, matrix.render


def test_there_is_enough_to_check(fresh):
    setups = fresh[0]
    kinds = set(setups.values())
    assert len(setups) >= SAMPLE_MEASURED + SAMPLE_UNMEASURED
    assert any("example" in w for w in kinds) and any(w.endswith(".py") for w in kinds)


@pytest.mark.parametrize("line", LINES)
def test_every_claim_matches_a_fresh_run(fresh, line):
    setups, raw, numbers, compile_record, render = fresh
    wrong, checked = [], 0
    for setup, where in setups.items():
        shipped = consequences.claim(setup, line)
        if shipped is None:
            continue  # kerasls says nothing about this line here: nothing to be wrong
        checked += 1
        record = raw[line][setup]
        now = consequences.entry_claim(setup, setup, compile_record(record))
        if consequences.generalised(setup, line):
            now = consequences.structural(now)  # all kerasls claims at a class count it did not measure
        if shipped.raises is None:
            same = now == shipped
        else:  # the same error, and the quoted text is what this very run printed, numbers and all
            same = now.raises is not None and now.raises[:2] == shipped.raises[:2]
            template = shipped.raises[3]
            if same and template is not None:
                rendered, printed = render(template, numbers[setup]), _error_raised(record, setup.metrics) or ""
                if rendered.endswith(" …"):  # quoted as the start of the message
                    same = printed.startswith(rendered[: -len(" …")])
                else:
                    same = rendered == printed
        if not same:
            wrong.append(
                (where, setup.key(), setup.metrics, consequences.describe(shipped), consequences.describe(now))
            )
    assert checked >= SAMPLE_MEASURED
    assert not wrong, "\n".join(map(str, wrong))


def _error_raised(record: dict, metrics: tuple) -> str | None:
    """The error text fit printed first: the loss's, else the first compiled metric's that raised."""
    if record.get("outcome") == "raises":
        return record.get("error")
    for name in metrics:
        m = (record.get("metrics") or {}).get(name) or {}
        if m.get("outcome") == "raises":
            return m.get("error")
    return None
