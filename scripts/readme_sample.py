"""Keep the sample output in README.md ("What it catches") what `kerasls check examples/` prints.

Usage: python scripts/readme_sample.py [--check]

Runs the real command from the repository's root (relative paths, no colors, no cache, no
configuration but the repository's own) and writes its output as the fenced block between the
lines `<!-- sample:begin -->` and `<!-- sample:end -->` of README.md. With --check, writes
nothing and exits 1 when the README's block differs (and prints a diff).

The findings state what happens on the Keras installed where kerasls runs; the sample is the
output where none is (both Keras 3 and Keras 2 consequences), so the script refuses to run with an
interpreter that has TensorFlow, Keras or tf_keras installed (use the fast tier's .venv), and runs
the command without KERAS_BACKEND, TF_USE_LEGACY_KERAS and ~/.keras/keras.json.

Exit status: 0 up to date (or rewritten), 1 differs (--check), 2 cannot run (markers missing,
Keras installed, the command failed).
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kerasls.filesystem import installed_keras  # noqa: E402

README = ROOT / "README.md"
BEGIN = "<!-- sample:begin -->"
END = "<!-- sample:end -->"
SHOWN = "kerasls check examples/"


class CannotRun(Exception):
    pass


def keras_installed() -> bool:
    installed = installed_keras()
    return any((installed.tensorflow, installed.keras, installed.tf_keras))


def render() -> str:
    """The fenced block: the command as a user types it, then exactly what it prints."""
    if keras_installed():
        raise CannotRun(
            f"this interpreter has Keras installed ({installed_keras()}); the README's sample is the output "
            "without it: run this script with the fast tier's .venv/bin/python"
        )
    hidden = ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "KERAS_HOME")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KERASLS_") and key not in hidden}
    env["NO_COLOR"] = "1"
    command = [sys.executable, "-m", "kerasls", "check", "--no-cache", "--config", "pyproject.toml", "examples/"]
    with tempfile.TemporaryDirectory() as keras_home:  # no keras.json: no configured backend
        env["KERAS_HOME"] = keras_home
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode not in (0, 1) or result.stderr:
        raise CannotRun(f"`{SHOWN}` exited {result.returncode}: {result.stderr.strip()}")
    return f"```\n$ {SHOWN}\n{result.stdout}```\n"


def split(readme: str) -> tuple[str, str, str]:
    """The README before the block (through the begin marker's line), the block, and the rest."""
    lines = readme.splitlines(keepends=True)
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or begins[0] > ends[0]:
        raise CannotRun(f"README.md needs one line `{BEGIN}` and, after it, one line `{END}` around the sample")
    begin, end = begins[0], ends[0]
    return "".join(lines[: begin + 1]), "".join(lines[begin + 1 : end]), "".join(lines[end:])


def main(argv: list[str]) -> int:
    check = "--check" in argv
    readme = README.read_text(encoding="utf-8")
    try:
        before, block, after = split(readme)
        fresh = render()
    except CannotRun as error:
        print(f"readme_sample: {error}", file=sys.stderr)
        return 2
    if block == fresh:
        print("README.md: the sample is up to date")
        return 0
    if check:
        sys.stdout.writelines(
            difflib.unified_diff(
                block.splitlines(keepends=True), fresh.splitlines(keepends=True), "README.md (sample)", "kerasls output"
            )
        )
        print(f"README.md: the sample differs from what `{SHOWN}` prints; run python scripts/readme_sample.py")
        return 1
    README.write_text(before + fresh + after, encoding="utf-8")
    print("README.md: sample rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
