"""Rule docs are complete, quote real measurements, and docs/rules.md is generated from them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import REPO

from kerasls.rules import ALL_RULES, BY_CODE

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.code for r in ALL_RULES])
def test_doc_has_every_section_and_real_numbers(rule):
    doc = rule.doc()
    positions = [doc.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), f"{rule.code} lacks a section"
    assert positions == sorted(positions)
    assert "(not measured)" not in doc and "{measured" not in doc


def test_codes_and_names_are_unique_and_well_formed():
    assert len(BY_CODE) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
    for rule in ALL_RULES:
        assert rule.code.startswith("KLS") and len(rule.code) == 6
        assert rule.name == rule.name.lower() and " " not in rule.name


def test_generated_rule_docs_are_current():
    result = subprocess.run(
        [sys.executable, "scripts/generate_rule_docs.py", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
