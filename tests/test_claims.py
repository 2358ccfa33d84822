"""What kerasls says fit does, over the whole space of head/loss/label configurations.

For every configuration of final units and activation, loss and `from_logits`, label kind and
class count, and data pipeline (at the class counts the experiment matrix measured and at
others), a program is written (claim_programs.py) and analysed. Whatever rules fire,
the message that carries the training's consequence must state exactly what the measured
data says for the configuration the program really has, and a rule must never fire on a
configuration the data does not cover. Fresh TensorFlow runs of a sample, and of every
claim on the shipped examples, are in oracle/test_claims_fresh.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from claim_programs import analysed

from kerasls.rules import consequences


def test_the_analysis_finds_the_configuration_the_program_has():
    wrong = Counter()
    for setup, diagnostics in analysed():
        for d in diagnostics:
            found = d.topic.setup
            # Labels drawn with np.random.rand are not known to be targets: no configuration, no claim.
            if found != setup and not (found is None and setup.labels.startswith("continuous")):
                wrong[(setup.key(), found and found.key())] += 1
    assert not wrong, list(wrong)[:10]


def test_the_message_states_what_was_measured_for_that_configuration():
    stated = 0
    for setup, diagnostics in analysed():
        if not diagnostics or diagnostics[0].topic.setup is None:
            assert not any("Measured on" in d.message for d in diagnostics)
            continue
        expected = consequences.statement(setup, None)
        carrying = [d for d in diagnostics if "Measured on" in d.message]
        if expected is None:
            assert not carrying, setup.key()
            continue
        stated += 1
        assert len(carrying) == 1, (setup.key(), [d.code for d in carrying])
        assert carrying[0].message.splitlines()[-1] == expected
        others = [d for d in diagnostics if d is not carrying[0]]
        assert all(f"is under {carrying[0].code}" in d.message for d in others), setup.key()
    assert stated >= 1000, stated


def test_no_rule_fires_on_a_configuration_the_data_does_not_cover():
    uncovered = Counter()
    for setup, diagnostics in analysed():
        if diagnostics and diagnostics[0].topic.setup is not None:
            if consequences.statement(setup, None) is None:
                uncovered[(setup.key(), tuple(sorted({d.code for d in diagnostics})))] += 1
    assert not uncovered, f"{len(uncovered)} configurations, e.g. {list(uncovered)[:8]}"


@pytest.mark.parametrize("keras", [3, 2])
def test_on_a_known_keras_line_only_that_line_is_described(keras):
    other = "Keras 2" if keras == 3 else "Keras 3"
    for setup, _ in analysed()[::50]:
        text = consequences.statement(setup, keras)
        if text is not None:
            assert other not in text and text.startswith(f"Measured on Keras {keras}:")
