"""README.md's sample output ("What it catches") is what `kerasls check examples/` prints
(scripts/readme_sample.py keeps it so; this runs its --check)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import REPO

from kerasls.filesystem import installed_keras

SCRIPT = REPO / "scripts" / "readme_sample.py"


def test_readme_sample_is_the_real_output():
    readme = (REPO / "README.md").read_text()
    assert "<!-- sample:begin -->" in readme and "<!-- sample:end -->" in readme, "the sample's markers are gone"
    installed = installed_keras()
    # The script itself runs the command without KERAS_BACKEND, TF_USE_LEGACY_KERAS and ~/.keras:
    # only installed packages would change the sample.
    if any((installed.tensorflow, installed.keras, installed.tf_keras)):
        pytest.skip("a Keras installation is visible here: the sample is the output without one (fast tier's .venv)")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
