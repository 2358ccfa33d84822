"""The example GitHub Actions workflows (docs/ci/*.yml) are valid YAML with the steps docs/ci.md
describes, and their `kerasls check` commands run with this CLI, flags and all."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import REPO
from test_cli_conventions import kerasls

WORKFLOWS = REPO / "docs" / "ci"


def steps(name: str) -> list[dict]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 (PyYAML) reads the key `on` as true
    assert workflow["name"] and set(triggers) == {"push", "pull_request"}
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    return job["steps"]


def kerasls_command(workflow_steps: list[dict]) -> list[str]:
    (command,) = [s["run"] for s in workflow_steps if "run" in s and s["run"].startswith("kerasls check")]
    argv = shlex.split(command)
    assert argv[:2] == ["kerasls", "check"]
    return argv[1:]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples", tmp_path / "project")
    shutil.copy(REPO / "tests" / "notebooks" / "seed_split.ipynb", tmp_path / "project" / "seed_split.ipynb")
    return tmp_path / "project"


def test_sarif_workflow(project):
    workflow_steps = steps("kerasls-sarif.yml")
    uses = [s["uses"].split("@")[0] for s in workflow_steps if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python", "github/codeql-action/upload-sarif"]
    install = next(s["run"] for s in workflow_steps if "pip install" in s.get("run", ""))
    assert "git+https://github.com/kerasls/kerasls" in install
    upload = workflow_steps[-1]["with"]
    result = kerasls(*kerasls_command(workflow_steps), cwd=project)
    assert result.returncode == 0, result.stderr  # --exit-zero: findings are alerts, not a failure
    log = json.loads((project / upload["sarif_file"]).read_text())
    assert log["version"] == "2.1.0" and {r["ruleId"] for r in log["runs"][0]["results"]} >= {"KLS101"}


def test_annotations_workflow(project):
    workflow_steps = steps("kerasls-annotations.yml")
    uses = [s["uses"].split("@")[0] for s in workflow_steps if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-python"]
    result = kerasls(*kerasls_command(workflow_steps), cwd=project)
    assert result.returncode == 1  # an error is reported: the job fails
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(line.startswith("::error file=leaf_species_cnn.py,line=47,") for line in lines)
