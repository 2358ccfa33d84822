"""The shipped Keras knowledge must match a fresh introspection of the real install.

Runs ``scripts/generate_knowledge.py --check`` with the current interpreter
(which must have tensorflow-cpu, keras 3 and tf_keras: the 'oracle' extra), then
spot-checks that the shipped data is real Keras behaviour, not placeholders.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.oracle

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "generate_knowledge.py"
SHIPPED = REPO_ROOT / "kerasls" / "knowledge" / "generated.json"


@pytest.fixture(autouse=True)
def _needs_oracle_environment():
    required = ("tensorflow", "keras", "tf_keras")
    missing = [m for m in required if importlib.util.find_spec(m) is None]
    if missing:
        pytest.fail(f"needs the 'oracle' extra (pip install -e .[oracle]); missing: {', '.join(missing)}")


@pytest.fixture(scope="module")
def knowledge() -> dict:
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


def test_generated_knowledge_is_fresh():
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, (
        "kerasls/knowledge/generated.json is stale; run scripts/generate_knowledge.py\n"
        + proc.stdout
        + proc.stderr[-4000:]
    )


def test_shipped_file_is_deterministically_formatted(knowledge):
    text = SHIPPED.read_text(encoding="utf-8")
    assert text == json.dumps(knowledge, indent=1, sort_keys=True) + "\n"
    assert " at 0x" not in text


def test_versions(knowledge):
    assert set(knowledge["versions"]) == {"tensorflow", "keras", "tf_keras"}
    assert knowledge["versions"]["keras"].startswith("3.")


def test_dense_signature(knowledge):
    dense = knowledge["layers"]["Dense"]
    assert dense["class"] == "Dense"
    assert dense["params"][:2] == ["units", "activation"]
    assert dense["defaults"]["activation"] is None
    assert dense["defaults"]["use_bias"] is True
    assert "units" not in dense["defaults"]  # required
    assert "only_in" not in dense


def test_layer_aliases_and_input(knowledge):
    layers = knowledge["layers"]
    assert layers["Convolution2D"]["class"] == "Conv2D"
    assert layers["Input"]["params"][0] == "shape"
    assert "InputLayer" in layers
    # Keras 2 only; kept with its tf_keras signature.
    assert layers["ThresholdedReLU"]["only_in"] == "tf_keras"
    assert layers["ThresholdedReLU"]["tf_keras_params"][0] == "theta"


def test_loss_resolution(knowledge):
    losses = knowledge["losses"]
    assert losses["strings"]["bce"] == "binary_crossentropy"
    assert losses["strings"]["MSE"] == "mean_squared_error"
    assert losses["strings"]["CategoricalCrossentropy"] == "categorical_crossentropy"
    assert losses["functions"]["kld"] == "kl_divergence"
    assert losses["classes"]["SparseCategoricalCrossentropy"]["function"] == (
        "sparse_categorical_crossentropy"
    )
    assert "from_logits" in losses["classes"]["BinaryCrossentropy"]["params"]
    # Keras 2 accepted legacy aliases that Keras 3 dropped.
    assert losses["tf_keras_strings"]["logcosh"] == "log_cosh"
    assert "logcosh" not in losses["strings"]


def test_accuracy_resolution(knowledge):
    resolution = knowledge["metrics"]["accuracy_resolution"]
    for line in ("keras3", "tf_keras"):
        cases = {
            (tuple(c["y_true"]), tuple(c["y_pred"])): c["metric"] for c in resolution[line]
        }
        assert len(cases) == 12, line
        assert cases[((None, 1), (None, 1))] == "binary_accuracy", line
        assert cases[((None,), (None, 1))] == "binary_accuracy", line
        assert cases[((None, 1), (None, 42))] == "sparse_categorical_accuracy", line
        assert cases[((None,), (None, 42))] == "sparse_categorical_accuracy", line
        assert cases[((None, 42), (None, 42))] == "categorical_accuracy", line
    assert "accuracy" not in knowledge["metrics"]["strings"]
    assert "acc" not in knowledge["metrics"]["strings"]


def test_activations(knowledge):
    activations = knowledge["activations"]
    assert activations["names"]["softmax"] == "softmax"
    assert activations["names"]["linear"] == "linear"
    assert activations["names"]["swish"] == activations["names"]["silu"]
    tf_functions = activations["tensorflow_functions"]
    assert tf_functions["tensorflow.nn.softmax"] == "softmax"
    assert tf_functions["tensorflow.nn.relu"] == "relu"
    assert tf_functions["tensorflow.math.sigmoid"] == "sigmoid"
    assert tf_functions["tensorflow.sigmoid"] == "sigmoid"


def test_removed_in_keras3(knowledge):
    removed = knowledge["removed_in_keras3"]
    # True == absent on keras.Model (Keras 3) but present on tf_keras.Model.
    assert removed["Model.fit_generator"] is True
    assert removed["Model.predict_generator"] is True
    assert removed["keras.preprocessing.image.ImageDataGenerator"] is False
    assert removed["tensorflow.keras.preprocessing.image.ImageDataGenerator"] is True
    assert removed["optimizer_lr_argument"]["keras3"].startswith("ValueError")
    assert removed["optimizer_lr_argument"]["tf_keras"] == "accepted"


def test_pipelines_and_applications(knowledge):
    pipelines = knowledge["pipelines"]
    fdir = pipelines["ImageDataGenerator.flow_from_directory"]
    assert fdir["params"][0] == "directory"
    assert fdir["defaults"]["class_mode"] == "categorical"
    assert fdir["defaults"]["target_size"] == [256, 256]
    assert pipelines["image_dataset_from_directory"]["defaults"]["label_mode"] == "int"
    resnet = knowledge["applications"]["ResNet50"]
    assert resnet["module"] == "resnet50"
    assert resnet["defaults"]["weights"] == "imagenet"
