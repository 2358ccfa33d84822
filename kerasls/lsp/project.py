"""The server's project view: which open documents import which of the project's files, and the
findings their analyses place in other files.

An analysis of train.py can place a finding on the `Dense(1)` of models.py: when models.py is
open, it shows there too. And when models.py changes (typed, saved, or changed on disk),
every open document that imports it is analysed again.
"""

from __future__ import annotations


class ProjectView:
    def __init__(self) -> None:
        self._placed: dict[str, dict[str, list[dict]]] = {}  # target URI -> owner URI -> LSP diagnostics
        self._imports: dict[str, set[str]] = {}  # owner URI -> paths of the project modules it imports

    def depends(self, owner: str, paths: set[str]) -> None:
        self._imports[owner] = paths

    def dependents(self, path: str) -> list[str]:
        """The open documents whose analysis read this file."""
        return [owner for owner, paths in self._imports.items() if path in paths]

    def contribute(self, owner: str, placed: dict[str, list[dict]]) -> set[str]:
        """What `owner`'s latest analysis places in other files; returns the files whose findings changed."""
        changed = set()
        for target in set(self._placed) | set(placed):
            before = self._placed.get(target, {}).get(owner, [])
            after = placed.get(target, [])
            if before == after:
                continue
            changed.add(target)
            if after:
                self._placed.setdefault(target, {})[owner] = after
            else:
                self._placed.get(target, {}).pop(owner, None)
        return changed

    def forget(self, owner: str) -> set[str]:
        self._imports.pop(owner, None)
        return self.contribute(owner, {})

    def placed_in(self, uri: str) -> list[dict]:
        """The findings other documents' analyses place in this one."""
        return [item for items in self._placed.get(uri, {}).values() for item in items]
