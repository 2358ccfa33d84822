"""Oracle: the claims kerasls's rule docs make, proved against real TensorFlow/Keras.

Runs every experiment in ``scripts/experiments`` fresh, under Keras 3 and
Keras 2 (``tf_keras``), through ``scripts/run_experiments.py``, then asserts
each rule's claim on the fresh measurement *and* on the shipped
``kerasls/knowledge/measured.json`` (so the shipped file can't drift from
what TensorFlow really does), and that the two agree on every outcome, error
message and exact number the docs quote (not on noisy training curves).

    python -m pytest -m oracle tests/oracle/test_experiments.py -p no:cacheprovider

Needs the ``oracle`` extra (tensorflow-cpu, tf_keras, pillow); ``jax`` is
optional (KLS301/KLS302 then also report the JAX backend).
"""

import importlib.util
import json
import math
import pathlib
import re

import pytest

pytestmark = pytest.mark.oracle

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "kerasls" / "knowledge" / "measured.json"
LINES = ("keras3", "tf_keras")


def _runner():
    spec = importlib.util.spec_from_file_location("run_experiments", ROOT / "scripts" / "run_experiments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runner():
    if importlib.util.find_spec("tensorflow") is None or importlib.util.find_spec("tf_keras") is None:
        pytest.fail("needs the 'oracle' extra (pip install -e .[oracle]): tensorflow-cpu and tf_keras")
    return _runner()


@pytest.fixture(scope="module")
def fresh(runner):
    return runner.measure()


@pytest.fixture(scope="module")
def shipped():
    return json.loads(SHIPPED.read_text())


@pytest.fixture(params=["fresh", "shipped"])
def doc(request):
    return request.getfixturevalue(request.param)


# ------------------------------------------------------------------ helpers


def exp(doc, rule, line):
    return doc["experiments"][rule][line]


def raises(variant, error_type=None, fragment=None):
    assert variant["outcome"] == "raises", variant
    if error_type:
        assert variant["error_type"] == error_type, variant
    if fragment:
        assert fragment in variant["error"], variant["error"]


def trains(variant):
    assert variant["outcome"] == "trains", variant.get("error")
    return variant


def learns(variant, key="accuracy", baseline=None):
    """The fixed configuration is clearly above the trivial baseline."""
    trains(variant)
    baseline = variant["baseline"] if baseline is None else baseline
    value = variant["final"][key]
    assert value > baseline + 0.2 or value > 2 * baseline + 0.05, (value, baseline)


def warned(variant, fragment):
    assert any(fragment in w for w in variant.get("warnings", [])), variant.get("warnings")


def same4(a, b):
    return round(a, 4) == round(b, 4)


# ------------------------------------------------------------ file contract


def test_shipped_file_format(shipped, runner):
    assert SHIPPED.read_text() == runner.dumps(shipped)  # sorted keys, indent=1, trailing newline
    assert set(shipped["versions"]) == {"tensorflow", "keras", "tf_keras"}
    assert sorted(shipped["experiments"]) == runner.all_rules()

    def floats(value):
        if isinstance(value, float):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from floats(v)
        elif isinstance(value, list):
            for v in value:
                yield from floats(v)

    for rule, entry in shipped["experiments"].items():
        assert entry["setup"] and entry["fix"], rule
        for line in LINES:
            for name, variant in entry[line].items():
                if name == "jax":
                    continue
                assert variant["outcome"] in ("raises", "trains"), (rule, line, name)
                if variant["outcome"] == "raises":
                    assert variant["error_type"] and variant["error"], (rule, line, name)
                    assert "0x" not in variant["error"] or "0x..." in variant["error"]
        assert all(round(f, 5) == f for f in floats(entry)), rule


def test_versions_match_installed(fresh, shipped):
    assert fresh["versions"] == shipped["versions"]


AGREE_KEYS = (
    "K",
    "k_minus_1_over_k",
    "plateau",
    "baseline",
    "label_values",
    "output_constant",
    "loss_constant",
    "positive_rate",
    "resolved_metric",
    "learning_rate",
    "output_shape",
    "output_shapes",
    "resolved_class",
    "backend",
    "max_achievable_accuracy",
)


def _variants(doc):
    for rule, entry in doc["experiments"].items():
        for line in LINES:
            for name, variant in entry.get(line, {}).items():
                if name == "jax":
                    if isinstance(variant, dict):
                        for jname, jvariant in variant.items():
                            yield (rule, line, "jax/" + jname), jvariant
                    continue
                yield (rule, line, name), variant


def _error(variant):
    """The error line without the layer-name counters, which depend on what ran before."""
    return re.sub(r"(?<=[a-z])(?:_\d+)+\b", "", variant["error"]) if variant.get("error") else None


def test_shipped_agrees_with_fresh_run(fresh, shipped):
    """Same variants, outcomes, error types and messages, and the same quoted numbers."""
    old, new = dict(_variants(shipped)), dict(_variants(fresh))
    jax_measured = any(k[2].startswith("jax/") for k in new)
    assert sorted(k for k in new) == sorted(k for k in old if jax_measured or not k[2].startswith("jax/"))
    for key, got in new.items():
        want = old[key]
        assert got["outcome"] == want["outcome"], key
        assert got.get("error_type") == want.get("error_type"), key
        assert _error(got) == _error(want), key
        for field in AGREE_KEYS:
            assert got.get(field) == want.get(field), (key, field)
        nan_new = any(v == "nan" for v in got.get("final", {}).values())
        nan_old = any(v == "nan" for v in want.get("final", {}).values())
        assert nan_new == nan_old, key


# ------------------------------------------------------------------- claims


def test_kls101_output_units_mismatch(doc):
    for line in LINES:
        v = exp(doc, "KLS101", line)
        raises(v["invalid_one_hot"], "ValueError")
        raises(
            v["invalid_sparse"],
            "InvalidArgumentError",
            "Received a label value of 9 which is outside the valid range of [0, 9)",
        )
        learns(v["fixed"])
        learns(v["fixed_sparse"])
    raises(exp(doc, "KLS101", "keras3")["invalid_one_hot"], fragment="output.shape=(None, 9)")
    raises(
        exp(doc, "KLS101", "tf_keras")["invalid_one_hot"], fragment="Shapes (None, 10) and (None, 9) are incompatible"
    )


def _plateau(variant):
    trains(variant)
    k = variant["K"]
    assert same4(variant["k_minus_1_over_k"], (k - 1) / k)
    assert same4(variant["plateau"], (k - 1) / k), variant["final"]
    assert same4(variant["final"]["accuracy"], (k - 1) / k)
    if "val_accuracy" in variant["final"]:
        assert same4(variant["final"]["val_accuracy"], (k - 1) / k)
    assert variant["resolved_metric"] == "binary_accuracy"


def test_kls201_seed_story(doc):
    k3, k2 = exp(doc, "KLS201", "keras3"), exp(doc, "KLS201", "tf_keras")
    same_shape = "Arguments `target` and `output` must have the same shape"
    raises(k3["arrays"], "ValueError", same_shape)
    raises(k3["directory_iterator"], "ValueError", same_shape)
    _plateau(k3["tf_data_unknown_shape"])
    # tf_keras: numpy arrays are caught by sigmoid_cross_entropy_with_logits' static shape check ...
    raises(k2["arrays"], "ValueError", "`logits` and `labels` must have the same shape")
    # ... but the generator/iterator paths hide the label shape and train silently at (K-1)/K.
    _plateau(k2["tf_data_unknown_shape"])
    _plateau(k2["directory_iterator"])
    assert k2["directory_iterator"]["K"] == 42 and same4(k2["directory_iterator"]["plateau"], 0.9762)
    for v in (k3, k2):
        assert v["fixed"]["resolved_metric"] == "categorical_accuracy"
        learns(v["fixed"], "val_accuracy")
    # Keras 3 checks the shapes whatever the loss spelling, as soon as it can see the label shape
    # (the directory iterator's first batch is peeked, so its shape is known too).
    for name in ("arrays_sigmoid", "arrays_linear_probabilities", "tf_data_known_shape", "directory_iterator_sigmoid"):
        raises(k3[name], "ValueError", same_shape)
        raises(k3[name], fragment="target.shape=(None, 42), output.shape=(None, 1)")
    # tf_keras: a sigmoid output hands its logits to sigmoid_cross_entropy_with_logits (static shape check) ...
    logits_shape = "`logits` and `labels` must have the same shape, received ((None, 1) vs (None, 42))"
    raises(k2["arrays_sigmoid"], "ValueError", logits_shape)
    raises(k2["tf_data_known_shape"], "ValueError", logits_shape)  # from_tensor_slices: label shape (None, 42)
    # ... but a linear output read as probabilities broadcasts (N, 1) against (N, 42) and trains silently,
    _plateau(k2["arrays_linear_probabilities"])
    # and the iterator hides the label shape from the check even with the sigmoid output.
    _plateau(k2["directory_iterator_sigmoid"])
    assert same4(k2["directory_iterator_sigmoid"]["plateau"], 0.9762)


def test_kls202_categorical_crossentropy_on_integer_labels(doc):
    for line in LINES:
        v = exp(doc, "KLS202", line)
        raises(v["invalid_rank1"], "ValueError")
        raises(v["invalid_column"], "ValueError")
        learns(v["fixed"])
        learns(v["fixed_column"])
    raises(exp(doc, "KLS202", "keras3")["invalid_rank1"], fragment="must have the same rank")
    raises(exp(doc, "KLS202", "keras3")["invalid_column"], fragment="target.shape=(None, 1), output.shape=(None, 5)")
    raises(exp(doc, "KLS202", "tf_keras")["invalid_column"], fragment="Shapes (None, 1) and (None, 5) are incompatible")


def test_kls203_sparse_crossentropy_on_one_hot(doc):
    raises(exp(doc, "KLS203", "keras3")["invalid"], "ValueError", "must have rank (ndim) `target.ndim - 1`")
    raises(
        exp(doc, "KLS203", "tf_keras")["invalid"],
        "InvalidArgumentError",
        "logits and labels must have the same first dimension",
    )
    for line in LINES:
        learns(exp(doc, "KLS203", line)["fixed"])


def test_kls204_binary_label_mode_with_many_classes(doc):
    for line in LINES:
        v = exp(doc, "KLS204", line)
        it = trains(v["flow_from_directory_binary"])
        assert it["label_values"] == [0.0, 1.0, 2.0] and it["K"] == 3
        assert it["min_loss"] < 0  # a target of 2 makes binary crossentropy unbounded below
        assert it["final"]["accuracy"] <= it["max_achievable_accuracy"] + 1e-6
        raises(v["image_dataset_binary"], "ValueError", 'When passing `label_mode="binary"`, there must be exactly 2')
        learns(v["fixed"])


def test_kls205_two_unit_softmax_with_binary_crossentropy(doc):
    k3, k2 = exp(doc, "KLS205", "keras3"), exp(doc, "KLS205", "tf_keras")
    raises(k3["arrays"], "ValueError", "target.shape=(None, 1), output.shape=(None, 2)")
    raises(k3["directory_iterator"], "ValueError", "must have the same rank")
    raises(k2["arrays"], "ValueError", "`logits` and `labels` must have the same shape")
    raises(k2["directory_iterator"], "ValueError", "`logits` and `labels` must have the same shape")
    raises(k3["arrays_rank1"], "ValueError", "must have the same rank")
    raises(k3["arrays_rank1"], fragment="target.shape=(None,), output.shape=(None, 2)")
    raises(k3["tf_data_known_shape"], "ValueError", "target.shape=(None, 1), output.shape=(None, 2)")
    for name in ("arrays_rank1", "tf_data_known_shape"):  # tf_keras lifts rank-1 labels to (None, 1) first
        raises(
            k2[name], "ValueError", "`logits` and `labels` must have the same shape, received ((None, 2) vs (None, 1))"
        )
    for v in (k3, k2):
        silent = trains(v["tf_data_unknown_shape"])
        fixed = trains(v["fixed"])
        # argmax of the softmax output is no better than chance; the fixed model is right
        assert silent["decision_accuracy"] < 0.65 and fixed["decision_accuracy"] > 0.9
        assert silent["resolved_metric"] == "categorical_accuracy"


def test_kls301_softmax_on_single_unit(doc):
    for line in LINES:
        v = exp(doc, "KLS301", line)
        bad = trains(v["invalid"])
        assert bad["output_constant"] == 1.0
        assert all(same4(a, bad["positive_rate"]) for a in bad["history"]["accuracy"])
        # TensorFlow backend: the loss is computed from the pre-softmax logit, so the loss falls
        # while the output stays 1.0.
        assert bad["loss_constant"] is False and bad["backend"] == "tensorflow"
        assert trains(v["fixed"])["final"]["accuracy"] > 0.9
    warned(
        exp(doc, "KLS301", "keras3")["invalid"],
        "This axis has size 1. The softmax operation will always return the value 1",
    )
    jax = exp(doc, "KLS301", "keras3")["jax"]
    if isinstance(jax, dict):
        assert jax["invalid"]["output_constant"] == 1.0 and jax["invalid"]["loss_constant"] is True
        assert same4(jax["invalid"]["final"]["accuracy"], jax["invalid"]["positive_rate"])


def test_kls302_activation_before_from_logits_loss(doc):
    for line in LINES:
        v = exp(doc, "KLS302", line)
        for act, fn in (("softmax", "categorical_crossentropy"), ("sigmoid", "binary_crossentropy")):
            bad, good = trains(v[f"{act}_from_logits"]), trains(v[f"fixed_{act}"])
            warned(bad, f"`{fn}` received `from_logits=True`, but the `output` argument was produced by a")
            # TensorFlow backend: the pre-activation values are used, so training is the correct one's
            assert same4(bad["final"]["val_accuracy"], good["final"]["val_accuracy"])
    jax = exp(doc, "KLS302", "keras3")["jax"]
    if isinstance(jax, dict):  # activation applied twice: the loss no longer reaches the correct one's
        for act in ("softmax", "sigmoid"):
            assert jax[f"{act}_from_logits"]["final"]["loss"] > jax[f"fixed_{act}"]["final"]["loss"] + 0.2


def test_kls303_logits_into_probability_loss(doc):
    for line in LINES:
        v = exp(doc, "KLS303", line)
        fixed = trains(v["fixed"])
        learns(fixed, "val_accuracy")
        assert fixed["nan_epochs"] == 0
        linear = trains(v["invalid_linear"])
        assert linear["best_val_accuracy"] < fixed["best_val_accuracy"] - 0.3
        relu = trains(v["invalid_relu"])
        assert relu["nan_epochs"] > 0 and relu["final"]["loss"] == "nan"


def test_kls304_categorical_crossentropy_on_single_unit(doc):
    for line in LINES:
        v = exp(doc, "KLS304", line)
        bad = trains(v["invalid"])
        assert all(loss == 0.0 for loss in bad["history"]["loss"])
        assert bad["final"]["accuracy"] <= 0.55 and bad["predicted_positive_rate"] < 0.05
        warned(bad, "expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1")
        learns(v["fixed"])


def test_kls305_bounded_activation_on_regression_targets(doc):
    for line in LINES:
        v = exp(doc, "KLS305", line)
        bad, good = trains(v["invalid"]), trains(v["fixed"])
        assert bad["max_prediction"] <= 1.0 and bad["target_range"][1] > 90
        assert bad["mae"] > 40 and good["mae"] < 5


def test_kls401_accuracy_resolves_to_binary_accuracy(doc):
    for line in LINES:
        v = exp(doc, "KLS401", line)
        for k in (3, 42):
            bad = v[f"invalid_k{k}"]
            _plateau(bad)
            assert bad["K"] == k and same4(bad["recomputed_binary_accuracy"], bad["plateau"])
            assert v[f"fixed_k{k}"]["resolved_metric"] == "categorical_accuracy"
            learns(v[f"fixed_k{k}"])
    # numpy arrays + sigmoid + 'binary_crossentropy': the shape check fires on both lines, no plateau
    raises(
        exp(doc, "KLS401", "keras3")["arrays_sigmoid_k3"],
        "ValueError",
        "Arguments `target` and `output` must have the same shape. Received: target.shape=(None, 3), "
        "output.shape=(None, 1)",
    )
    raises(
        exp(doc, "KLS401", "tf_keras")["arrays_sigmoid_k3"],
        "ValueError",
        "`logits` and `labels` must have the same shape, received ((None, 1) vs (None, 3))",
    )


def test_kls402_exact_accuracy_metric(doc):
    for line in LINES:
        v = exp(doc, "KLS402", line)
        assert trains(v["invalid"])["final"]["accuracy"] < 0.05
        assert trains(v["fixed"])["final"]["categorical_accuracy"] > 0.9


def test_kls403_accuracy_on_multi_label(doc):
    for line in LINES:
        v = trains(exp(doc, "KLS403", line)["accuracy_and_binary_accuracy"])
        assert v["resolved_metric"] == "categorical_accuracy"
        assert v["final"]["binary_accuracy"] > v["final"]["accuracy"] + 0.2


def test_kls501_input_size_mismatch(doc):
    k3, k2 = exp(doc, "KLS501", "keras3"), exp(doc, "KLS501", "tf_keras")
    raises(k3["sequential_input_shape"], "ValueError", "expected axis -1 of input shape to have value 968")
    raises(k3["functional_input"], "ValueError", "expected shape=(None, 24, 24, 3), found shape=(None, 32, 32, 3)")
    trains(k3["sequential_global_pooling"])  # Keras 3 Sequential doesn't enforce input_shape
    for name in ("sequential_input_shape", "functional_input", "sequential_global_pooling"):
        raises(k2[name], "ValueError", "expected shape=(None, 24, 24, 3), found shape=(None, 32, 32, 3)")
    for v in (k3, k2):
        learns(v["fixed"], baseline=0.25)


def test_kls502_channel_mismatch(doc):
    k3, k2 = exp(doc, "KLS502", "keras3"), exp(doc, "KLS502", "tf_keras")
    for v in (k3["arrays_grayscale"], k3["directory_grayscale"], k2["arrays_grayscale"]):
        raises(
            v,
            "ValueError",
            "expected axis -1 of input shape to have value 3, but received input with shape (None, 16, 16, 1)",
        )
    raises(
        k2["directory_grayscale"],
        "InvalidArgumentError",
        "input depth must be evenly divisible by filter depth: 1 vs 3",
    )
    for v in (k3, k2):
        learns(v["fixed"], baseline=0.25)


def test_kls503_dense_on_unflattened_features(doc):
    raises(exp(doc, "KLS503", "keras3")["invalid"], "ValueError", "output.shape=(None, 14, 14, 4)")
    raises(
        exp(doc, "KLS503", "tf_keras")["invalid"],
        "ValueError",
        "Shapes (None, 4) and (None, 14, 14, 4) are incompatible",
    )
    for line in LINES:
        learns(exp(doc, "KLS503", line)["fixed"])


def test_kls504_non_positive_spatial_dimension(doc):
    k3, k2 = exp(doc, "KLS504", "keras3"), exp(doc, "KLS504", "tf_keras")
    raises(k3["pool_to_zero"], "ValueError", "Computed output size would be zero or negative")
    raises(k3["conv_to_negative"], "ValueError", "Computed output size would be zero or negative")
    raises(k2["pool_to_zero"], "ValueError", "Negative dimension size caused by subtracting 2 from 1")
    raises(k2["conv_to_negative"], "ValueError", "One of the dimensions in the output is <= 0")
    for v in (k3, k2):
        assert trains(v["fixed"])["output_shapes"][-1] == [2]


def test_kls601_fit_generator(doc):
    raises(exp(doc, "KLS601", "keras3")["invalid"], "AttributeError", "object has no attribute 'fit_generator'")
    old = trains(exp(doc, "KLS601", "tf_keras")["invalid"])
    warned(old, "`Model.fit_generator` is deprecated")
    for line in LINES:
        trains(exp(doc, "KLS601", line)["fixed"])


def test_kls602_optimizer_lr_argument(doc):
    raises(exp(doc, "KLS602", "keras3")["invalid"], "ValueError", "Argument(s) not recognized: {'lr': 0.01}")
    k2 = exp(doc, "KLS602", "tf_keras")
    bad = trains(k2["invalid"])
    warned(bad, "`lr` is deprecated in TF-Keras optimizer")
    assert math.isclose(bad["learning_rate"], 0.001)  # lr=0.01 is ignored: the default is used
    legacy = trains(k2["legacy_optimizer"])
    warned(legacy, "The `lr` argument is deprecated")
    assert math.isclose(legacy["learning_rate"], 0.01)
    for line in LINES:
        assert math.isclose(trains(exp(doc, "KLS602", line)["fixed"])["learning_rate"], 0.01)


def test_kls603_image_data_generator(doc):
    for line in LINES:  # `import keras` is Keras 3 even with TF_USE_LEGACY_KERAS=1
        v = exp(doc, "KLS603", line)
        raises(v["import_keras"], "AttributeError", "has no attribute 'ImageDataGenerator'")
        trains(v["tf_keras_namespace"])
        trains(v["fixed"])
    assert exp(doc, "KLS603", "keras3")["tf_keras_namespace"]["resolved_class"].startswith("keras.src.legacy.")
    assert exp(doc, "KLS603", "tf_keras")["tf_keras_namespace"]["resolved_class"].startswith("tf_keras.")
