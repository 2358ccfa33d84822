"""What a message may say fit does: only what was measured for the user's exact configuration.

The pure part runs on small hand-made outcome tables, so each rule of the wording (exact
entry, generalising over class counts, quoting error texts with the user's numbers) is
pinned down; the shipped table is checked end to end in test_claims.py.
"""

from __future__ import annotations

import pytest

from kerasls.rules import consequences as C
from kerasls.rules.setups import Setup

ONE_HOT_HEAD_1 = {"labels": "one_hot", "units": 1, "activation": "linear", "loss": "binary_crossentropy"}


def _setup(K, **over):
    fields = {**ONE_HOT_HEAD_1, "K": K, "from_logits": True, "pipeline": "arrays", "metrics": ("accuracy",)}
    fields.update(over)
    return Setup(**fields)


def _trains(accuracy_last, constant=True, flags=(), learns=False):
    metric = ["trains", "binary_accuracy", accuracy_last, constant]
    return ["trains", list(flags), {"accuracy": metric}, [learns, None, False, 0.1, 0.1]]


@pytest.fixture
def table(monkeypatch):
    """Install a hand-made outcome table; returns the per-line dicts to fill."""
    doc = {"lines": {"keras3": {}, "tf_keras": {}}}
    monkeypatch.setattr(C, "outcomes", lambda: doc)
    C._measured_ks.cache_clear()
    yield doc["lines"]
    C._measured_ks.cache_clear()


def test_exact_entry_with_verified_template_is_quoted_with_the_users_numbers(table):
    setup = _setup(42)
    table["keras3"][setup.key()] = ["raises", "first_step", "ValueError", "expected {units} got {K} in {batch}", True]
    table["tf_keras"][setup.key()] = _trains(41 / 42)
    text = C.statement(setup, None)
    assert 'Measured on Keras 3: fit raises ValueError at the first step: "expected 1 got 42 in batch"' in text
    assert "Keras 2: fit trains without an error, but 'accuracy' (binary accuracy here) is stuck at (K-1)/K" in text
    assert "41/42 = 0.9762" in text


def test_unverified_template_or_experiment_number_is_not_quoted(table):
    setup = _setup(10)
    table["keras3"][setup.key()] = ["raises", "first_step", "ValueError", "expected {units} got {K}", False]
    table["tf_keras"][setup.key()] = ["raises", "first_step", "ValueError", "hidden layer {hidden} broke", True]
    text = C.statement(setup, None)
    assert text == "Measured on Keras 3 and Keras 2: fit raises ValueError at the first step."


def test_an_unmeasured_class_count_gets_only_what_the_structure_decides(table):
    for K in (3, 10):
        table["keras3"][_setup(K).key()] = _trains((K - 1) / K, flags=("zero", "constant"))
    # the plateau and a still loss depend on the run: said at 3 and 10, not carried to 7
    assert "is stuck at (K-1)/K = 2/3" in C.statement(_setup(3), 3)
    assert (
        C.statement(_setup(7), 3)
        == "Measured on Keras 3: fit trains without an error, but the loss is exactly 0 every epoch."
    )
    # the width keeps its relation to the class count: units=K at K=7 stands for units=K at 3 and 10
    table["keras3"][_setup(3, units=3).key()] = ["raises", "first_step", "ValueError", "{units} vs {K}", True]
    table["keras3"][_setup(10, units=10).key()] = ["raises", "first_step", "ValueError", "{units} vs {K}", True]
    assert (
        C.statement(_setup(7, units=7), 3) == 'Measured on Keras 3: fit raises ValueError at the first step: "7 vs 7".'
    )
    table["keras3"][_setup(10, units=10).key()] = _trains(0.5)
    assert C.statement(_setup(7, units=7), 3) is None  # raises at 3, trains at 10: no claim


def test_a_configuration_never_measured_gets_no_statement(table):
    assert C.statement(_setup(10), None) is None
    assert C.statement(_setup(10, pipeline="directory_iterator"), 3) is None


def test_only_the_users_keras_line_is_described_when_known(table):
    setup = _setup(10)
    table["keras3"][setup.key()] = ["raises", "first_step", "ValueError", "units {units}", True]
    table["tf_keras"][setup.key()] = _trains(0.9)
    assert C.statement(setup, 3) == 'Measured on Keras 3: fit raises ValueError at the first step: "units 1".'
    assert C.statement(setup, 2).startswith("Measured on Keras 2: fit trains without an error, but")


def test_both_lines_alike_are_said_once(table):
    setup = _setup(10, loss="categorical_crossentropy", activation="sigmoid", from_logits=False)
    for line in table.values():
        line[setup.key()] = _trains(1.0, flags=("zero", "constant"))  # a zero loss is also constant: said once
    assert C.statement(setup, None) == (
        "Measured on Keras 3 and Keras 2: fit trains without an error, but the loss is exactly 0 every epoch, "
        "'accuracy' (binary accuracy here) is stuck at 1.0 and its predictions stayed at chance level "
        "in the measured run."
    )


def test_a_metric_that_raises_is_what_happens_first(table):
    setup = _setup(10, metrics=("sparse_categorical_accuracy",))
    entry = _trains(0.9)
    entry[2]["sparse_categorical_accuracy"] = ["raises", "first_step", "InvalidArgumentError", "[{batch},{K}]", True]
    table["keras3"][setup.key()] = entry
    assert C.statement(setup, 3) == (
        'Measured on Keras 3: fit raises InvalidArgumentError at the first step: "[batch,10]".'
    )


def test_render_fills_only_the_users_numbers():
    setup = _setup(42)
    assert C.render("{K_minus_1} of {K} with {units} unit", setup) == "41 of 42 with 1 unit"
    assert C.render("size {N} and {hidden}", setup) is None
