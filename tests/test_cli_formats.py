"""Output formats of the real `kerasls check`: JSON against its documented schema, SARIF against the
official SARIF 2.1.0 schema (with notebook locations in the .ipynb text), GitHub annotations,
GitLab Code Quality, JUnit XML."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from helpers import REPO
from test_cli_conventions import NOTEBOOKS, kerasls

# The official SARIF 2.1.0 schema (final draft rtm.5, the version JSON Schema Store serves for
# 2.1.0), as shipped in the npm package @microsoft/jest-sarif 1.0.0-beta.0 (MIT), lib/schemas/.
SARIF_SCHEMA = REPO / "tests" / "cli_data" / "sarif-2.1.0-rtm.5.json"
JSON_SCHEMA = REPO / "docs" / "json-output.schema.json"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """The seed program with its class folders, a second file, and the notebooks kerasls reads."""
    root = tmp_path_factory.mktemp("formats")
    shutil.copytree(REPO / "examples", root / "examples")
    for name in ("seed_split.ipynb", "digits_clean.ipynb"):
        shutil.copy(NOTEBOOKS / name, root / "examples" / name)
    # A name GitHub's annotation syntax must escape (`,` and `:` end a property).
    shutil.copy(REPO / "examples" / "photo_tags_multilabel.py", root / "examples" / "tags,v2:final.py")
    return root


@pytest.fixture(scope="module")
def outputs(workdir) -> dict[str, str]:
    found = {}
    for kind in ("json", "sarif", "github", "gitlab", "junit"):
        result = kerasls("check", "--output-format", kind, "examples", cwd=workdir)
        assert result.returncode == 1, result.stderr
        found[kind] = result.stdout
    return found


def test_json_output_follows_its_documented_schema(outputs):
    schema = json.loads(JSON_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    items = json.loads(outputs["json"])
    jsonschema.Draft202012Validator(schema).validate(items)
    paths = {Path(i["path"]).name for i in items}
    assert {"leaf_species_cnn.py", "seed_split.ipynb"} <= paths
    assert any("cell" in i for i in items) and any("cell" not in i for i in items)
    # and the schema is not a blank cheque: a wrong severity or a missing field fails it
    broken = dict(items[0], severity="fatal")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([broken], schema, cls=jsonschema.Draft202012Validator)


def test_sarif_output_is_valid_sarif_2_1_0(outputs):
    schema = json.loads(SARIF_SCHEMA.read_text())
    log = json.loads(outputs["sarif"])
    validator = jsonschema.Draft4Validator(schema)
    validator.validate(log)
    log["runs"][0]["results"][0]["level"] = "fatal"  # the schema does check: a wrong level fails it
    assert not validator.is_valid(log)
    log = json.loads(outputs["sarif"])
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert {r["ruleId"] for r in run["results"]} >= {"KLS101", "KLS201", "KLS401"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert {"examples/leaf_species_cnn.py", "examples/tags%2Cv2%3Afinal.py"} <= uris  # relative, percent-encoded


def test_sarif_notebook_locations_point_into_the_ipynb_text(outputs, workdir):
    raw_lines = (workdir / "examples" / "seed_split.ipynb").read_text().split("\n")
    results = [
        r
        for r in json.loads(outputs["sarif"])["runs"][0]["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".ipynb")
    ]
    assert {r["ruleId"] for r in results} >= {"KLS101", "KLS201", "KLS401"}

    def text_at(region: dict) -> str:
        assert region["startLine"] == region["endLine"]
        return raw_lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]

    dense = next(r for r in results if r["ruleId"] == "KLS101")
    region = dense["locations"][0]["physicalLocation"]["region"]
    assert text_at(region) == "Dense(1)"
    assert region["properties"]["cell"] == 4 and dense["properties"]["cell"] == 4
    assert (region["properties"]["cellStartLine"], region["properties"]["cellStartColumn"]) == (5, 5)
    metric = next(r for r in results if r["ruleId"] == "KLS401")
    assert text_at(metric["locations"][0]["physicalLocation"]["region"]) == '\\"accuracy\\"'  # as the JSON has it
    # A fix is a replacement of the .ipynb text, JSON-escaped as the file needs it.
    replacement = metric["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert text_at(replacement["deletedRegion"]) == '\\"accuracy\\"'
    assert replacement["insertedContent"]["text"] == '\\"categorical_accuracy\\"'
    for related in dense["relatedLocations"]:
        assert related["physicalLocation"]["region"]["properties"]["cell"] in (2, 5, 7)


def test_github_annotations(outputs):
    lines = outputs["github"].splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    dense = next(line for line in lines if "title=KLS101" in line and "leaf_species_cnn.py" in line)
    assert dense.startswith(
        "::error file=examples/leaf_species_cnn.py,line=47,col=5,endLine=47,endColumn=13,title=KLS101::"
        "The final layer outputs 1 value, but the labels are one-hot over 42 classes"
    )
    assert any("%3A" in line and "file=examples/tags%2Cv2%3Afinal.py,line=8," in line for line in lines)
    dominant = next(line for line in lines if "title=KLS505" in line)
    assert "(99.8%25)" in dominant and "%" not in dominant.replace("%25", "").replace("%0A", "")
    notebook = next(line for line in lines if "seed_split.ipynb" in line and "title=KLS101" in line)
    assert ",line=59,col=10," in notebook and "::cell 5, line 5: The final layer outputs" in notebook


def test_gitlab_code_quality(outputs, workdir):
    items = json.loads(outputs["gitlab"])
    for item in items:
        assert set(item) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert item["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert item["location"]["lines"]["begin"] >= 1 and not item["location"]["path"].startswith("/")
    assert len({i["fingerprint"] for i in items}) == len(items)
    dense = next(i for i in items if i["check_name"] == "KLS101" and i["location"]["path"].endswith(".py"))
    assert dense["severity"] == "major" and dense["location"] == {
        "path": "examples/leaf_species_cnn.py",
        "lines": {"begin": 47, "end": 47},
    }
    again = kerasls("check", "--output-format", "gitlab", "examples", cwd=workdir)
    assert [i["fingerprint"] for i in json.loads(again.stdout)] == [i["fingerprint"] for i in items]


def test_junit(outputs):
    root = ElementTree.fromstring(outputs["junit"])
    cases = root.findall(".//testcase")
    assert int(root.get("failures")) == len(cases) == len(root.findall(".//failure"))
    assert any(
        c.get("name") == "org.kerasls.KLS101" and c.get("classname").endswith("leaf_species_cnn.py") for c in cases
    )


def test_sarif_regions_in_a_notebook_stored_as_one_escaped_string(tmp_path):
    """A cell whose source is one JSON string (all its lines on one line of the file), with
    \\u escapes and a surrogate pair before the finding: the region still covers exactly the
    finding's text as the file spells it."""
    source = (
        'import keras\n# 🌿 feuilles, "guillemets" \\ et tabulation\t!\n'
        "model = keras.Sequential([keras.layers.Dense(1, activation='softmax')])\n"
        "model.compile(loss='binary_crossentropy', optimizer='adam')\n"
    )
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# title"},
            {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None},
        ],
    }
    (tmp_path / "one_string.ipynb").write_text(json.dumps(notebook, ensure_ascii=True, indent=1))
    result = kerasls("check", "--output-format", "sarif", "one_string.ipynb", cwd=tmp_path)
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert results, result.stderr
    raw_lines = (tmp_path / "one_string.ipynb").read_text().split("\n")
    cell_lines = source.splitlines()
    for finding in results:
        region = finding["locations"][0]["physicalLocation"]["region"]
        cell = region["properties"]
        assert cell["cell"] == 1 and cell["cellStartLine"] == cell["cellEndLine"]
        text = cell_lines[cell["cellStartLine"] - 1][cell["cellStartColumn"] - 1 : cell["cellEndColumn"] - 1]
        raw = raw_lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]
        assert raw == json.dumps(text, ensure_ascii=True)[1:-1] and text, (finding["ruleId"], text, raw)
