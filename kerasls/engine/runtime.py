"""Which Keras (2 or 3) and which backend a script will run on, when that can be known.

Consequences differ by Keras line (Keras 3 raises where Keras 2 broadcasts silently) and
by backend; diagnostics state the one the user has, or both when it is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from .host import Installation


@dataclass(frozen=True)
class Runtime:
    keras: int | None  # 2, 3, or None when unknown
    backend: str | None  # tensorflow, jax, torch, or None when unknown
    why: str  # how we know, for hover and messages

    @property
    def label(self) -> str:
        if self.keras == 2:
            return "Keras 2"
        if self.keras == 3:
            return "Keras 3"
        return "Keras (version unknown)"


def _major(version: str | None) -> int | None:
    if not version:
        return None
    try:
        return int(version.split(".")[0])
    except ValueError:
        return None


def _minor(version: str) -> tuple[int, int]:
    parts = (version.split(".") + ["0"])[:2]
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except ValueError:
        return (0, 0)


def resolve(installation: Installation, imports: set[str], script_environ: dict[str, str]) -> Runtime:
    """Decide the Keras line from how the script imports Keras and what is installed."""
    environ = {**installation.environ, **script_environ}
    legacy = environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true", "yes")
    keras = _keras_line(installation, imports, legacy)
    backend = _backend(installation, imports, environ, keras)
    return Runtime(keras[0], backend, keras[1])


def _keras_line(installation: Installation, imports: set[str], legacy: bool) -> tuple[int | None, str]:
    if "tf_keras" in imports:
        return 2, "the script imports tf_keras"
    uses_tf_keras = "tensorflow" in imports and "keras" not in imports
    if uses_tf_keras:
        if installation.tensorflow is None:
            return None, "TensorFlow is not installed here"
        if _minor(installation.tensorflow) < (2, 16):
            return 2, f"tf.keras in TensorFlow {installation.tensorflow} is Keras 2"
        if legacy and installation.tf_keras:
            return 2, f"TF_USE_LEGACY_KERAS=1 with tf_keras {installation.tf_keras}"
        return 3, f"tf.keras in TensorFlow {installation.tensorflow} is Keras 3"
    if "keras" in imports:
        major = _major(installation.keras)
        if major is None:
            return None, "Keras is not installed here"
        return major, f"keras {installation.keras} is installed"
    return None, "the script does not import Keras"


def _backend(installation: Installation, imports: set[str], environ: dict[str, str], keras) -> str | None:
    if keras[0] == 2 or ("tensorflow" in imports and "keras" not in imports and keras[0] is not None):
        return "tensorflow"  # tf.keras and Keras 2 only run on TensorFlow
    chosen = environ.get("KERAS_BACKEND") or installation.keras_config_backend
    if chosen:
        return chosen.strip().lower()
    if keras[0] == 3:
        return "tensorflow"  # Keras 3's default backend
    return None
