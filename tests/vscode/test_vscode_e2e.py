"""The VS Code extension in a real VS Code: code-server, driven by headless Chromium through Playwright.

vscode-extension/scripts/setup-e2e.sh installs Node 24, code-server, Debian's chromium and the Python
playwright package into .cache/e2e (reused when present) and builds the .vsix. This test installs that
.vsix and a test-only probe extension (vscode-extension/e2e/probe) into a fresh code-server, opens a copy of
examples/ and checks what VS Code itself reports: the probe writes the diagnostics and quick fixes it sees
through the extension API, then applies the preferred fix when told to. Meanwhile Playwright shows the seed
program, hovers its squiggle, opens the quick-fix menu and takes screenshots into test-output/vscode/.

The notebook scenario does the same on a copy of tests/notebooks/: the probe opens seed_split.ipynb as a
notebook (VS Code's built-in ipynb serializer, no Jupyter extension), the diagnostics are checked per cell,
the preferred quick fix is applied to the model cell, and afterwards every cell must show what
`kerasls check` reports for the edited notebook.

The install scenario starts from a fresh venv without kerasls: the extension offers to install the kerasls
wheel that comes inside the .vsix, Playwright clicks Install, the real `pip install` runs, and the diagnostics
appear. In the same window it runs "KerasLS: Check Workspace" (the Problems panel, the rule-code link to the
documentation, a rerun after a file is gone), offers to update a kerasls older than the bundled one,
switches to `kerasls.path`, and shows why an install failed (a venv without pip).

Screenshots go to test-output/vscode/ only. With KERASLS_UPDATE_SCREENSHOTS=1 the pictures of the extension's
README (vscode-extension/images/) are replaced by this run's.

Run: pytest -m vscode tests/vscode
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.vscode

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "vscode-extension"
SEED = "leaf_species_cnn.py"
OUTPUT = REPO / "test-output" / "vscode"
CACHE = Path(os.environ.get("KERASLS_E2E_CACHE", REPO / ".cache" / "e2e"))
# The Python that runs the server (kerasls.interpreter): the one running the tests, unless told otherwise.
INTERPRETER = os.environ.get("KERASLS_E2E_INTERPRETER", sys.executable)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The screenshots copied into the extension's README, with KERASLS_UPDATE_SCREENSHOTS=1 only.
README_IMAGES = {
    "hover.png": "squiggle-hover.png",
    "quick-fix.png": "quick-fix-menu.png",
    "notebook.png": "notebook-cell.png",
}
UPDATE_SCREENSHOTS = os.environ.get("KERASLS_UPDATE_SCREENSHOTS") == "1"


def update_readme_images(output_dir: Path, *names: str) -> None:
    """Copies these screenshots over the README's pictures, when asked to (KERASLS_UPDATE_SCREENSHOTS=1)."""
    if not UPDATE_SCREENSHOTS:
        return
    (EXTENSION / "images").mkdir(exist_ok=True)
    for name in names:
        shutil.copyfile(output_dir / name, EXTENSION / "images" / README_IMAGES[name])


def wait_until(what: str, timeout: float, check, interval: float = 0.25):
    """Polls `check` until it returns something truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def tools() -> dict:
    """Runs the setup script (fast when the cache is warm) and returns the paths it wrote."""
    started = time.monotonic()
    subprocess.run(
        ["bash", str(EXTENSION / "scripts" / "setup-e2e.sh")],
        env={**os.environ, "PYTHON": sys.executable, "KERASLS_E2E_CACHE": str(CACHE)},
        check=True,
        timeout=1200,
    )
    print(f"setup-e2e.sh took {time.monotonic() - started:.0f} s")
    env = json.loads((CACHE / "env.json").read_text())
    if env["python_path"] not in sys.path:
        sys.path.insert(0, env["python_path"])
    return env


@pytest.fixture(scope="module")
def output_dir() -> Path:
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    return OUTPUT


def write_settings(user_data: Path, machine: dict, user: dict) -> None:
    """Machine and user settings.json. code-server windows are remote windows: machine-overridable settings
    such as kerasls.interpreter and kerasls.path are read from the remote machine's settings (Machine/), so
    they go to both."""
    for folder, values in (("Machine", machine), ("User", {**machine, **user})):
        (user_data / folder).mkdir(parents=True, exist_ok=True)
        target = user_data / folder / "settings.json"
        target.with_suffix(".tmp").write_text(json.dumps(values, indent=2))
        target.with_suffix(".tmp").rename(target)  # VS Code watches these files: never show it half a file


@contextlib.contextmanager
def running_code_server(
    tools: dict,
    root: Path,
    logs: Path,
    interpreter: str | list[str],
    probe_out: Path | None = None,
    source: Path = REPO / "examples",
    settings: dict | None = None,
    log_level: str | None = None,
):
    """A code-server with the extension (and the probe) installed, serving a copy of `source`; stopped after.

    `settings` are added to the user settings (probe settings, for one). `log_level` "trace" lets the KerasLS
    output channel's log (vscode-logs/*/exthost1/kerasls.kerasls/KerasLS.log) keep the kerasls.trace.server
    lines: the client writes them at trace level."""
    workspace = root / "workspace"
    shutil.copytree(source, workspace, dirs_exist_ok=True)  # the test may have put files there first
    user_data, extensions = root / "user-data", root / "extensions"
    user_settings = {
        **({"keraslsProbe.outputDir": str(probe_out)} if probe_out else {}),
        "security.workspace.trust.enabled": False,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.enableExperiments": False,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.disableAIFeatures": True,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "editor.minimap.enabled": False,
        "editor.hover.delay": 300,
        "files.autoSave": "off",
        "git.enabled": False,
        **(settings or {}),
    }
    write_settings(user_data, {"kerasls.interpreter": interpreter}, user_settings)
    env = {
        **os.environ,
        "PATH": f"{Path(tools['node']).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "XDG_DATA_HOME": str(root / "xdg-data"),
        "XDG_CONFIG_HOME": str(root / "xdg-config"),
    }
    env.pop("KERASLS_PROBE_OUT", None)
    if probe_out:
        env["KERASLS_PROBE_OUT"] = str(probe_out)
    base = [
        tools["node"],
        tools["code_server_entry"],
        "--user-data-dir",
        str(user_data),
        "--extensions-dir",
        str(extensions),
    ]
    subprocess.run(
        [*base, "--force", "--install-extension", tools["vsix"], "--install-extension", tools["probe_vsix"]],
        env=env,
        check=True,
        timeout=300,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    log = (logs / "code-server.log").open("w")
    process = subprocess.Popen(
        [
            *base,
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--auth",
            "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--disable-getting-started-override",
            "--ignore-last-opened",
            *(["--log", log_level] if log_level else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group
    )

    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"code-server exited with {process.returncode}; see {logs / 'code-server.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until("code-server to answer /healthz", 120, healthy)
        yield {
            "url": f"http://127.0.0.1:{port}/?folder={workspace}",
            "workspace": workspace,
            "probe": probe_out,
            "user_data": user_data,
            "user_settings": user_settings,
        }
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # code-server, its extension host and the kerasls server
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass
        log.close()
        if (user_data / "logs").exists():
            shutil.copytree(user_data / "logs", logs / "vscode-logs", dirs_exist_ok=True)


@pytest.fixture(scope="module")
def code_server(tools, output_dir, tmp_path_factory):
    settings = {
        "keraslsProbe.file": SEED,
        "keraslsProbe.fixCode": "KLS101",
        "keraslsProbe.expect": ["KLS201", "KLS401"],
    }
    with running_code_server(
        tools, tmp_path_factory.mktemp("code-server"), output_dir, INTERPRETER, output_dir / "probe", settings=settings
    ) as server:
        yield server


@contextlib.contextmanager
def browser_page(tools: dict, output_dir: Path, failure_name: str):
    """A Chromium page; on an error, a screenshot named `failure_name` first."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=tools["chromium"], headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 760})
        page.set_default_timeout(60_000)
        try:
            yield page
        except BaseException:
            screenshot(page, output_dir, failure_name)
            raise
        finally:
            browser.close()


def probe_file(probe: Path, name: str, timeout: float) -> dict:
    """Waits for the probe's `name` (or its error.json) and returns it."""

    def ready():
        error = probe / "error.json"
        if error.exists():
            pytest.fail(f"the probe failed: {json.loads(error.read_text())['error']}")
        return (probe / name).exists()

    wait_until(f"the probe's {name}", timeout, ready)
    return json.loads((probe / name).read_text())


def seed_line(text: str, needle: str) -> int:
    """1-based number of the only line of the seed containing `needle`."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def test_diagnostics_hover_and_quick_fix_in_vscode(tools, output_dir, code_server):
    seed_text = (code_server["workspace"] / SEED).read_text()
    dense_line = seed_line(seed_text, "Dense(1)")
    loss_line = seed_line(seed_text, "loss=")
    metrics_line = seed_line(seed_text, "metrics=")
    started = time.monotonic()

    with browser_page(tools, output_dir, "failure.png") as page:
        page.goto(code_server["url"], timeout=120_000)
        page.wait_for_selector(".monaco-workbench .explorer-folders-view", timeout=120_000)
        screenshot(page, output_dir, "workbench.png")
        # The extension's status bar item says the server is ready.
        page.locator(".statusbar-item").filter(has_text="KerasLS").locator(".codicon-check").wait_for(timeout=120_000)

        # What VS Code reports through its API, before anything is changed.
        seen = probe_file(code_server["probe"], "diagnostics.json", 240)

        open_file(page, SEED)
        editor = page.locator(f".monaco-editor[data-uri$='{SEED}']").first
        hide_toasts(page)
        go_to(page, dense_line, 6)  # the editor renders only the lines in view, squiggles included
        editor.locator(".squiggly-error").first.wait_for(state="attached", timeout=120_000)
        squiggle = squiggle_on_line(page, editor, "Dense(1)")
        box = squiggle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - 3)
        page.locator(".monaco-hover:visible").filter(has_text="KLS101").first.wait_for(timeout=30_000)
        screenshot(page, output_dir, "hover.png")

        page.mouse.move(5, 400)
        page.keyboard.press("Escape")
        go_to(page, dense_line, 6)
        page.keyboard.press("Control+.")
        menu = page.locator(".action-widget:visible").first
        menu.wait_for(timeout=30_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.action-widget .action-label, .action-widget .title')]"
            ".some(e => e.textContent.includes('num_classes'))",
            timeout=30_000,
        )
        screenshot(page, output_dir, "quick-fix.png")
        page.keyboard.press("Escape")

        # Now the probe applies the preferred fix through the API and waits for the diagnostic to clear.
        (code_server["probe"] / "go").touch()
        result = probe_file(code_server["probe"], "result.json", 180)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.view-line')].some(e => e.textContent.includes('num_classes'))",
            timeout=60_000,
        )
        screenshot(page, output_dir, "after-fix.png")
        shown = notifications(page)
    print(f"browser part took {time.monotonic() - started:.0f} s")
    (output_dir / "result.json").write_text(json.dumps(result, indent=2))
    (output_dir / "notifications.json").write_text(json.dumps(shown, indent=2))

    # The diagnostics, on the right lines, with their codes and documentation links.
    by_code = {d["code"]: d for d in seen["diagnostics"]}
    assert {"KLS101", "KLS201", "KLS401"} <= set(by_code), seen["diagnostics"]
    assert by_code["KLS101"]["line"] == dense_line
    assert by_code["KLS201"]["line"] == loss_line
    assert by_code["KLS401"]["line"] == metrics_line
    assert by_code["KLS101"]["severity"] == "error"
    assert by_code["KLS201"]["severity"] == "error"
    assert by_code["KLS401"]["severity"] == "warning"
    for code in ("KLS101", "KLS201", "KLS401"):
        diagnostic = by_code[code]
        assert diagnostic["source"] == "kerasls"
        assert diagnostic["href"] and diagnostic["href"].lower().endswith(f"#{code.lower()}"), diagnostic
        assert diagnostic["message"]
    assert "42" in by_code["KLS101"]["message"]

    # The quick fixes of the first diagnostic (KLS101), one of them preferred.
    assert seen["fixTarget"]["code"] == "KLS101"
    preferred = [a for a in seen["codeActions"] if a["isPreferred"]]
    assert len(preferred) == 1, seen["codeActions"]
    assert "num_classes" in preferred[0]["title"]
    assert preferred[0]["kind"] == "quickfix" and preferred[0]["hasEdit"]
    assert any("Ignore KLS101" in a["title"] for a in seen["codeActions"])

    # Applying it changes the line and clears KLS101.
    assert result["applied"] == {"title": preferred[0]["title"], "applyEdit": True}
    assert "num_classes" in result["fixedLine"], result["fixedLine"]
    assert "KLS101" not in {d["code"] for d in result["diagnosticsAfterFix"]}

    # Nothing went wrong on the way: no "Error in server: ..." and no KerasLS complaint.
    problems = [text for text in shown if "error in server" in text.lower() or "kerasls" in text.lower()]
    assert not problems, problems

    update_readme_images(output_dir, "hover.png", "quick-fix.png")


NOTEBOOKS = REPO / "tests" / "notebooks"
NOTEBOOK = "seed_split.ipynb"


def notebook_cells(path: Path) -> list[str]:
    """The sources of the notebook's cells, as VS Code's ipynb serializer reads them."""
    cells = json.loads(path.read_text())["cells"]
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"] for cell in cells]


def check_notebook_per_cell(root: Path, cell_texts: list[str]) -> list[list[dict]]:
    """`kerasls check --format json` on seed_split.ipynb with these cell texts (next to a copy of its data/):
    per cell, the findings as the probe describes them (1-based line, 0-based character)."""
    folder = root / "expected"
    shutil.copytree(NOTEBOOKS / "data", folder / "data", dirs_exist_ok=True)
    notebook = json.loads((NOTEBOOKS / NOTEBOOK).read_text())
    for cell, text in zip(notebook["cells"], cell_texts, strict=True):
        cell["source"] = text.splitlines(keepends=True)
    (folder / NOTEBOOK).write_text(json.dumps(notebook, indent=1))
    run = subprocess.run(
        [INTERPRETER, "-m", "kerasls", "check", "--format", "json", NOTEBOOK],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr
    per_cell: list[list[dict]] = [[] for _ in cell_texts]
    for finding in json.loads(run.stdout):
        start = finding["range"]["start"]
        per_cell[finding["cell"]].append(
            {"code": finding["code"], "line": start["line"] + 1, "character": start["character"]}
        )
    return per_cell


def test_notebook_cells_diagnostics_and_quick_fix_in_vscode(tools, output_dir, tmp_path_factory):
    """seed_split.ipynb opened as a notebook (VS Code's built-in ipynb serializer): diagnostics per cell, a quick
    fix that edits the right cell, and the diagnostic gone afterwards."""
    root = tmp_path_factory.mktemp("notebook")
    logs = output_dir / "notebook"
    probe = logs / "probe"
    sources = notebook_cells(NOTEBOOKS / NOTEBOOK)
    dense_line = seed_line(sources[4], "Dense(1),  # one score")
    loss_line = seed_line(sources[5], "loss=")
    metrics_line = seed_line(sources[5], "metrics=")
    settings = {
        "keraslsProbe.file": NOTEBOOK,
        "keraslsProbe.fixCode": "KLS101",
        "keraslsProbe.expect": ["KLS201", "KLS401"],
        "kerasls.trace.server": "verbose",  # the LSP traffic, in KerasLS.log (with log_level="trace" below)
        "notebook.lineNumbers": "on",
    }
    started = time.monotonic()

    with (
        running_code_server(
            tools, root, logs, INTERPRETER, probe, source=NOTEBOOKS, settings=settings, log_level="trace"
        ) as server,
        browser_page(tools, logs, "failure.png") as page,
    ):
        page.goto(server["url"], timeout=120_000)
        page.wait_for_selector(".monaco-workbench .explorer-folders-view", timeout=120_000)
        # The probe opens the notebook itself (openNotebookDocument + showNotebookDocument) and waits for the
        # diagnostics on its cells.
        seen = probe_file(probe, "diagnostics.json", 240)
        page.locator(".statusbar-item").filter(has_text="KerasLS").locator(".codicon-check").wait_for(timeout=120_000)
        page.locator(".tab.active").filter(has_text=NOTEBOOK).wait_for(timeout=60_000)
        hide_toasts(page)

        # The squiggle in the model cell, and its hover.
        cell_editor = (
            page.locator(".notebook-editor .monaco-editor")
            .filter(has=page.locator(".view-line", has_text="Dense(1)"))
            .first
        )
        cell_editor.wait_for(timeout=60_000)
        cell_editor.locator(".squiggly-error").first.wait_for(state="attached", timeout=120_000)
        squiggle = squiggle_on_line(page, cell_editor, "Dense(1)")
        squiggle.scroll_into_view_if_needed()
        box = squiggle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - 3)
        page.locator(".monaco-hover:visible").filter(has_text="KLS101").first.wait_for(timeout=30_000)
        screenshot(page, output_dir, "notebook.png")
        page.mouse.move(5, 400)
        page.keyboard.press("Escape")

        # The probe applies the preferred quick fix (workspace.applyEdit) and waits for KLS101 to leave the cell.
        (probe / "go").touch()
        result = probe_file(probe, "result.json", 180)
        # Every cell should then show what `kerasls check` says about the edited notebook.
        expected_after = check_notebook_per_cell(root, result["cellTextsAfter"])
        (probe / "expect-after-fix.json.tmp").write_text(json.dumps({"cells": expected_after}, indent=2))
        (probe / "expect-after-fix.json.tmp").rename(probe / "expect-after-fix.json")
        settled = probe_file(probe, "settled.json", 180)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.notebook-editor .view-line')]"
            ".some(e => e.textContent.includes('num_classes'))",
            timeout=60_000,
        )
        screenshot(page, logs, "after-fix.png")
        shown = notifications(page)
    print(f"notebook scenario took {time.monotonic() - started:.0f} s")
    (logs / "result.json").write_text(json.dumps(result, indent=2))
    (logs / "settled.json").write_text(json.dumps(settled, indent=2))
    (logs / "notifications.json").write_text(json.dumps(shown, indent=2))

    # VS Code opened it as a Jupyter notebook, with the cells of the file.
    assert seen["notebookType"] == "jupyter-notebook"
    cells = seen["cells"]
    assert len(cells) == len(sources)
    assert [c["kind"] for c in cells] == ["markup", "code", "code", "markup", "code", "code", "code", "code"]
    assert cells[4]["language"] == cells[5]["language"] == "python"
    assert all(c["uri"].startswith("vscode-notebook-cell:") for c in cells)
    assert seen["cellTextsBefore"] == sources

    # The diagnostics, per cell, on the cells' own lines.
    per_cell = seen["cellDiagnostics"]
    codes = [{d["code"] for d in found} for found in per_cell]
    for index in (0, 3):
        assert not per_cell[index], (index, per_cell[index])  # markdown cells
    assert not any("KLS001" in found for found in codes), per_cell  # the IPython magics are no syntax errors
    model = {d["code"]: d for d in per_cell[4]}
    compile_ = {d["code"]: d for d in per_cell[5]}
    assert "KLS101" in model, per_cell
    assert {"KLS201", "KLS401"} <= set(compile_), per_cell
    assert "KLS101" not in set().union(*codes[:4], *codes[5:])
    assert model["KLS101"]["line"] == dense_line
    assert model["KLS101"]["character"] == sources[4].splitlines()[dense_line - 1].index("Dense(1)")
    assert compile_["KLS201"]["line"] == loss_line
    assert compile_["KLS401"]["line"] == metrics_line
    assert (model["KLS101"]["severity"], compile_["KLS201"]["severity"], compile_["KLS401"]["severity"]) == (
        "error",
        "error",
        "warning",
    )
    for code, diagnostic in (
        ("KLS101", model["KLS101"]),
        ("KLS201", compile_["KLS201"]),
        ("KLS401", compile_["KLS401"]),
    ):
        assert diagnostic["source"] == "kerasls"
        assert diagnostic["href"] and diagnostic["href"].lower().endswith(f"#{code.lower()}"), diagnostic
    assert "42" in model["KLS101"]["message"]
    # Related locations point into the notebook's cells (the labels in cell 2).
    cell_uris = [c["uri"] for c in cells]
    related = model["KLS101"]["related"]
    assert related and all(r["uri"] in cell_uris for r in related), related
    assert cell_uris[2] in {r["uri"] for r in related}, related

    # The quick fixes of KLS101 in cell 4: one preferred, editing that cell only.
    assert seen["fixTarget"]["cell"] == 4 and seen["fixTarget"]["code"] == "KLS101"
    preferred = [a for a in seen["codeActions"] if a["isPreferred"]]
    assert len(preferred) == 1, seen["codeActions"]
    assert "num_classes" in preferred[0]["title"]
    assert preferred[0]["kind"] == "quickfix" and preferred[0]["hasEdit"]
    assert preferred[0]["editUris"] == [cell_uris[4]], preferred[0]
    # (Unlike in .py files, the server offers no "Ignore KLS101 on this line" action in notebook cells.)
    # The notebook fix-all kind is offered on the cells.
    assert [a["kind"] for a in seen["fixAllActions"]] == ["notebook.source.fixAll.kerasls"], seen["fixAllActions"]

    # Applying it changes that line of that cell, nothing else, and clears KLS101.
    assert result["applied"] == {"title": preferred[0]["title"], "applyEdit": True}
    assert "num_classes" in result["fixedLine"], result["fixedLine"]
    changed = [i for i, (a, b) in enumerate(zip(result["cellTextsBefore"], result["cellTextsAfter"])) if a != b]
    assert changed == [4], changed
    assert result["cellTextsAfter"][4].splitlines()[dense_line - 1] == result["fixedLine"]
    assert not any(d["code"] == "KLS101" for found in result["cellDiagnosticsAfterFix"] for d in found)
    # ... and the other cells follow: the compile cell's findings depended on the model cell.
    if not settled["matched"]:
        shown_now = [
            sorted((d["code"], d["line"], d["character"]) for d in found) for found in settled["cellDiagnostics"]
        ]
        wanted = [sorted((d["code"], d["line"], d["character"]) for d in found) for found in settled["expected"]]
        stale = {i: {"shown": a, "kerasls check": b} for i, (a, b) in enumerate(zip(shown_now, wanted)) if a != b}
        pytest.fail(f"60 s after the fix, cells still differ from `kerasls check` on the edited notebook: {stale}")

    problems = [text for text in shown if "error in server" in text.lower() or "kerasls" in text.lower()]
    assert not problems, problems

    update_readme_images(output_dir, "notebook.png")


def venv_kerasls(python: Path) -> dict | None:
    """The kerasls that `python` imports (outside any source folder): its version and file, or None."""
    run = subprocess.run(
        [
            str(python),
            "-c",
            "import json, kerasls, importlib.metadata as m;"
            " print(json.dumps({'version': m.version('kerasls'), 'file': kerasls.__file__}))",
        ],
        cwd=python.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(run.stdout) if run.returncode == 0 else None


def kerasls_log(user_data: Path) -> str:
    """The KerasLS output channel's log so far (the newest window's)."""
    logs = sorted(user_data.glob("logs/*/exthost*/kerasls.kerasls/KerasLS.log"), key=lambda p: p.stat().st_mtime)
    return logs[-1].read_text() if logs else ""


def toast_with(page, text: str):
    return page.locator(".notification-toast.notification-fade-in-done").filter(has_text=text)


def problems_rows(page, text: str):
    """Rows of the Problems panel that contain `text`."""
    return page.locator(".markers-panel .monaco-list-row").filter(has_text=text)


def finding_rows(page, code: str):
    """Rows of the Problems panel that are findings of `code` (its code link), not places related to one."""
    return page.locator(".markers-panel .monaco-list-row").filter(has=page.get_by_text(code, exact=True))


def filter_problems(page, text: str) -> None:
    box = page.locator(".viewpane-filter input, .markers-panel-action-filter input").first
    box.fill(text)


# Only "KerasLS: Check Workspace" reports on this second copy of the seed: it is never opened.
UNOPENED = "second_leaf_model.py"
BUNDLED_WHEEL = re.compile(r"-m pip install (\S+/bundled/kerasls-([^-\s]+)-py3-none-any\.whl)")


def test_install_check_workspace_update_and_path(tools, output_dir, tmp_path_factory):
    """From a fresh venv without kerasls: the install prompt, a real `pip install` of the bundled wheel, the
    diagnostics; then Check Workspace, the documentation link of a rule code, an older kerasls updated,
    kerasls.path, and an install that fails (a venv without pip)."""
    root = tmp_path_factory.mktemp("install")
    workspace = root / "workspace"
    venv = workspace / ".venv"  # a venv inside the workspace, as many projects have it (kerasls check skips it)
    subprocess.run([INTERPRETER, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    assert venv_kerasls(python) is None, "the fresh venv must not have kerasls"
    shutil.copyfile(REPO / "examples" / SEED, workspace / UNOPENED)
    logs = output_dir / "install"
    status = ".statusbar-item:has-text('KerasLS')"
    interpreter = ["${workspaceFolder}/.venv/bin/python"]  # the list form, with a variable
    dense_line = seed_line((REPO / "examples" / SEED).read_text(), "Dense(1)")
    timings = {}

    with (
        running_code_server(tools, root, logs, interpreter) as server,
        browser_page(tools, logs, "failure.png") as page,
    ):
        page.goto(server["url"], timeout=120_000)
        page.wait_for_selector(".monaco-workbench .explorer-folders-view", timeout=120_000)
        open_file(page, SEED)  # activates the extension

        # One notification: kerasls is missing, with the exact pip command for the wheel inside the .vsix.
        toast = toast_with(page, "kerasls is not installed")
        toast.wait_for(timeout=120_000)
        page.locator(f"{status} .codicon-error").wait_for()
        message = toast.locator(".notification-list-item-message").inner_text()
        screenshot(page, logs, "install-prompt.png")
        assert f"{python} -m pip install " in message, message
        match = BUNDLED_WHEEL.search(message)
        assert match, message
        wheel, version = Path(match[1]), match[2]
        assert wheel.is_file() and wheel.is_relative_to(root / "extensions"), wheel
        assert page.locator(".notification-toast").filter(has_text="kerasls is not installed").count() == 1

        # Install: the real pip, into the venv; then the server starts by itself and the squiggles appear.
        started = time.monotonic()
        toast.get_by_role("button", name="Install", exact=True).click()
        page.locator(f"{status} .codicon-check").wait_for(timeout=600_000)
        timings["install"] = time.monotonic() - started
        installed = venv_kerasls(python)
        assert installed and installed["version"] == version, installed
        assert Path(installed["file"]).is_relative_to(venv), installed  # the wheel's copy, not the repository's
        hide_toasts(page)
        editor = page.locator(f".monaco-editor[data-uri$='{SEED}']").first
        go_to(page, dense_line, 6)
        editor.locator(".squiggly-error").first.wait_for(state="attached", timeout=120_000)
        squiggle_on_line(page, editor, "Dense(1)")
        timings["diagnostics"] = time.monotonic() - started
        screenshot(page, logs, "installed.png")

        # Check Workspace: the unopened copy's findings in the Problems panel, which opens by itself.
        started = time.monotonic()
        run_command(page, "KerasLS: Check Workspace")
        page.locator(".markers-panel").wait_for(timeout=180_000)
        filter_problems(page, f"**/{UNOPENED}")  # the list renders only the rows in view
        problems_rows(page, UNOPENED).first.wait_for(timeout=180_000)
        timings["check workspace"] = time.monotonic() - started
        kls101 = finding_rows(page, "KLS101").first
        kls101.wait_for()
        screenshot(page, logs, "check-workspace.png")
        # As many as `kerasls check` finds in that file (the resource row's count; the list shows only some rows).
        run = subprocess.run(
            [str(python), "-m", "kerasls", "check", "--format", "json", UNOPENED],
            cwd=server["workspace"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        expected = {finding["code"] for finding in json.loads(run.stdout)}
        assert {"KLS101", "KLS201", "KLS401"} <= expected, expected
        resource_row = problems_rows(page, UNOPENED).first.inner_text().split()
        assert resource_row == [UNOPENED, str(len(json.loads(run.stdout)))], resource_row

        # Its rule code is a link to the rule's documentation (through VS Code's "open external website?").
        link = kls101.get_by_text("KLS101", exact=True).first
        # No network here: the documentation site answers from the test.
        page.context.route(
            "https://github.com/**",
            lambda route: route.fulfill(status=200, content_type="text/html", body="<h1>KerasLS rules</h1>"),
        )
        with page.context.expect_page(timeout=60_000) as opened:
            link.click()
            dialog_open = page.locator(".monaco-dialog-box").get_by_role("button", name="Open", exact=True)
            with contextlib.suppress(Exception):
                dialog_open.click(timeout=10_000)
        docs = opened.value
        with contextlib.suppress(Exception):
            docs.wait_for_url("https://github.com/**", timeout=30_000)
        assert docs.url.lower().endswith("docs/rules.md#kls101"), docs.url
        docs.close()

        # The seed is open in an editor: the server's live diagnostics stand for it, each finding listed once.
        filter_problems(page, f"**/{SEED}")
        finding_rows(page, "KLS101").first.wait_for()
        assert finding_rows(page, "KLS101").count() == 1, page.locator(
            ".markers-panel .monaco-list-row"
        ).all_inner_texts()

        # A rerun replaces the findings: the copy is gone from disk, so from the Problems panel too.
        filter_problems(page, f"**/{UNOPENED}")
        (server["workspace"] / UNOPENED).unlink()
        run_command(page, "KerasLS: Check Workspace")
        wait_until(
            "the deleted file's findings to leave the Problems panel",
            180,
            lambda: problems_rows(page, UNOPENED).count() == 0,
        )
        filter_problems(page, "")

        # An older kerasls in the venv: the extension offers to update it to the bundled one.
        metadata = next(venv.glob("lib/python*/site-packages/kerasls-*.dist-info/METADATA"))
        metadata.write_text(re.sub(r"(?m)^Version: .*$", "Version: 0.0.1", metadata.read_text()))
        assert venv_kerasls(python)["version"] == "0.0.1"
        hide_toasts(page)
        run_command(page, "KerasLS: Restart Server")
        toast = toast_with(page, "older than the kerasls")
        toast.wait_for(timeout=120_000)
        message = toast.locator(".notification-list-item-message").inner_text()
        screenshot(page, logs, "update-prompt.png")
        assert (
            f"{python} has kerasls 0.0.1" in message and f"kerasls {version} that comes with this extension" in message
        ), message
        started = time.monotonic()
        toast.get_by_role("button", name="Update", exact=True).click()
        wait_until("pip to update kerasls", 600, lambda: (venv_kerasls(python) or {}).get("version") == version)
        wait_until(
            "the server to restart after the update",
            120,
            lambda: "Starting the server (kerasls was updated)" in kerasls_log(server["user_data"]),
        )
        page.locator(f"{status} .codicon-check").wait_for(timeout=120_000)
        timings["update"] = time.monotonic() - started

        # kerasls.path: the venv's kerasls executable runs the server (`<path> serve`) and the check.
        executable = venv / "bin" / "kerasls"
        write_settings(
            server["user_data"],
            {
                "kerasls.interpreter": interpreter,
                "kerasls.path": ["${workspaceFolder}/missing/kerasls", "${workspaceFolder}/.venv/bin/kerasls"],
            },
            server["user_settings"],
        )
        wait_until(
            "the server to restart with kerasls.path",
            120,
            lambda: f"Starting the server (a setting changed): {executable} serve" in kerasls_log(server["user_data"]),
        )
        page.locator(f"{status} .codicon-check").wait_for(timeout=120_000)
        run_command(page, "KerasLS: Check Workspace")
        wait_until(
            "Check Workspace to run kerasls.path",
            120,
            lambda: f"Checking the workspace: {executable} check --format json" in kerasls_log(server["user_data"]),
        )
        wait_until(
            "Check Workspace to finish",
            180,
            lambda: (
                "Checked the workspace in"
                in kerasls_log(server["user_data"]).split(f"Checking the workspace: {executable}")[-1]
            ),
        )

        # A Python without pip: the install fails, and the notification says why.
        no_pip = root / "no-pip"
        subprocess.run([INTERPRETER, "-m", "venv", "--without-pip", str(no_pip)], check=True, timeout=300)
        hide_toasts(page)
        write_settings(
            server["user_data"], {"kerasls.interpreter": [str(no_pip / "bin" / "python")]}, server["user_settings"]
        )
        toast = toast_with(page, "kerasls is not installed")
        toast.wait_for(timeout=120_000)
        toast.get_by_role("button", name="Install", exact=True).click()
        failure = toast_with(page, "installing kerasls for")
        failure.wait_for(timeout=120_000)
        screenshot(page, logs, "install-failed.png")
        reason = failure.locator(".notification-list-item-message").inner_text()
        assert "No module named pip" in reason, reason
        page.locator(f"{status} .codicon-error").wait_for()
        shown = notifications(page)
    print(f"install scenario: {', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}")
    (logs / "notifications.json").write_text(json.dumps(shown, indent=2))
    assert not [text for text in shown if "not installed" in text], shown
    failed = [text for text in shown if "failed" in text]
    assert len(failed) == 1 and "No module named pip" in failed[0], shown


def screenshot(page, output_dir: Path, name: str) -> None:
    try:
        page.screenshot(path=str(output_dir / name))
    except Exception as error:  # a failure screenshot must not hide the real error
        print(f"screenshot {name} failed: {error}")


def open_file(page, name: str) -> None:
    """Quick Open (Ctrl+P), type the name, Enter; waits for its editor tab."""
    page.locator(".monaco-workbench").click(position={"x": 640, "y": 300})
    page.keyboard.press("Control+P")
    box = page.locator(".quick-input-widget:visible input").first
    box.wait_for()
    box.fill(name)
    page.locator(".quick-input-widget .monaco-list-row").filter(has_text=name).first.wait_for()
    page.keyboard.press("Enter")
    page.locator(".tab.active").filter(has_text=name).wait_for()


def go_to(page, line: int, column: int) -> None:
    """Ctrl+G, line:column, Enter in the active editor."""
    page.keyboard.press("Control+G")
    box = page.locator(".quick-input-widget:visible input").first
    box.wait_for()
    box.fill(f":{line}:{column}")  # Go to Line is Quick Open with a colon prefix
    page.keyboard.press("Enter")
    page.locator(".quick-input-widget:visible").wait_for(state="hidden")


def squiggle_on_line(page, editor, text: str):
    """The error squiggle that sits on the visible line containing `text`."""
    line_box = editor.locator(".view-line").filter(has_text=text).first.bounding_box()
    squiggles = editor.locator(".squiggly-error")

    def find():
        for index in range(squiggles.count()):
            box = squiggles.nth(index).bounding_box()
            if (
                box
                and abs((box["y"] + box["height"] / 2) - (line_box["y"] + line_box["height"] / 2))
                < line_box["height"] / 2
            ):
                return squiggles.nth(index)
        return None

    return wait_until(f"a squiggle on the line with {text!r}", 30, find)


def run_command(page, title: str) -> None:
    """Runs a command by its title from the Command Palette."""
    page.keyboard.press("Control+Shift+P")
    box = page.locator(".quick-input-widget:visible input").first
    box.wait_for()
    box.fill(f">{title}")
    page.locator(".quick-input-widget .monaco-list-row").filter(has_text=title).first.wait_for()
    page.keyboard.press("Enter")
    page.locator(".quick-input-widget:visible").wait_for(state="hidden")


def hide_toasts(page) -> None:
    """Hides notification toasts (they would cover the editor); they stay in the notification center.

    Right after one toast replaced another, VS Code may not offer "Hide Notifications" (its context key lags):
    then the toasts are closed one by one instead (and leave the notification center)."""
    if not page.locator(".notification-toast:visible").count():
        return
    title = "Notifications: Hide Notifications"
    page.keyboard.press("Control+Shift+P")
    box = page.locator(".quick-input-widget:visible input").first
    box.wait_for()
    box.fill(f">{title}")
    try:
        page.locator(".quick-input-widget .monaco-list-row").filter(has_text=title).first.wait_for(timeout=5_000)
        page.keyboard.press("Enter")
    except Exception:  # playwright's TimeoutError
        page.keyboard.press("Escape")
        for toast in page.locator(".notification-toast:visible").all():
            toast.hover()
            toast.locator(".codicon-notifications-clear").first.click()
    page.locator(".quick-input-widget:visible").wait_for(state="hidden")
    page.locator(".notification-toast:visible").first.wait_for(state="hidden", timeout=10_000)


def notifications(page) -> list[str]:
    """The messages in the notification center (everything shown this session that was not closed)."""
    run_command(page, "Notifications: Show Notifications")
    center = page.locator(".notifications-center:visible")
    center.wait_for()
    texts = center.locator(".notification-list-item-message").all_inner_texts()
    page.keyboard.press("Escape")
    return texts
