"""The pre-commit hook (.pre-commit-hooks.yaml), run by the real `pre-commit` on a scratch git
repository: a commit of a buggy training script is refused with the finding, a clean one goes in.

pre-commit installs the hook from a hook repository into a virtualenv of its own with pip (from
PyPI). The hook repository is this working tree as it is now, committed into a scratch repository
(what `pre-commit try-repo` does), so uncommitted changes are tested too. Everything pre-commit
writes (PRE_COMMIT_HOME, its clone and virtualenv, virtualenv's app data) stays in the test's
temporary folder. It takes under 15 s here (pip's downloads included), so it is in the fast tier.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

HOOK_REPO_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "kerasls"]


def git(*args: str, cwd: Path, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check, timeout=120)


@pytest.fixture
def env(tmp_path: Path) -> dict:
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": str(gitconfig),  # no user hooksPath, templates or signing
        "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(tmp_path / "virtualenv-app-data"),
        "NO_COLOR": "1",
        "KERASLS_CACHE_DIR": str(tmp_path / "kerasls-cache"),
    }


@pytest.fixture
def hook_repo(tmp_path: Path, env: dict) -> tuple[Path, str]:
    """This working tree's package and hook definition, committed in a scratch repository."""
    repo = tmp_path / "hook-repo"
    repo.mkdir()
    for name in HOOK_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, repo / name)
    git("init", "-q", cwd=repo, env=env)
    git("add", ".", cwd=repo, env=env)
    git("commit", "-q", "-m", "kerasls hook", cwd=repo, env=env)
    return repo, git("rev-parse", "HEAD", cwd=repo, env=env).stdout.strip()


def test_a_buggy_file_is_refused_and_a_clean_one_commits(tmp_path, env, hook_repo):
    repo, rev = hook_repo
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project, env=env)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: kerasls\n"
    )
    git("add", ".pre-commit-config.yaml", cwd=project, env=env)
    pre_commit = [sys.executable, "-m", "pre_commit"]
    subprocess.run([*pre_commit, "install"], cwd=project, env=env, check=True, capture_output=True, timeout=60)
    installed = subprocess.run(
        [*pre_commit, "install-hooks"], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    shutil.copy(REPO / "examples" / "leaf_species_cnn.py", project / "train.py")
    git("add", "train.py", cwd=project, env=env)
    refused = git("commit", "-m", "a buggy model", cwd=project, env=env, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "kerasls" in output and "Failed" in output
    assert (
        "train.py:47:5: KLS101 [error] The final layer outputs 1 value, but the labels are one-hot over K classes"
        in output
    )
    assert git("rev-parse", "--verify", "-q", "HEAD", cwd=project, env=env, check=False).returncode != 0

    git("rm", "-q", "--cached", "train.py", cwd=project, env=env)
    shutil.copy(REPO / "examples" / "digits_mlp.py", project / "digits.py")
    git("add", "digits.py", cwd=project, env=env)
    accepted = git("commit", "-m", "a clean model", cwd=project, env=env, check=False)
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "kerasls" in output and "Passed" in output
    assert "digits.py" in git("show", "--name-only", "HEAD", cwd=project, env=env).stdout
