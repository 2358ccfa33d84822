"""kerasls never imports TensorFlow, Keras or user code; it reads the installed version from metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import REPO, run_cli


def fake_site(root: Path, versions: dict[str, str], poison: bool = True) -> Path:
    """A site folder with package metadata only, and packages that explode when imported."""
    root.mkdir(parents=True, exist_ok=True)
    for dist, version in versions.items():
        info = root / f"{dist}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    if poison:
        for package in ("tensorflow", "keras", "tf_keras"):
            (root / package).mkdir(exist_ok=True)
            (root / package / "__init__.py").write_text(f"raise ImportError('kerasls imported {package}')\n")
    return root


@pytest.fixture
def seed(tmp_path) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path / "examples" / "leaf_species_cnn.py"


def messages(result) -> str:
    return " ".join(item["message"] for item in json.loads(result.stdout))


def test_check_never_imports_tensorflow_or_keras(tmp_path, seed):
    site = fake_site(tmp_path / "site", {"tensorflow": "2.21.0", "keras": "3.15.1"})
    result = run_cli("check", "--format", "json", str(seed), env={"PYTHONPATH": str(site)})
    assert result.returncode == 1, result.stderr
    assert "kerasls imported" not in result.stderr and "Traceback" not in result.stderr
    text = messages(result)
    assert "Measured on Keras 3: fit raises ValueError at the first step" in text
    assert "Measured on Keras 2" not in text and "Keras 3 and Keras 2" not in text  # the installed line only


def test_tensorflow_215_means_keras_2(tmp_path, seed):
    site = fake_site(tmp_path / "site", {"tensorflow": "2.15.1"})
    text = messages(run_cli("check", "--format", "json", str(seed), env={"PYTHONPATH": str(site)}))
    assert (
        "Measured on Keras 2: fit trains without an error, but 'accuracy' (binary accuracy here) is stuck at (K-1)/K = 41/42 = 0.9762"
        in text
    )
    assert "Measured on Keras 3" not in text and "Keras 3 and Keras 2" not in text


def test_legacy_keras_switch(tmp_path, seed):
    site = fake_site(tmp_path / "site", {"tensorflow": "2.21.0", "keras": "3.15.1", "tf_keras": "2.21.0"})
    env = {"PYTHONPATH": str(site), "TF_USE_LEGACY_KERAS": "1"}
    text = messages(run_cli("check", "--format", "json", str(seed), env=env))
    assert "Measured on Keras 2" in text and "Measured on Keras 3" not in text


def test_script_setting_the_switch_itself(tmp_path, seed):
    site = fake_site(tmp_path / "site", {"tensorflow": "2.21.0", "keras": "3.15.1", "tf_keras": "2.21.0"})
    seed.write_text('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n' + seed.read_text())
    text = messages(run_cli("check", "--format", "json", str(seed), env={"PYTHONPATH": str(site)}))
    assert "Measured on Keras 2" in text and "Measured on Keras 3" not in text


def test_nothing_installed_says_both(tmp_path, seed):
    site = fake_site(tmp_path / "site", {})
    text = messages(run_cli("check", "--format", "json", str(seed), env={"PYTHONPATH": str(site)}))
    assert "Measured on Keras 3: fit raises" in text and "Measured on Keras 2: fit trains" in text


def test_user_modules_are_never_imported_or_run(tmp_path):
    (tmp_path / "helpers_of_user.py").write_text("open('ran', 'w').write('x')\nraise SystemExit(3)\n")
    (tmp_path / "train.py").write_text(
        "import helpers_of_user\nfrom helpers_of_user import build\nimport keras\n"
        "model = build()\nmodel.compile(loss='mse')\nopen('ran_script', 'w').write('x')\n"
    )
    result = run_cli("check", str(tmp_path / "train.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "ran").exists() and not (tmp_path / "ran_script").exists()
