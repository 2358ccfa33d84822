"""The result cache (.kerasls_cache) and parallel runs, through the real `kerasls check`: the same
output with and without them, entries invalidated by what changes findings (content, settings,
class folders), a folder git ignores by itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO
from test_cli_conventions import NOTEBOOKS, kerasls


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "examples", root)
    shutil.copy(NOTEBOOKS / "seed_split.ipynb", root / "seed_split.ipynb")
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return root


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("kerasls-*/*/*.json"))


def test_the_cache_lives_at_the_project_root_and_git_ignores_it(project):
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "sub").mkdir()
    result = kerasls("check", "..", cwd=project / "sub", env={"KERASLS_CACHE_DIR": ""})
    assert result.returncode == 1, result.stderr
    cache = project / ".kerasls_cache"
    assert not (project / "sub" / ".kerasls_cache").exists()
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert entries(cache)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=project, capture_output=True, text=True
    )
    assert ".kerasls_cache" not in status.stdout


def test_warm_runs_print_what_cold_runs_print(project):
    cache = project / ".test-cache"
    # JSON has every detail: messages, related places, fixes and their edits, cells.
    uncached = kerasls("check", "--output-format", "json", "--no-cache", ".", cwd=project)
    assert not cache.exists()  # --no-cache writes nothing
    cold = kerasls("check", "--output-format", "json", ".", cwd=project)
    warm = kerasls("check", "--output-format", "json", ".", cwd=project)
    assert cold.returncode == warm.returncode == uncached.returncode == 1
    assert cold.stdout == warm.stdout == uncached.stdout
    assert json.loads(uncached.stdout)
    assert len(entries(cache)) == 7  # one per file: 6 examples and the notebook
    # The warm run really reads the entries: change a stored message and it is printed.
    for entry in entries(cache):
        data = json.loads(entry.read_text())
        for diagnostic in data["diagnostics"]:
            diagnostic["message"] = diagnostic["message"].replace(
                "The final layer outputs", "TAMPERED: the final layer outputs"
            )
        entry.write_text(json.dumps(data))
    assert "TAMPERED" in kerasls("check", "--output-format", "json", ".", cwd=project).stdout
    assert "TAMPERED" not in uncached.stdout
    # Other settings are another key; so is other content.
    ignored = kerasls("check", "--ignore", "KLS2", ".", cwd=project)
    assert "TAMPERED" not in ignored.stdout and "KLS201" not in ignored.stdout
    seed = project / "leaf_species_cnn.py"
    seed.write_text(seed.read_text().replace("Dense(512", "Dense(256"))
    edited = kerasls("check", "leaf_species_cnn.py", cwd=project)
    assert "TAMPERED" not in edited.stdout and "KLS101" in edited.stdout


def test_a_new_class_folder_invalidates_the_entry(project):
    first = kerasls("check", "leaf_species_cnn.py", cwd=project)
    assert "42 class folders in data/train" in first.stdout
    (project / "data" / "train" / "zz_new_species").mkdir()
    second = kerasls("check", "leaf_species_cnn.py", cwd=project)
    assert "43 class folders in data/train" in second.stdout


def test_cache_dir_and_clean(project):
    kerasls("check", "--cache-dir", "elsewhere", ".", cwd=project)
    assert entries(project / "elsewhere") and not (project / ".test-cache").exists()
    cleaned = kerasls("clean", "--cache-dir", "elsewhere", cwd=project)
    assert cleaned.returncode == 0 and not (project / "elsewhere").exists()


def test_parallel_runs_keep_the_order_and_the_output(project):
    for i in range(4):
        shutil.copy(project / "leaf_species_cnn.py", project / f"copy_{i}.py")
    one = kerasls("check", "--jobs", "1", "--no-cache", ".", cwd=project)
    two = kerasls("check", "--jobs", "2", "--no-cache", ".", cwd=project)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stderr == two.stderr
    fixed = kerasls("check", "--jobs", "2", "--fix", ".", cwd=project)
    assert fixed.returncode == 0, fixed.stdout
    assert "(18 fixed)" in fixed.stdout  # 3 in each of 5 copies of the seed, 3 in the notebook
    assert "categorical_accuracy" in (project / "copy_3.py").read_text()
