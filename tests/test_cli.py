"""The real `kerasls` command: output formats, exit status, fixes, configuration, bad input."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from helpers import REPO, run_cli

SEED = REPO / "examples" / "leaf_species_cnn.py"
# Width, loss and metric, plus two notes: Dense(512) after Flatten holds 99.8% of the parameters,
# and ImageDataGenerator is a legacy API.
SEED_CODES = {"KLS101", "KLS201", "KLS401", "KLS505", "KLS603"}


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """The seed program with its 42 class folders, in a scratch folder."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path / "examples"


def test_seed_with_class_folders_reports_width_loss_and_metric(seed_dir):
    result = run_cli("check", str(seed_dir / "leaf_species_cnn.py"))
    assert result.returncode == 1
    out = result.stdout
    for code in ("KLS101", "KLS201", "KLS401"):
        assert code in out
    assert "one-hot over 42 classes (42 class folders in data/train" in out
    assert "41/42 = 0.9762" in out
    assert "The final layer outputs 1 value, but the labels are one-hot over 42 classes" in out


def test_seed_without_folders_still_flags_with_k(tmp_path):
    target = tmp_path / "seed.py"
    shutil.copy(SEED, target)
    result = run_cli("check", str(target))
    assert result.returncode == 1
    assert "KLS101" in result.stdout and "KLS201" in result.stdout
    assert "(K-1)/K" in result.stdout and "42" not in result.stdout.replace("84310", "")


def test_json_output_shape(seed_dir):
    result = run_cli("check", "--format", "json", str(seed_dir))
    items = json.loads(result.stdout)
    assert result.returncode == 1
    assert {i["code"] for i in items} == SEED_CODES
    for item in items:
        assert set(item) >= {"path", "code", "severity", "message", "range", "related", "fixes"}
        assert item["severity"] in ("error", "warning", "information", "hint")
        start = item["range"]["start"]
        assert set(start) == {"line", "character"}
        assert all("range" in r and "message" in r for r in item["related"])
        assert item["related"] or item["severity"] == "information"
    dense = next(i for i in items if i["code"] == "KLS101")
    assert SEED.read_text().splitlines()[dense["range"]["start"]["line"]].strip().startswith("Dense(1)")
    assert dense["fixes"][0]["edits"][0]["newText"] == "train_data_gen.num_classes"


def test_sarif_output(seed_dir):
    result = run_cli("check", "--format", "sarif", str(seed_dir))
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "kerasls"
    assert {r["ruleId"] for r in run["results"]} == SEED_CODES
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in run["results"])


def test_fix_makes_the_seed_clean_and_diff_writes_nothing(seed_dir):
    target = seed_dir / "leaf_species_cnn.py"
    before = target.read_text()
    mode = stat.S_IMODE(target.stat().st_mode)
    diff = run_cli("check", "--diff", str(target))
    assert diff.returncode == 1
    assert "-    Dense(1),  # one score per image" in diff.stdout
    assert "+    Dense(train_data_gen.num_classes),  # one score per image" in diff.stdout
    assert "+    loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True)," in diff.stdout
    assert target.read_text() == before
    fixed = run_cli("check", "--fix", str(target))
    assert fixed.returncode == 0, fixed.stdout
    after = target.read_text()
    assert after != before and "categorical_accuracy" in after
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert not [p.name for p in seed_dir.iterdir() if p.name.startswith(".") or p.suffix != ".py" and p.is_file()]
    assert run_cli("check", str(target)).returncode == 0


def test_select_and_ignore(seed_dir):
    only = run_cli("check", "--format", "json", "--select", "KLS4", str(seed_dir))
    assert {i["code"] for i in json.loads(only.stdout)} == {"KLS401"}
    rest = run_cli(
        "check", "--format", "json", "--ignore", "KLS101,accuracy-resolves-to-binary-accuracy", str(seed_dir)
    )
    assert {i["code"] for i in json.loads(rest.stdout)} == {"KLS201", "KLS505", "KLS603"}


def test_pyproject_configuration(seed_dir):
    (seed_dir / "pyproject.toml").write_text(
        '[tool.kerasls]\nignore = ["KLS201"]\nexclude = ["skipped_*.py"]\n[tool.kerasls.severity]\nKLS401 = "information"\n'
    )
    shutil.copy(seed_dir / "leaf_species_cnn.py", seed_dir / "skipped_copy.py")
    result = run_cli("check", "--format", "json", str(seed_dir))
    items = json.loads(result.stdout)
    assert {(Path(i["path"]).name, i["code"], i["severity"]) for i in items} == {
        ("leaf_species_cnn.py", "KLS101", "error"),
        ("leaf_species_cnn.py", "KLS401", "information"),
        ("leaf_species_cnn.py", "KLS505", "information"),
        ("leaf_species_cnn.py", "KLS603", "information"),
        ("photo_tags_multilabel.py", "KLS603", "information"),
    }


def test_bad_pyproject_is_reported(seed_dir):
    (seed_dir / "pyproject.toml").write_text("[tool.kerasls]\nselect = 3\n")
    result = run_cli("check", str(seed_dir))
    assert result.returncode == 2
    assert "select must be a list" in result.stderr


def test_suppression_comments(tmp_path):
    text = SEED.read_text()
    text = text.replace("Dense(1),  # one score per image", "Dense(1),  # kerasls: ignore[KLS101]")
    text = text.replace('metrics=["accuracy"],', 'metrics=["accuracy"],  # kerasls: ignore')
    (tmp_path / "s.py").write_text(text)
    items = json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)
    assert {i["code"] for i in items} == {"KLS201", "KLS505", "KLS603"}


def test_directory_walk_skips_environments_and_vendored_code(tmp_path):
    bad = SEED.read_text()
    for folder in (".git", "node_modules", ".venv", "venv2", "pkg"):
        (tmp_path / folder).mkdir()
    (tmp_path / "venv2" / "pyvenv.cfg").write_text("home = /usr\n")
    for folder in (".git", "node_modules", ".venv", "venv2", "pkg"):
        (tmp_path / folder / "train.py").write_text(bad)
    (tmp_path / "notes.txt").write_text(bad)
    items = json.loads(run_cli("check", "--format", "json", str(tmp_path)).stdout)
    assert {Path(i["path"]).parent.name for i in items} == {"pkg"}


def test_rules_and_rule_docs():
    listing = run_cli("rules")
    assert listing.returncode == 0
    assert "KLS101" in listing.stdout and "binary-crossentropy-on-one-hot-labels" in listing.stdout
    doc = run_cli("rule", "KLS201")
    assert doc.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in doc.stdout
    assert run_cli("rule", "KLS999").returncode == 2


# -- bad input ----------------------------------------------------------------------------
def test_syntax_error_is_one_diagnostic_and_other_files_are_checked(tmp_path):
    (tmp_path / "a_broken.py").write_text(
        "import keras\nmodel = keras.Sequential([\n    keras.layers.Dense(3)\nmodel.fit(x)\n"
    )
    shutil.copy(SEED, tmp_path / "b_seed.py")
    result = run_cli("check", "--format", "json", str(tmp_path))
    items = json.loads(result.stdout)
    broken = [i for i in items if i["path"].endswith("a_broken.py")]
    assert len(broken) == 1 and broken[0]["code"] == "KLS001"
    assert (
        "SyntaxError" in broken[0]["message"]
        and "never closed" in broken[0]["message"]
        or "invalid syntax" in broken[0]["message"]
    )
    assert broken[0]["range"]["start"]["line"] in (1, 2, 3)
    assert any(i["path"].endswith("b_seed.py") for i in items)
    assert result.returncode == 1


def test_syntax_error_in_text_mode_names_the_line(tmp_path):
    (tmp_path / "x.py").write_text("import tensorflow as tf\n\ndef f(:\n    pass\n")
    result = run_cli("check", str(tmp_path / "x.py"))
    assert result.returncode == 1
    assert ":3:" in result.stdout and "KLS001" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (b"import keras\nname = '\xff\xfe'\n", "not valid UTF-8"),
        (b"\x00\x01\x02keras binary\x00", "binary"),
    ],
)
def test_unreadable_content_is_reported_and_the_rest_checked(tmp_path, content, message):
    (tmp_path / "bad.py").write_bytes(content)
    shutil.copy(SEED, tmp_path / "good.py")
    result = run_cli("check", "--format", "json", str(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr and "bad.py" in result.stderr
    assert "Traceback" not in result.stderr
    assert any(i["path"].endswith("good.py") for i in json.loads(result.stdout))


def test_missing_path_and_broken_symlink(tmp_path):
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    result = run_cli("check", str(tmp_path / "missing.py"), str(tmp_path / "dangling.py"))
    assert result.returncode == 2
    assert "missing.py: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_and_latin1_declared_files(tmp_path):
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport keras\nname = '\xe9'\n")
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "All checks passed!" in result.stdout


def test_huge_generated_file_gets_a_clear_message(tmp_path):
    text = "import keras\n" + "".join(
        f"x_{i} = [{i}, {i + 1}, {i + 2}]  # generated table row\n" for i in range(110_000)
    )
    (tmp_path / "generated.py").write_text(text)
    assert len(text) > 5_000_000
    result = run_cli("check", str(tmp_path / "generated.py"), timeout=60)
    assert result.returncode == 2
    assert "MB" in result.stderr and "Traceback" not in result.stderr


def test_deeply_nested_expression(tmp_path):
    (tmp_path / "deep.py").write_text("import keras\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "deep_list.py").write_text("import keras\nx = " + "[" * 150 + "]" * 150 + "\n")
    result = run_cli("check", str(tmp_path), timeout=60)
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1)
    assert "deep.py" in result.stdout  # reported as too deeply nested / syntax error, not crashed


def test_files_are_never_written_without_fix(seed_dir):
    target = seed_dir / "leaf_species_cnn.py"
    before = target.stat().st_mtime_ns, target.read_bytes()
    run_cli("check", str(target))
    run_cli("check", "--format", "json", str(target))
    assert (target.stat().st_mtime_ns, target.read_bytes()) == before


def test_fix_preserves_crlf_and_bom(tmp_path):
    text = SEED.read_text().replace("\n", "\r\n")
    target = tmp_path / "crlf.py"
    target.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert run_cli("check", "--fix", str(target)).returncode == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"categorical_accuracy" in data


def test_usage_errors_exit_2():
    assert run_cli("check", "--format", "xml").returncode == 2
    assert run_cli("check", "--fix", "--diff", ".").returncode == 2
    assert run_cli().returncode == 2


def test_module_entry_point_and_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("kerasls ")
