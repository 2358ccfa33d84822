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
    if "<!-- sample:begin -->" not in readme or "<!-- sample:end -->" not in readme:
        pytest.skip(
            "README.md has no <!-- sample:begin --> / <!-- sample:end --> markers around the sample under "
            "'What it catches' yet; add them, then run `python scripts/readme_sample.py` to fill the sample in"
        )
    installed = installed_keras()
    if any(
        (installed.tensorflow, installed.keras, installed.tf_keras, installed.environ, installed.keras_config_backend)
    ):
        pytest.skip("a Keras installation is visible here: the sample is the output without one (fast tier's .venv)")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
