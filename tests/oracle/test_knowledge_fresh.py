"""The shipped Keras knowledge must match a fresh introspection of the real install.

Runs ``scripts/generate_knowledge.py --check`` with the current interpreter
(which must have tensorflow-cpu, keras 3 and tf_keras: the 'oracle' extra), then
spot-checks that the shipped data is real Keras behaviour, not placeholders.
"""

from __future__ import annotations

import importlib.util
import json
import os
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
    assert losses["classes"]["SparseCategoricalCrossentropy"]["function"] == ("sparse_categorical_crossentropy")
    assert "from_logits" in losses["classes"]["BinaryCrossentropy"]["params"]
    # Keras 2 accepted legacy aliases that Keras 3 dropped.
    assert losses["tf_keras_strings"]["logcosh"] == "log_cosh"
    assert "logcosh" not in losses["strings"]


def test_accuracy_resolution(knowledge):
    resolution = knowledge["metrics"]["accuracy_resolution"]
    for line in ("keras3", "tf_keras"):
        cases = {(tuple(c["y_true"]), tuple(c["y_pred"])): c["metric"] for c in resolution[line]}
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


# ------------------------------------------------- application shapes/params

APPLICATION_SIZES = (96, 128, 150, 160, 180, 224, 240, 256, 299, 300, 331, 380)


def test_application_shape_fields_are_complete(knowledge):
    apps = knowledge["applications"]
    assert len(apps) >= 40
    for name, app in apps.items():
        for key in ("params_no_top", "params_top", "default_input", "output_no_top", "channels_no_top"):
            assert key in app, (name, key)
        for counts in (app["params_no_top"], app["params_top"]):
            assert set(counts) == {"total", "trainable", "non_trainable"}, name
            assert counts["total"] == counts["trainable"] + counts["non_trainable"], name
        assert app["params_top"]["total"] > app["params_no_top"]["total"], name
        # the classifier top adds trainable weights only
        assert app["params_top"]["non_trainable"] == app["params_no_top"]["non_trainable"], name
        assert app["default_input"][2] == 3, name
        # every application accepts every probed size (weights=None, include_top=False)
        assert set(APPLICATION_SIZES) <= {int(k.split("x")[0]) for k in app["output_no_top"]}, name
        default = app["default_input"][0]
        if default is not None:
            assert f"{default}x{default}" in app["output_no_top"], name
        for key, shape in app["output_no_top"].items():
            h, w = map(int, key.split("x"))
            assert h == w and len(shape) == 3, (name, key)
            assert shape[2] == app["channels_no_top"], (name, key)
            assert 1 <= shape[0] <= h // 16 + 1, (name, key, shape)  # stride-32 backbones
        assert "params_no_top_by_size" not in app, name  # counts do not depend on the input size


def test_application_values(knowledge):
    apps = knowledge["applications"]
    resnet = apps["ResNet50"]
    assert resnet["params_no_top"] == {"total": 23_587_712, "trainable": 23_534_592, "non_trainable": 53_120}
    assert resnet["params_top"] == {"total": 25_636_712, "trainable": 25_583_592, "non_trainable": 53_120}
    assert resnet["default_input"] == [224, 224, 3]
    assert resnet["output_no_top"]["224x224"] == [7, 7, 2048]
    assert resnet["output_no_top"]["150x150"] == [5, 5, 2048]  # 'same'-like rounding up
    assert resnet["channels_no_top"] == 2048

    mobilenet_v2 = apps["MobileNetV2"]
    assert mobilenet_v2["output_no_top"]["160x160"] == [5, 5, 1280]
    assert mobilenet_v2["output_no_top"]["299x299"] == [10, 10, 1280]
    assert mobilenet_v2["params_no_top"]["total"] == 2_257_984
    assert mobilenet_v2["params_top"]["total"] == 3_538_984

    vgg16 = apps["VGG16"]
    assert vgg16["params_no_top"] == {"total": 14_714_688, "trainable": 14_714_688, "non_trainable": 0}
    assert vgg16["params_top"]["total"] == 138_357_544
    assert vgg16["output_no_top"]["150x150"] == [4, 4, 512]  # five 2x2 'valid' pools round down
    assert vgg16["output_no_top"]["224x224"] == [7, 7, 512]

    inception = apps["InceptionV3"]
    assert inception["default_input"] == [299, 299, 3]
    assert inception["output_no_top"]["299x299"] == [8, 8, 2048]
    assert inception["output_no_top"]["150x150"] == [3, 3, 2048]
    assert inception["params_no_top"]["total"] == 21_802_784

    assert apps["EfficientNetB0"]["params_no_top"]["total"] == 4_049_571
    assert apps["EfficientNetB7"]["default_input"] == [600, 600, 3]
    assert apps["EfficientNetB7"]["output_no_top"]["600x600"] == [19, 19, 2560]
    assert apps["NASNetLarge"]["default_input"] == [331, 331, 3]
    assert apps["NASNetLarge"]["output_no_top"]["331x331"] == [11, 11, 4032]
    assert apps["Xception"]["output_no_top"]["299x299"] == [10, 10, 2048]
    assert apps["DenseNet121"]["output_no_top"]["150x150"] == [4, 4, 1024]
    # MobileNetV3 has no fixed default size: include_top=True builds on (None, None, 3)
    assert apps["MobileNetV3Small"]["default_input"] == [None, None, 3]
    assert apps["MobileNetV3Small"]["output_no_top"]["224x224"] == [7, 7, 576]


def test_application_counts_match_a_real_build(knowledge):
    """The generator builds inside a StatelessScope (no weight values); a normal build agrees."""
    code = (
        "import json, keras\n"
        "m = keras.applications.MobileNetV2(include_top=False, weights=None, input_shape=(160, 160, 3))\n"
        "t = sum(int(w.numpy().size) for w in m.trainable_weights)\n"
        "n = sum(int(w.numpy().size) for w in m.non_trainable_weights)\n"
        "print(json.dumps([list(m.output.shape[1:]), t, n]))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    env.pop("TF_USE_LEGACY_KERAS", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shape, trainable, non_trainable = json.loads(proc.stdout.strip().splitlines()[-1])
    app = knowledge["applications"]["MobileNetV2"]
    assert shape == app["output_no_top"]["160x160"]
    assert [trainable, non_trainable] == [app["params_no_top"]["trainable"], app["params_no_top"]["non_trainable"]]
