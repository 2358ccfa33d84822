"""The `kerasls check` command behaves the way ruff's and flake8's users expect: clear errors for
unknown codes, stdin, exit codes, quiet levels, configuration files and overrides, per-file
ignores, `# noqa`, --force-exclude, --statistics, --output-file. Each test runs the real command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

SEED = REPO / "examples" / "leaf_species_cnn.py"
NOTEBOOKS = REPO / "tests" / "notebooks"


def kerasls(*args: str, cwd: Path, stdin: bytes | None = None, env: dict | None = None):
    """The real command with standard input; the cache goes to a scratch folder of the test."""
    full_env = {**os.environ, "NO_COLOR": "1", "KERASLS_CACHE_DIR": str(cwd / ".test-cache"), **(env or {})}
    result = subprocess.run(
        [sys.executable, "-m", "kerasls", *args], cwd=cwd, env=full_env, input=stdin, capture_output=True, timeout=120
    )
    result.stdout, result.stderr = result.stdout.decode(), result.stderr.decode()
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: the seed program with its 42 class folders, a pyproject, a git repository."""
    shutil.copytree(REPO / "examples", tmp_path / "proj", ignore=shutil.ignore_patterns("*.py"))
    shutil.copy(SEED, tmp_path / "proj" / "seed.py")
    (tmp_path / "proj" / ".git").mkdir()
    return tmp_path / "proj"


def codes(result) -> list[str]:
    return sorted(item["code"] for item in json.loads(result.stdout))


# -- what a new user ran into ---------------------------------------------------------------------
def test_unknown_rule_codes_are_usage_errors(project):
    result = kerasls("check", "--select", "KLS99", "seed.py", cwd=project)
    assert result.returncode == 2, result.stdout
    assert "--select: unknown rule code or name 'KLS99'" in result.stderr
    assert "All checks passed!" not in result.stdout and result.stdout == ""
    (project / "pyproject.toml").write_text('[tool.kerasls]\nselect = ["KLS1", "no-such-rule"]\n')
    result = kerasls("check", "seed.py", cwd=project)
    assert result.returncode == 2 and "unknown rule code or name 'no-such-rule'" in result.stderr
    assert "pyproject.toml: [tool.kerasls] select" in result.stderr
    (project / "pyproject.toml").write_text('[tool.kerasls.per-file-ignores]\n"x.py" = ["KLS999"]\n')
    result = kerasls("check", "--extend-ignore", "KLS1", "seed.py", cwd=project)
    assert result.returncode == 2 and "per-file-ignores 'x.py': unknown rule code or name 'KLS999'" in result.stderr
    (project / "pyproject.toml").unlink()
    # A known code, a prefix of one, a rule name, in any case: all fine.
    ok = kerasls(
        "check",
        "--output-format",
        "json",
        "--select",
        "KLS1,kls20,accuracy-resolves-to-binary-accuracy",
        "seed.py",
        cwd=project,
    )
    assert ok.returncode == 1 and codes(ok) == ["KLS101", "KLS201", "KLS401"]


def test_missing_and_unreadable_paths_are_not_a_success(project):
    (project / "latin.py").write_bytes(b"# caf\xe9 au lait\nimport keras\n")
    (project / "declared.py").write_bytes(b"# -*- coding: klingon -*-\nimport keras\n")
    result = kerasls("check", "missing.py", "latin.py", "declared.py", cwd=project)
    assert result.returncode == 2
    assert "missing.py: no such file or directory" in result.stderr
    # not a UTF-8 file without a coding line: said as such (Python's tokenizer calls it a bad declaration)
    assert "latin.py: is not valid UTF-8 text at byte 5; save it as UTF-8" in result.stderr
    assert "declared.py: has an invalid encoding declaration" in result.stderr
    assert "All checks passed!" not in result.stdout
    assert result.stdout == "No findings, but 3 inputs could not be checked (see above).\n"


def test_fix_with_diff_shows_the_fixes_and_writes_nothing(project):
    before = (project / "seed.py").read_bytes()
    result = kerasls("check", "--fix", "--diff", "seed.py", cwd=project)
    assert result.returncode == 1
    assert "+    Dense(train_data_gen.num_classes),  # one score per image" in result.stdout
    assert "3 fixes would be applied." in result.stderr
    assert (project / "seed.py").read_bytes() == before


def test_fixable_counts_only_what_fix_applies(project):
    """The seed has four findings with fixes; KLS505's (GlobalAveragePooling2D) is unsafe, so --fix
    leaves it and the count says 3, as --diff and --fix do."""
    items = json.loads(kerasls("check", "--output-format", "json", "seed.py", cwd=project).stdout)
    assert len([i for i in items if i["fixes"]]) == 4
    assert sorted(i["code"] for i in items if i["fixable"]) == ["KLS101", "KLS201", "KLS401"]
    text = kerasls("check", "seed.py", cwd=project)
    assert "3 fixable with `kerasls check --fix`." in text.stdout  # --fix says "(3 fixed)": see below


def test_non_python_notebooks_in_a_folder_are_skipped_with_a_note(tmp_path):
    for name in ("r_kernel.ipynb", "digits_clean.ipynb"):
        shutil.copy(NOTEBOOKS / name, tmp_path / name)
    result = kerasls("check", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "note: r_kernel.ipynb: skipped: the notebook's kernel is R, not Python" in result.stderr
    assert "All checks passed!" in result.stdout
    assert "note" not in kerasls("check", "-q", ".", cwd=tmp_path).stderr
    # Named on the command line, it is an error (see docs/cli.md: ruff would skip it silently).
    named = kerasls("check", "r_kernel.ipynb", cwd=tmp_path)
    assert named.returncode == 2 and "kernel is R, not Python" in named.stderr


def test_summary_reads_notebooks(tmp_path):
    shutil.copytree(NOTEBOOKS, tmp_path / "nb")
    result = kerasls("summary", "nb/seed_split.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "# nb/seed_split.ipynb: 1 model" in result.stdout
    assert 'Model: "model (Sequential)", input (None, 150, 150, 3)' in result.stdout
    assert "Total params: 90,449" in result.stdout


# -- standard input -------------------------------------------------------------------------------
def test_standard_input_with_a_file_name(project):
    (project / "pyproject.toml").write_text('[tool.kerasls]\nignore = ["KLS6"]\n')
    seed = (project / "seed.py").read_bytes()
    result = kerasls("check", "--stdin-filename", "train.py", "-", cwd=project, stdin=seed)
    assert result.returncode == 1
    assert "train.py:47:5: KLS101" in result.stdout
    assert "42 class folders in data/train" in result.stdout  # relative class folders: from train.py's folder
    assert "KLS603" not in result.stdout  # settings: the pyproject above train.py
    anonymous = kerasls("check", "-", "--output-format", "json", cwd=project, stdin=seed)
    assert {i["path"] for i in json.loads(anonymous.stdout)} == {"-"}
    clean = kerasls("check", "-", cwd=project, stdin=b"import keras\nx = 1\n")
    assert clean.returncode == 0 and "All checks passed!" in clean.stdout


def test_standard_input_with_fix_prints_the_fixed_text(project):
    seed = (project / "seed.py").read_bytes()
    result = kerasls("check", "--fix", "--stdin-filename", "seed.py", cwd=project, stdin=seed)
    assert result.returncode == 0, result.stderr
    assert result.stdout == seed.decode().replace("Dense(1),", "Dense(train_data_gen.num_classes),").replace(
        "BinaryCrossentropy", "CategoricalCrossentropy"
    ).replace('metrics=["accuracy"]', 'metrics=["categorical_accuracy"]')
    assert "(3 fixed)" in result.stderr  # the report goes to stderr: stdout is the file
    diff = kerasls("check", "--fix", "--diff", "--stdin-filename", "seed.py", cwd=project, stdin=seed)
    assert diff.stdout.startswith("--- a/seed.py\n+++ b/seed.py\n") and diff.returncode == 1
    notebook = (NOTEBOOKS / "seed_split.ipynb").read_bytes()
    fixed = kerasls("check", "--fix", "--stdin-filename", "nb.ipynb", cwd=project, stdin=notebook)
    assert "Dense(train_gen.num_classes)" in "".join(json.loads(fixed.stdout)["cells"][4]["source"])


# -- exit status and how much is printed -------------------------------------------------------------
def test_exit_zero_quiet_silent_and_output_file(project):
    zero = kerasls("check", "--exit-zero", "seed.py", cwd=project)
    assert zero.returncode == 0 and "KLS101" in zero.stdout
    quiet = kerasls("check", "-q", "seed.py", cwd=project)
    assert quiet.returncode == 1 and "KLS101" in quiet.stdout and "Found" not in quiet.stdout
    for flags in (["-qq"], ["--silent"]):
        silent = kerasls("check", *flags, "seed.py", "missing.py", cwd=project)
        assert silent.returncode == 2 and silent.stdout == "" and silent.stderr == ""
    written = kerasls("check", "--output-format", "json", "--output-file", "reports/k.json", "seed.py", cwd=project)
    assert written.returncode == 1 and written.stdout == ""
    assert {i["code"] for i in json.loads((project / "reports" / "k.json").read_text())} >= {"KLS101"}
    fixed = kerasls("check", "--fix", "--exit-non-zero-on-fix", "seed.py", cwd=project)
    assert fixed.returncode == 1 and "(3 fixed)" in fixed.stdout and "fixable" not in fixed.stdout


def test_statistics(project):
    shutil.copy(project / "seed.py", project / "seed_copy.py")
    text = kerasls("check", "--statistics", ".", cwd=project)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert lines[0] == "2\tKLS101\t[*] output-units-mismatch-class-count"
    assert "2\tKLS505\t[ ] dense-layer-dominates-parameters" in lines
    assert lines[-1] == "[*] fixable with `kerasls check --fix`"
    rows = json.loads(kerasls("check", "--statistics", "--output-format", "json", ".", cwd=project).stdout)
    assert {"code": "KLS201", "name": "binary-crossentropy-on-one-hot-labels", "count": 2, "fixable": 2} in rows


# -- configuration --------------------------------------------------------------------------------
def test_config_file_and_inline_overrides(project):
    (project / "pyproject.toml").write_text('[tool.kerasls]\nselect = ["KLS4"]\n')
    (project / "ci.toml").write_text('select = ["KLS2"]\n')  # a kerasls.toml-style file: options at the top
    assert codes(kerasls("check", "--output-format", "json", "seed.py", cwd=project)) == ["KLS401"]
    assert codes(kerasls("check", "--output-format", "json", "--config", "ci.toml", "seed.py", cwd=project)) == [
        "KLS201"
    ]
    inline = kerasls(
        "check", "--output-format", "json", "--config", "extend-select = ['KLS101']", "seed.py", cwd=project
    )
    assert codes(inline) == ["KLS101", "KLS401"]
    (project / "kerasls.toml").write_text('select = ["KLS5"]\n')  # preferred to pyproject.toml in one folder
    assert codes(kerasls("check", "--output-format", "json", "seed.py", cwd=project)) == ["KLS505"]
    bad = kerasls("check", "--config", "selct = ['KLS1']", "seed.py", cwd=project)
    assert bad.returncode == 2 and "unknown option 'selct'" in bad.stderr


def test_per_file_ignores_and_extend_options(project):
    (project / "tests").mkdir()
    shutil.copy(project / "seed.py", project / "tests" / "test_seed.py")
    (project / "pyproject.toml").write_text(
        "[tool.kerasls]\n"
        'ignore = ["KLS6"]\n'
        'extend-ignore = ["KLS505"]\n'
        'extend-select = ["KLS1"]\n'
        '[tool.kerasls.per-file-ignores]\n"tests/*" = ["KLS101", "KLS4"]\n'
    )
    items = json.loads(kerasls("check", "--output-format", "json", ".", cwd=project).stdout)
    found = {(Path(i["path"]).name, i["code"]) for i in items}
    assert found == {("seed.py", "KLS101"), ("seed.py", "KLS201"), ("seed.py", "KLS401"), ("test_seed.py", "KLS201")}
    # The command line: --ignore adds to the configured ignores, --extend-select to the selection.
    flags = kerasls(
        "check",
        "--output-format",
        "json",
        "--ignore",
        "KLS2",
        "--select",
        "KLS2,KLS4",
        "--extend-select",
        "KLS603",
        ".",
        cwd=project,
    )
    assert {(Path(i["path"]).name, i["code"]) for i in json.loads(flags.stdout)} == {("seed.py", "KLS401")}
    # Running from the tests folder: the globs are relative to the pyproject's folder, not to the cwd.
    inside = kerasls("check", "--output-format", "json", "test_seed.py", cwd=project / "tests")
    assert codes(inside) == ["KLS201"]


def test_noqa_comments(project):
    text = (project / "seed.py").read_text()
    text = text.replace("Dense(1),  # one score per image", "Dense(1),  # noqa: E501, KLS101")
    text = text.replace('metrics=["accuracy"],', 'metrics=["accuracy"],  # NOQA')
    text = text.replace(
        "loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),",
        "loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),  # noqa:KLS203 other words",
    )
    (project / "seed.py").write_text(text)
    result = kerasls("check", "--output-format", "json", "--ignore", "KLS5,KLS6", "seed.py", cwd=project)
    assert codes(result) == ["KLS201"]  # 101 named, 401 by a bare noqa, 201 not named by `noqa:KLS203`


def test_force_exclude_applies_exclude_to_named_files(project):
    (project / "generated").mkdir()
    shutil.copy(project / "seed.py", project / "generated" / "model.py")
    shutil.copy(project / "seed.py", project / "skip_me.py")
    (project / "pyproject.toml").write_text('[tool.kerasls]\nexclude = ["generated", "skip_*.py"]\n')
    named = ["generated/model.py", "skip_me.py"]
    assert kerasls("check", "-q", *named, cwd=project).returncode == 1  # named: checked, as ruff does
    forced = kerasls("check", "--force-exclude", *named, cwd=project)
    assert forced.returncode == 0 and "KLS" not in forced.stdout
    assert "no Python files or notebooks found" in forced.stderr
    seed = (project / "seed.py").read_bytes()
    passthrough = kerasls(
        "check", "--fix", "--force-exclude", "--stdin-filename", "skip_me.py", cwd=project, stdin=seed
    )
    assert passthrough.returncode == 0 and passthrough.stdout == seed.decode()


def test_more_usage_errors(project):
    assert kerasls("check", "--jobs", "0", ".", cwd=project).returncode == 2
    mixed = kerasls("check", "-", "seed.py", cwd=project, stdin=b"")
    assert mixed.returncode == 2 and "cannot be mixed" in mixed.stderr
