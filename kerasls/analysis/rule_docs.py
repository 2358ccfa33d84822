"""A rule's full documentation: its own text, and what kerasls reports on its first invalid example.

The report is a real analysis of the example, so the measured consequence it states is drawn
from the measured data for that configuration, as every message's is.
"""

from __future__ import annotations

import textwrap

from ..engine.host import FakeHost
from ..rules.api import Rule
from .analyze import analyze


def document(rule: type[Rule] | Rule) -> str:
    doc = rule.doc()
    report = example_report(rule)
    if report:
        quoted = "\n".join(f"> {line}" if line else ">" for line in report.splitlines())
        doc += f"\n\n## What kerasls reports on the example\n\n{quoted}"
    return doc


def example_report(rule: type[Rule] | Rule) -> str | None:
    """The message of the rule's finding on its first INVALID example (Keras line unknown: both lines)."""
    if not rule.INVALID:
        return None
    example = rule.INVALID[0]
    analysis = analyze(textwrap.dedent(example.code).lstrip("\n"), host=FakeHost(example.folders))
    messages = [d.message for d in analysis.diagnostics if d.code == rule.code]
    return messages[0] if messages else None
