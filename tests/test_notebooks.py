"""Notebooks: cells as one program, IPython syntax masked, findings per cell, fixes written back exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import REPO, run_cli

from kerasls.analysis import analyze
from kerasls.analysis.documents import Cell, map_diagnostics, notebook_layout
from kerasls.analysis.ipython import mask_cell
from kerasls.cli.ipynb import NotebookError, read_notebook, write_sources

NOTEBOOKS = REPO / "tests" / "notebooks"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(NOTEBOOKS, tmp_path / "nb")
    return tmp_path / "nb"


def test_masking_keeps_every_column():
    source = "%matplotlib inline\nfiles = !ls data\nmodel.summary?\n?model\nif True:\n  !echo hi\nx = 3  # %not magic\n"
    masked = mask_cell(source).text
    assert [len(line) for line in masked.splitlines()] == [len(line) for line in source.splitlines()]
    compile(masked, "<cell>", "exec")
    assert masked.splitlines()[6] == "x = 3  # %not magic"


@pytest.mark.parametrize(
    "magic, analysed", [("%%time", True), ("%%capture out", True), ("%%bash", False), ("%%writefile x.py", False)]
)
def test_cell_magics(magic, analysed):
    masked = mask_cell(f"{magic}\nimport keras\n")
    assert (masked is not None) == analysed


def test_a_broken_cell_does_not_hide_the_others():
    cells = [
        Cell("import keras\nm = keras.Sequential([keras.layers.Dense(1, activation='softmax')])\n"),
        Cell("x = (\n"),
        Cell("m.compile(loss='mse')"),
    ]
    module = notebook_layout(cells)
    analysis = analyze(module.text, barriers=module.barriers)
    found = {(f.part, f.diagnostic.code) for f in map_diagnostics(module, analysis.diagnostics)}
    assert found == {(0, "KLS301"), (1, "KLS001")}


def test_check_names_cells_in_text_and_json(workdir):
    text = run_cli("check", str(workdir / "seed_split.ipynb"))
    assert text.returncode == 1
    assert "seed_split.ipynb:cell 5:5:5: KLS101" in text.stdout
    assert "seed_split.ipynb:cell 6:3:20: KLS201" in text.stdout
    items = json.loads(run_cli("check", "--format", "json", str(workdir / "seed_split.ipynb")).stdout)
    dense = next(i for i in items if i["code"] == "KLS101")
    assert dense["cell"] == 4 and dense["range"]["start"] == {"line": 4, "character": 4}
    cells = {r["cell"] for r in dense["related"]}
    assert cells == {2, 5, 7}  # labels in cell 3, loss in cell 6, fit in cell 8 (0-based 2, 5, 7)


def test_clean_notebook_is_silent(workdir):
    result = run_cli("check", str(workdir / "digits_clean.ipynb"))
    assert result.returncode == 0, result.stdout


def test_round_trip_without_changes_is_byte_for_byte(workdir):
    for path in (workdir / "seed_split.ipynb", workdir / "digits_clean.ipynb"):
        raw = path.read_text()
        notebook = read_notebook(raw)
        same = {i: cell.source for i, cell in enumerate(notebook.cells)}
        assert write_sources(notebook, same) == raw
    before = (workdir / "digits_clean.ipynb").read_bytes()
    run_cli("check", "--fix", str(workdir / "digits_clean.ipynb"))
    assert (workdir / "digits_clean.ipynb").read_bytes() == before


def test_fix_changes_only_the_fixed_cells(workdir):
    path = workdir / "seed_split.ipynb"
    before = json.loads(path.read_text())
    result = run_cli("check", "--fix", str(path))
    assert result.returncode == 0, result.stdout
    after = json.loads(path.read_text())
    changed = [i for i, (a, b) in enumerate(zip(before["cells"], after["cells"])) if a != b]
    assert changed == [4, 5]  # the model cell (width) and the compile cell (loss, metric)
    assert "".join(after["cells"][4]["source"]).count("Dense(train_gen.num_classes),  # one score") == 1
    assert "CategoricalCrossentropy(from_logits=True)" in "".join(after["cells"][5]["source"])
    assert "".join(after["cells"][5]["source"]).startswith("%%time\n")
    for a, b in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
    assert path.read_text().endswith("}\n") and '\n "metadata"' in path.read_text()
    assert run_cli("check", str(path)).returncode == 0


def test_diff_on_a_notebook_writes_nothing(workdir):
    path = workdir / "seed_split.ipynb"
    before = path.read_bytes()
    result = run_cli("check", "--diff", str(path))
    assert result.returncode == 1 and "Dense(train_gen.num_classes)" in result.stdout
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "name, message",
    [
        ("broken.ipynb", "the JSON ends too early"),
        ("old_format.ipynb", "nbformat 3 is not supported"),
        ("r_kernel.ipynb", "the notebook's kernel is R, not Python"),
    ],
)
def test_unreadable_notebooks(workdir, name, message):
    before = (workdir / name).read_bytes()
    result = run_cli("check", "--fix", str(workdir / name))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (workdir / name).read_bytes() == before


def test_directories_include_notebooks(workdir):
    items = json.loads(run_cli("check", "--format", "json", str(workdir)).stdout)
    assert {Path(i["path"]).name for i in items} == {"seed_split.ipynb"}


def test_notebook_errors_are_plain():
    with pytest.raises(NotebookError, match="not an object"):
        read_notebook("[1, 2]")
