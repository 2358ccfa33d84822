"""The one door between the pure analysis and the machine it runs on.

The analysis never touches the disk or the environment itself: what little it needs
(class folders of a dataset directory, which Keras is installed, the text of the project's
own modules it imports) it asks a Host for. The CLI and the server pass a real one
(`filesystem.FileSystemHost`); tests pass fakes.
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


@dataclass(frozen=True)
class ModuleFile:
    """One of the project's own modules, as an import finds it."""

    name: str  # dotted, as resolved (a relative import's absolute name when known)
    path: str  # the file
    text: str  # its content (an open editor buffer wins over the disk)


class Host(Protocol):
    def class_folders(self, directory: str) -> Sequence[str] | None:
        """Sorted names of the class subfolders of `directory` (as Keras counts them), or None if unknown."""

    def installation(self) -> Installation:
        """The Keras-related packages installed where the user's code runs."""

    def find_module(self, name: str, level: int = 0) -> ModuleFile | None:
        """The project's own module `name` (`level` leading dots), imported from the file this host serves;
        None for installed packages, the standard library and anything not found."""

    def for_module(self, path: str) -> Host:
        """The same machine as seen from another file of the project (its folder, its imports)."""


class NullHost:
    """Knows nothing about the machine: every directory is unknown, nothing is installed."""

    def class_folders(self, directory: str) -> Sequence[str] | None:
        return None

    def installation(self) -> Installation:
        return Installation()

    def find_module(self, name: str, level: int = 0) -> ModuleFile | None:
        return None

    def for_module(self, path: str) -> Host:
        return self


@dataclass
class FakeHost:
    """A host for tests and examples: folders, installation and the project's modules given up front.

    `modules` maps file paths relative to the project root (`models.py`, `pkg/__init__.py`) to their
    text; `here` is the folder of the file being analysed, relative to the root.
    """

    folders: Mapping[str, Sequence[str]] = field(default_factory=dict)
    installed: Installation = field(default_factory=Installation)
    modules: Mapping[str, str] = field(default_factory=dict)
    here: str = ""

    def class_folders(self, directory: str) -> Sequence[str] | None:
        key = directory.rstrip("/").removeprefix("./")
        found = self.folders.get(key)
        return sorted(found) if found is not None else None

    def installation(self) -> Installation:
        return self.installed

    def find_module(self, name: str, level: int = 0) -> ModuleFile | None:
        folder = self.here
        for _ in range(max(level - 1, 0)):
            folder = folder.rpartition("/")[0]
        base = (folder if level else "").strip("/")
        parts = [p for p in name.split(".") if p]
        stem = "/".join([base, *parts] if base else parts)
        for candidate in (f"{stem}.py", f"{stem}/__init__.py" if stem else "__init__.py"):
            if candidate in self.modules:
                return ModuleFile(".".join(parts), candidate, self.modules[candidate])
        return None

    def for_module(self, path: str) -> Host:
        return FakeHost(self.folders, self.installed, self.modules, path.rpartition("/")[0])


Questions = tuple  # ((kind, argument), answer) pairs: what a run asked the machine, and was told


class AskedHost:
    """The machine as one run sees it, every answer noted: a result built on them is reused only
    while the machine answers the same (see `Answers`). Class folders and project-module lookups
    are noted; asking anything else sets `other` (such a run is not reused at all).

    `path` is the file the run is in when it is an imported module's (its lookups are relative to it)."""

    def __init__(self, host: Host, path: str | None = None):
        self.host = host
        self.path = path
        self.other = False
        self._asked: dict[tuple, object] = {}

    def class_folders(self, directory: str) -> Sequence[str] | None:
        answer = self.host.class_folders(directory)
        self._asked[("class_folders", directory)] = tuple(answer) if answer is not None else None
        return answer

    def find_module(self, name: str, level: int = 0) -> ModuleFile | None:
        answer = self.host.find_module(name, level)
        self._asked[("find_module", (self.path, name, level))] = answer
        return answer

    def for_module(self, path: str) -> Host:
        return self.host.for_module(path)  # follows a find_module, whose answer is noted

    def note(self, questions: Questions) -> None:
        """What another run this one relied on asked (an imported module's summary)."""
        self._asked.update(questions)

    def questions(self) -> Questions:
        return tuple(self._asked.items())

    def __getattr__(self, name: str):
        self.other = True
        return getattr(self.host, name)


class Answers:
    """The machine's answers now, each question asked once (for one analysis)."""

    def __init__(self, host: Host):
        self.host = host
        self._now: dict[tuple, object] = {}

    def same(self, questions: Questions) -> bool:
        for question, seen in questions:
            if question not in self._now:
                self._now[question] = self._ask(*question)
            if self._now[question] != seen:
                return False
        return True

    def _ask(self, kind: str, argument):
        if kind == "class_folders":
            answer = self.host.class_folders(argument)
            return tuple(answer) if answer is not None else None
        path, name, level = argument
        return (self.host if path is None else self.host.for_module(path)).find_module(name, level)
