"""kerasls in a real JupyterLab with jupyterlab-lsp, driven by headless Chromium through Playwright.

What a user gets from `pip install /path/to/kerasls jupyterlab jupyterlab-lsp`: nothing is configured for
kerasls here. jupyter-lsp finds it through its `jupyter_lsp_spec_v1` entry point (kerasls/lsp/jupyter_spec.py),
jupyterlab-lsp starts `python -m kerasls serve` when the notebook opens, and the test checks what the page
shows: the KLS101 underline on `Dense(1)` in the model cell, its hover text, the row in jupyterlab-lsp's
diagnostics panel (code, source, cell, line) and kerasls's own hover (the model summary, Control + mouse over
`model`). jupyterlab-lsp offers no code actions (quick fixes), so the test
then makes the edit that kerasls's preferred fix describes (in `Diagnostic.data`) by typing it into the cell,
and checks that the diagnostic goes away.

A jupyter-lsp message listener (lsp_traffic.py, loaded by the Jupyter config this test writes) records the
LSP traffic into test-output/jupyterlab/, so the test also checks what kerasls was sent (URI, text) and what
it published. JupyterLab, its runtime, settings and kernels live in temporary folders; nothing is written into
the repository but test-output/. KERASLS_UPDATE_SCREENSHOTS=1 also copies the screenshot of the diagnostic to
docs/images/jupyterlab-diagnostic.png.

The second test puts a stand-in for pylsp (stub_server.py, registered under the key "pylsp") next to kerasls:
jupyterlab-lsp connects a notebook to one server per language, so at equal priority the other server keeps the
notebook, and with a higher priority in the user settings kerasls gets it (and the user's kerasls settings).

Needs: the `jupyterlab` extra, the Python playwright package and Debian's chromium (scripts/test.sh
jupyterlab installs them). Run: pytest -m jupyterlab tests/jupyterlab
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kerasls.lsp.jupyter_spec import KEY

pytestmark = pytest.mark.jupyterlab

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NOTEBOOKS = REPO / "tests" / "notebooks"
NOTEBOOK = "seed_split.ipynb"
OUTPUT = REPO / "test-output" / "jupyterlab"
README_IMAGE = REPO / "docs" / "images" / "jupyterlab-diagnostic.png"
CHROMIUM = os.environ.get("KERASLS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIX = "train_gen.num_classes"


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
def output_dir() -> Path:
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    return OUTPUT


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (scripts/test.sh jupyterlab does)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("the Python playwright package is missing (scripts/test.sh jupyterlab installs it)")
    return CHROMIUM


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:  # a line being written right now
            pass
    return records


class Lab:
    """A running JupyterLab: its URL, token, folders and the LSP traffic recorded so far."""

    def __init__(self, port: int, token: str, root: Path, logs: Path, traffic: Path, stub_log: Path):
        self.port, self.token, self.root, self.logs, self.traffic, self.stub_log = (
            port,
            token,
            root,
            logs,
            traffic,
            stub_log,
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?token={self.token}"

    def get(self, path: str):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{path.lstrip('/')}", headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def delete(self, path: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{path.lstrip('/')}",
            method="DELETE",
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30):
            pass

    def messages(self, server: str = KEY, scope: str | None = None, method: str | None = None) -> list[dict]:
        return [
            r["message"]
            for r in read_jsonl(self.traffic)
            if r["server"] == server
            and (scope is None or r["scope"] == scope)
            and (method is None or r["message"].get("method") == method)
        ]


JUPYTER_CONFIG = """
c.LanguageServerManager.all_listeners = ["lsp_traffic.record"]  # tests/jupyterlab/lsp_traffic.py
c.LabApp.extension_manager = "readonly"  # no PyPI look-ups from the extension manager
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
"""


@contextlib.contextmanager
def running_jupyterlab(root: Path, logs: Path, config: str = "", user_settings: dict | None = None):
    """JupyterLab on a free localhost port with a random token, serving a copy of the seed notebook and its data.

    `config` is appended to the jupyter_server_config.py; `user_settings` maps "<plugin folder>/<name>" to the
    JSON of a JupyterLab user settings file. Stopped after (kernels first, then the server's process group,
    with the language servers in it)."""
    content = root / "content"
    content.mkdir()
    shutil.copyfile(NOTEBOOKS / NOTEBOOK, content / NOTEBOOK)
    shutil.copytree(NOTEBOOKS / "data", content / "data")
    jupyter = {name: root / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for folder in jupyter.values():
        folder.mkdir()
    (jupyter["config"] / "jupyter_server_config.py").write_text(JUPYTER_CONFIG + config)
    settings = {
        # No "get Jupyter news?" toast over the notebook.
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        **(user_settings or {}),
    }
    for name, value in settings.items():
        path = jupyter["settings"] / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    logs.mkdir(parents=True, exist_ok=True)
    traffic, stub_log = logs / "lsp-traffic.jsonl", logs / "stub-server.jsonl"
    for path in (traffic, stub_log):
        path.unlink(missing_ok=True)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(jupyter["config"]),
        "JUPYTER_DATA_DIR": str(jupyter["data"]),
        "JUPYTER_RUNTIME_DIR": str(jupyter["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(jupyter["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(jupyter["workspaces"]),
        "IPYTHONDIR": str(jupyter["ipython"]),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        "KERASLS_LSP_TRAFFIC": str(traffic),
        "KERASLS_STUB_LOG": str(stub_log),
    }
    env.pop("JP_LSP_VIRTUAL_DIR", None)
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={content}",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]
    log = (logs / "jupyterlab.log").open("w")
    process = subprocess.Popen(
        command, cwd=content, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )  # its own process group: the server and its language servers
    lab = Lab(port, token, content, logs, traffic, stub_log)

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with {process.returncode}; see {logs / 'jupyterlab.log'}")
        try:
            return bool(lab.get("api/status")) and "sessions" in lab.get("lsp/status")
        except OSError:
            return False

    try:
        wait_until("JupyterLab to answer /api/status and /lsp/status", 180, ready, interval=0.5)
        yield lab
    finally:
        try:
            for kernel in lab.get("api/kernels"):
                lab.delete(f"api/kernels/{kernel['id']}")
        except Exception as error:  # the server's own shutdown stops them too
            print(f"could not shut the kernels down through the API: {error}")
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        log.close()


@contextlib.contextmanager
def browser_page(chromium: str, output_dir: Path, failure_name: str, lab: Lab | None = None):
    """A Chromium page (console kept in browser-console.txt); on an error, a screenshot named `failure_name`."""
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        try:
            yield page
        except BaseException:
            screenshot(page, output_dir, failure_name)
            if lab is not None:
                print(f"--- tail of {lab.logs / 'jupyterlab.log'}")
                print("\n".join((lab.logs / "jupyterlab.log").read_text(errors="replace").splitlines()[-60:]))
            raise
        finally:
            (output_dir / "browser-console.txt").write_text("\n".join(console))
            browser.close()


def screenshot(page, output_dir: Path, name: str) -> None:
    try:
        page.screenshot(path=str(output_dir / name))
    except Exception as error:  # a failure screenshot must not hide the real error
        print(f"screenshot {name} failed: {error}")


def notebook_cells() -> list[str]:
    cells = json.loads((NOTEBOOKS / NOTEBOOK).read_text())["cells"]
    return ["".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"] for cell in cells]


def open_notebook(page, lab: Lab) -> None:
    page.goto(lab.url(f"lab/tree/{NOTEBOOK}"), timeout=180_000)
    page.locator(".jp-NotebookPanel .jp-CodeCell .cm-content").first.wait_for(timeout=180_000)
    # More room for the notebook: hide the file browser (the left sidebar).
    page.locator(".jp-NotebookPanel").first.click(position={"x": 5, "y": 5})
    if page.locator("#jp-left-stack:visible").count():
        page.keyboard.press("Control+b")
        page.locator("#jp-left-stack").wait_for(state="hidden")


def cell(page, index: int):
    return page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)


def run_command(page, label: str) -> None:
    """Runs a JupyterLab command by its label from the command palette."""
    page.locator("body").press("Control+Shift+c")
    box = page.locator(".lm-CommandPalette input")
    box.wait_for()
    box.fill(label)
    page.locator(".lm-CommandPalette-item").filter(has_text=label).first.click()


def panel_rows(page) -> list[dict]:
    """The rows of jupyterlab-lsp's diagnostics panel, as {column label: text}."""
    return page.evaluate("""() => {
        const table = document.querySelector('.lsp-diagnostics-listing');
        if (!table) return [];
        const heads = [...table.querySelectorAll('thead th')].map(h => h.textContent.trim());
        return [...table.querySelectorAll('tbody tr')].map(tr =>
            Object.fromEntries([...tr.querySelectorAll('td')].map((td, i) => [heads[i], td.textContent.trim()])));
    }""")


def last_published(lab: Lab, server: str = KEY) -> list[dict] | None:
    published = lab.messages(server, "server", "textDocument/publishDiagnostics")
    return published[-1]["params"]["diagnostics"] if published else None


def test_kerasls_diagnostic_in_a_jupyterlab_notebook(chromium, output_dir, tmp_path_factory):
    sources = notebook_cells()
    model_cell = next(i for i, text in enumerate(sources) if "Dense(1)" in text)
    dense_line = next(n for n, line in enumerate(sources[model_cell].splitlines()) if "Dense(1)" in line)
    dense_column = sources[model_cell].splitlines()[dense_line].index("Dense(1)")
    started = time.monotonic()

    with running_jupyterlab(tmp_path_factory.mktemp("jupyterlab"), output_dir) as lab:
        # jupyter-lsp found kerasls through the entry point: no server configured anywhere.
        status = lab.get("lsp/status")
        assert KEY in status["sessions"], status["sessions"].keys()
        spec = status["sessions"][KEY]["spec"]
        assert spec["languages"] == ["python"] and spec["display_name"].startswith("kerasls")
        assert spec["requires_documents_on_disk"] is False
        print(f"JupyterLab up after {time.monotonic() - started:.0f} s")

        with browser_page(chromium, output_dir, "failure.png", lab) as page:
            open_notebook(page, lab)
            target = cell(page, model_cell)
            target.scroll_into_view_if_needed()
            # The error underline (CodeMirror's lint mark), in the model cell, on Dense(1).
            underline = target.locator(".cm-lintRange-error")
            underline.first.wait_for(timeout=180_000)
            print(f"diagnostic shown {time.monotonic() - started:.0f} s after the start")
            assert underline.count() == 1 and underline.first.inner_text() == "Dense(1)", underline.all_inner_texts()
            for index in range(len(sources)):
                if index != model_cell:
                    assert cell(page, index).locator(".cm-lintRange-error").count() == 0, index

            # Its hover text: kerasls's message and source. A later publication (the client sends a
            # second version right after opening) redraws the marks and closes an open tooltip:
            # hover again until the tooltip stays.
            tooltip = page.locator(".cm-tooltip-lint .cm-diagnostic-error").first
            from playwright.sync_api import TimeoutError as PlaywrightTimeout

            def hovered() -> bool:
                box = underline.first.bounding_box()
                page.mouse.move(5, 5)
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                with contextlib.suppress(PlaywrightTimeout):
                    tooltip.wait_for(timeout=3_000)
                return tooltip.is_visible()

            wait_until("the lint tooltip on Dense(1)", 60, hovered)
            hover_text = tooltip.locator(".cm-diagnosticText").inner_text()
            assert "42 classes" in hover_text and "outputs 1 value" in hover_text, hover_text
            assert tooltip.locator(".cm-diagnosticSource").inner_text() == "kerasls"
            screenshot(page, output_dir, "diagnostic-hover.png")

            # The diagnostics panel: code, source, cell (1-based, markdown cells counted) and line:column.
            page.mouse.move(5, 5)
            run_command(page, "Show diagnostics panel")
            page.locator(".lsp-diagnostics-listing").wait_for(timeout=30_000)
            rows = wait_until(
                "KLS101 in the diagnostics panel",
                30,
                lambda: [r for r in panel_rows(page) if r.get("Code") == "KLS101"],
            )
            assert rows == [
                {
                    **rows[0],
                    "Code": "KLS101",
                    "Severity": "Error",
                    "Source": "kerasls",
                    "Cell": str(model_cell + 1),
                    "Line:Ch": f"{dense_line}:{dense_column}",
                }
            ], rows
            # The picture for the docs: the underline with its hover, the panel below.
            target.scroll_into_view_if_needed()
            box = underline.first.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            tooltip.wait_for(timeout=30_000)
            screenshot(page, output_dir, "jupyterlab-diagnostic.png")
            page.mouse.move(5, 5)
            shown_rows = panel_rows(page)

            # kerasls's own hover (textDocument/hover; jupyterlab-lsp asks while Control is held): the model summary.
            first_line = target.locator(".cm-line").filter(has_text="model = Sequential").first.bounding_box()
            page.keyboard.down("Control")
            try:
                for dx in (8, 16):  # a move over the word, then a second one: the hover follows the pointer
                    page.mouse.move(first_line["x"] + dx, first_line["y"] + first_line["height"] / 2)
                hover = page.locator(".lsp-hover").filter(has_text="Sequential").first
                hover.wait_for(timeout=30_000)
                hover_summary = hover.inner_text()
                screenshot(page, output_dir, "lsp-hover.png")
            finally:
                page.keyboard.up("Control")
            page.mouse.move(5, 5)
            page.keyboard.press("Escape")

            # What kerasls was sent and what it said about it.
            opened = lab.messages(KEY, "client", "textDocument/didOpen")
            assert len(opened) == 1, opened
            document = opened[0]["params"]["textDocument"]
            published = last_published(lab)
            kls101 = [d for d in published if d["code"] == "KLS101"]
            assert len(kls101) == 1, published
            virtual_line = document["text"].splitlines()[kls101[0]["range"]["start"]["line"]]
            fix = kls101[0]["data"]["fixes"][0]
            assert fix["preferred"] and FIX in fix["edits"][0]["newText"], fix

            # jupyterlab-lsp has no code actions: make the preferred fix's edit by hand, in the cell.
            box = underline.first.bounding_box()
            page.mouse.click(box["x"] + box["width"] * 7 / 8, box["y"] + box["height"] / 2)  # between "1" and ")"
            page.keyboard.press("Shift+ArrowLeft")
            page.keyboard.type(FIX)
            page.keyboard.press("Escape")  # command mode: the edit is in the notebook model
            wait_until("the KLS101 underline to go", 120, lambda: underline.count() == 0)
            wait_until(
                "KLS101 to leave the diagnostics panel",
                60,
                lambda: not [r for r in panel_rows(page) if r.get("Code") == "KLS101"],
            )
            after = target.locator(".cm-content").inner_text()
            screenshot(page, output_dir, "after-fix.png")
        changes = lab.messages(KEY, "client", "textDocument/didChange")
        after_published = last_published(lab)

    print(f"JupyterLab test took {time.monotonic() - started:.0f} s")
    (output_dir / "panel-before-fix.json").write_text(json.dumps(shown_rows, indent=2))

    assert document["uri"] == (lab.root / NOTEBOOK).as_uri(), document["uri"]  # the notebook itself
    assert document["languageId"] == "python"
    # The cells as one Python text, magics turned into get_ipython() calls by jupyterlab-lsp.
    assert 'get_ipython().run_line_magic("matplotlib", " inline")' in document["text"]
    assert 'files = get_ipython().getoutput("ls data/train")' in document["text"]
    assert virtual_line.strip().startswith("Dense(1)"), virtual_line
    # The edit typed above is the fix's: its range is the "1" of Dense(1) on that line.
    edit = fix["edits"][0]["range"]
    assert edit["start"]["line"] == edit["end"]["line"] == kls101[0]["range"]["start"]["line"]
    assert virtual_line[edit["start"]["character"] : edit["end"]["character"]] == "1", (virtual_line, edit)
    assert "Output shape" in hover_summary and "(None, 1)" in hover_summary, hover_summary
    assert f"Dense({FIX})" in after, after
    assert changes and FIX in changes[-1]["params"]["contentChanges"][-1]["text"]
    assert not [d for d in after_published if d["code"] == "KLS101"], after_published

    if os.environ.get("KERASLS_UPDATE_SCREENSHOTS") == "1":
        README_IMAGE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output_dir / "jupyterlab-diagnostic.png", README_IMAGE)


# Another Python language server, as a user might have configured it (or pylsp's own spec would add it).
STUB_CONFIG = f"""
import sys
c.LanguageServerManager.language_servers = {{
    "pylsp": {{
        "version": 2, "argv": [sys.executable, {str(HERE / "stub_server.py")!r}], "languages": ["python"],
        "display_name": "stub-pylsp", "mime_types": ["text/python", "text/x-ipython"],
        "requires_documents_on_disk": False,
    }},
}}
"""


@pytest.mark.parametrize("kerasls_priority", [None, 100])
def test_another_python_server_keeps_the_notebook_unless_kerasls_has_priority(
    chromium, output_dir, tmp_path_factory, kerasls_priority
):
    """jupyterlab-lsp uses one server per language: at equal priority not kerasls; with priority 100, kerasls."""
    name = f"alongside-pylsp-priority-{kerasls_priority or 'default'}"
    logs = output_dir / name
    settings = {}
    if kerasls_priority is not None:
        # ... and a kerasls setting, to see that the user's serverSettings reach kerasls.
        settings["@jupyter-lsp/jupyterlab-lsp/plugin"] = {
            "language_servers": {KEY: {"priority": kerasls_priority, "serverSettings": {"kerasls.ignore": ["KLS603"]}}}
        }
    with running_jupyterlab(tmp_path_factory.mktemp(name), logs, STUB_CONFIG, settings) as lab:
        assert {KEY, "pylsp"} <= set(lab.get("lsp/status")["sessions"])
        with browser_page(chromium, logs, "failure.png", lab) as page:
            open_notebook(page, lab)
            winner = "stub-pylsp" if kerasls_priority is None else "kerasls"
            mark = ".cm-lintRange-hint" if kerasls_priority is None else ".cm-lintRange-error"
            page.locator(mark).first.wait_for(timeout=180_000)
            screenshot(page, logs, "notebook.png")
            run_command(page, "Show diagnostics panel")
            page.locator(".lsp-diagnostics-listing").wait_for(timeout=30_000)
            rows = wait_until(
                f"{winner} rows in the diagnostics panel",
                30,
                lambda: [r for r in panel_rows(page) if r.get("Source") == winner],
            )
            sources = {r.get("Source") for r in panel_rows(page)}
            codes = {r.get("Code") for r in panel_rows(page)}
        stub_opened = [r for r in read_jsonl(lab.stub_log) if r["method"] == "textDocument/didOpen"]
        kerasls_opened = lab.messages(KEY, "client", "textDocument/didOpen")
        configured = lab.messages(KEY, "client", "workspace/didChangeConfiguration")

    assert rows and sources == {winner}, sources
    if kerasls_priority is None:
        assert len(stub_opened) == 1 and not kerasls_opened, (stub_opened, kerasls_opened)
    else:
        assert len(kerasls_opened) == 1 and not stub_opened, (stub_opened, kerasls_opened)
        assert configured and configured[-1]["params"]["settings"]["kerasls"]["ignore"] == ["KLS603"], configured
        assert "KLS101" in codes and "KLS603" not in codes, codes
