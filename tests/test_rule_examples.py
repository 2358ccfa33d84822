"""Every rule's VALID and INVALID examples, run through the analysis core (Fixit style)."""

from __future__ import annotations

import textwrap

import pytest
from helpers import check

from kerasls.rules import RULES
from kerasls.text.edits import apply_edits

CASES = [
    pytest.param(rule, kind, index, example, id=f"{rule.code}-{kind}-{index}")
    for rule in RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, example in enumerate(examples)
]


def test_every_rule_has_examples():
    for rule in RULES:
        assert rule.VALID, f"{rule.code} has no VALID example"
        assert rule.INVALID, f"{rule.code} has no INVALID example"


@pytest.mark.parametrize("rule, kind, index, example", CASES)
def test_rule_example(rule, kind, index, example):
    analysis = check(example.code, folders=example.folders)
    assert analysis.syntax is None, analysis.syntax
    found = [d for d in analysis.diagnostics if d.code == rule.code]
    if kind == "valid":
        assert not found, f"{rule.code} fired on a VALID example: {found[0].message}"
        return
    assert found, f"{rule.code} did not fire; got {[d.code for d in analysis.diagnostics]}"
    diagnostic = found[0]
    assert diagnostic.message
    assert rule.severity_varies or diagnostic.severity == rule.severity
    if example.fixed is not None:
        fix = diagnostic.preferred_fix
        assert fix is not None, f"{rule.code} offers no fix"
        source = textwrap.dedent(example.code).lstrip("\n")
        fixed = apply_edits(source, list(fix.edits))
        assert fixed == textwrap.dedent(example.fixed).lstrip("\n")
        again = check(fixed, folders=example.folders)
        assert rule.code not in [d.code for d in again.diagnostics], "the fix did not clear the finding"
