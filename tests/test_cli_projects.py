"""Projects split across files, through the real `kerasls check`: the findings follow the project's imports."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers import run_cli

MODEL = """\
import keras
from keras import layers


def build_model(input_shape=(128, 128, 3)):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(16, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(1),
    ])
"""
TRAIN = """\
import keras
from {module} import build_model

train = keras.utils.image_dataset_from_directory(
    "data/train", image_size=(128, 128), label_mode="categorical"
)
model = build_model()
model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
model.fit(train, epochs=10)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    for name in ("oak", "elm", "ash", "fir"):
        (root / "data" / "train" / name).mkdir(parents=True, exist_ok=True)
    return root


def findings(root: Path, *paths: str) -> list[dict]:
    result = run_cli("check", "--no-cache", "--output-format", "json", *paths, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def kls101(items: list[dict]) -> list[dict]:
    return [item for item in items if item["code"] == "KLS101"]


@pytest.mark.parametrize(
    "layout",
    [
        {"models.py": MODEL, "train.py": TRAIN.format(module="models")},
        {"pkg/__init__.py": "", "pkg/models.py": MODEL, "pkg/train.py": TRAIN.format(module=".models")},
        {
            "pkg/__init__.py": "",
            "pkg/nets/__init__.py": "",
            "pkg/nets/models.py": MODEL,
            "pkg/train.py": TRAIN.format(module="pkg.nets.models"),
        },  # fmt: skip
        {
            "pyproject.toml": "[project]\nname = 'leaves'\n",
            "src/leaves/__init__.py": "",
            "src/leaves/models.py": MODEL,
            "scripts/train.py": TRAIN.format(module="leaves.models"),
        },  # fmt: skip
    ],
    ids=["flat", "relative", "sub-package", "src-layout"],
)
def test_the_seed_bug_split_across_files_is_found_in_every_layout(tmp_path, layout):
    root = write(tmp_path, layout)
    train = next(name for name in layout if name.endswith("train.py"))
    items = kls101(findings(root, train))
    assert len(items) == 1, items
    model_file = next(name for name in layout if name.endswith("models.py"))
    assert Path(items[0]["path"]) == Path(model_file)  # reported where the Dense(1) is
    assert items[0]["range"]["start"]["line"] == MODEL.splitlines().index("        layers.Dense(1),")
    assert "4 class folders" in items[0]["message"]
    assert any(Path(r.get("path", items[0]["path"])) == Path(train) for r in items[0]["related"])  # and the fit


def test_each_finding_is_reported_once_for_a_tree(tmp_path):
    root = write(tmp_path, {"models.py": MODEL, "train.py": TRAIN.format(module="models"),
                            "evaluate.py": TRAIN.format(module="models")})  # fmt: skip
    items = kls101(findings(root, "."))
    assert len(items) == 1 and items[0]["path"] == "models.py"


def test_the_issue_example_config_data_models_train(tmp_path):
    root = write(tmp_path, {
        "config.py": "NUM_CLASSES = 4\nIMG = 128\n",
        "data.py": """\
            import keras
            import config

            def train_generator(path="data/train"):
                return keras.utils.image_dataset_from_directory(
                    path, image_size=(config.IMG, config.IMG), label_mode="categorical")
            """,
        "models.py": MODEL,
        "train.py": """\
            from data import train_generator
            from models import build_model

            train = train_generator()
            model = build_model()
            model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
            model.fit(train)
            """,
    })  # fmt: skip
    items = findings(root, ".")
    assert [i["path"] for i in kls101(items)] == ["models.py"]


def test_a_correct_project_stays_silent(tmp_path):
    fixed = MODEL.replace("layers.Dense(1)", 'layers.Dense(4, activation="softmax")')
    root = write(tmp_path, {"models.py": fixed, "train.py": TRAIN.format(module="models")})
    result = run_cli("check", "--no-cache", ".", cwd=root)
    assert result.returncode == 0, result.stdout
    assert "All checks passed!" in result.stdout


def test_cycles_missing_modules_and_broken_modules(tmp_path):
    root = write(tmp_path, {
        "a.py": "import b\nimport keras\nWIDTH = 3\n",
        "b.py": "import a\nfrom a import WIDTH\n",
        "broken.py": "def build(:\n",
        "models.py": MODEL,
        "train.py": "import a, missing_module, broken\n" + TRAIN.format(module="models"),
    })  # fmt: skip
    result = run_cli("check", "--no-cache", "--output-format", "json", ".", cwd=root)
    items = json.loads(result.stdout)
    assert [i["path"] for i in kls101(items)] == ["models.py"]  # a module that does not parse hides nothing else
    assert [i["path"] for i in items if i["code"] == "KLS001"] == ["broken.py"]


def test_a_configured_constant_is_fixed_where_it_is_written(tmp_path):
    root = write(tmp_path, {
        "config.py": "NUM_CLASSES = 3\n",
        "models.py": MODEL.replace("layers.Dense(1)", 'layers.Dense(NUM_CLASSES, activation="softmax")').replace(
            "from keras import layers\n", "from keras import layers\nfrom config import NUM_CLASSES\n"),
        "train.py": TRAIN.format(module="models"),
    })  # fmt: skip
    item = kls101(findings(root, "train.py"))[0]
    assert item["path"] == "config.py" or item["path"] == "models.py"
    edits = item["fixes"][0]["edits"]
    assert edits and all(e.get("path", item["path"]) in ("config.py", "models.py") for e in edits)


def test_configured_extra_paths_are_import_roots(tmp_path):
    layout = {"shared/nets/models.py": MODEL, "app/train.py": TRAIN.format(module="models")}
    root = write(tmp_path, {**layout, "pyproject.toml": "[project]\nname = 'leaves'\n"})
    (root / "app" / "data").symlink_to(root / "data")
    assert kls101(findings(root, "app/train.py")) == []  # models.py is nowhere Python would look
    (root / "pyproject.toml").write_text("[project]\nname = 'leaves'\n[tool.kerasls]\nextra-paths = ['shared/nets']\n")
    items = kls101(findings(root, "app/train.py"))
    assert [Path(i["path"]) for i in items] == [Path("shared/nets/models.py")]
    (root / "pyproject.toml").write_text("[tool.kerasls]\nextra-paths = 'shared/nets'\n")  # one path as a string
    assert len(kls101(findings(root, "app/train.py"))) == 1
    (root / "pyproject.toml").write_text("[tool.kerasls]\nextra-paths = [3]\n")
    result = run_cli("check", "--no-cache", "app/train.py", cwd=root)
    assert result.returncode == 2 and "extra-paths must be a list of strings" in result.stderr
