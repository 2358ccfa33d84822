"""The one door between the pure analysis and the machine it runs on.

The analysis never touches the disk or the environment itself: what little it needs
(class folders of a dataset directory, which Keras is installed) it asks a Host for.
The CLI and the server pass a real one (`workspace.FileSystemHost`); tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Installation:
    """What the user's environment has, read from package metadata (never by importing)."""

    tensorflow: str | None = None
    keras: str | None = None
    tf_keras: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict)  # TF_USE_LEGACY_KERAS, KERAS_BACKEND
    keras_config_backend: str | None = None  # from ~/.keras/keras.json


class Host(Protocol):
    def class_folders(self, directory: str) -> Sequence[str] | None:
        """Sorted names of the class subfolders of `directory` (as Keras counts them), or None if unknown."""

    def installation(self) -> Installation:
        """The Keras-related packages installed where the user's code runs."""


class NullHost:
    """Knows nothing about the machine: every directory is unknown, nothing is installed."""

    def class_folders(self, directory: str) -> Sequence[str] | None:
        return None

    def installation(self) -> Installation:
        return Installation()


@dataclass
class FakeHost:
    """A host for tests and examples: folders and installation given up front."""

    folders: Mapping[str, Sequence[str]] = field(default_factory=dict)
    installed: Installation = field(default_factory=Installation)

    def class_folders(self, directory: str) -> Sequence[str] | None:
        key = directory.rstrip("/").removeprefix("./")
        found = self.folders.get(key)
        return sorted(found) if found is not None else None

    def installation(self) -> Installation:
        return self.installed
