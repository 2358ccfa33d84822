"""The result cache (`.kerasls_cache/`): an unchanged file is not analysed again.

One entry per analysis: the findings of `analyze(text, host, settings, barriers)` are stored
under a key made of everything that decides them:

- the text analysed (a file's source; a notebook's code cells as laid out for the analysis)
  and, for a notebook, where its cells start;
- the effective settings of that file (select, ignore with its per-file ignores, severities);
- kerasls itself: its version and a digest of its code and of its knowledge data
  (`kerasls/knowledge/*.json`), so a new kerasls, or a source checkout with local changes,
  never reads findings an older one wrote.

What the analysis asked the machine (through the Host: the class folders of a dataset
directory, the Keras installed) cannot be known before it runs, so each question and its answer
are stored with the findings and asked again on every lookup: an entry is used only if the
machine still answers the same (a class folder added or removed, Keras upgraded: analysed again).

Entries are JSON files written through a temporary file and a rename, so parallel workers and
concurrent runs never see half an entry; a cache that cannot be read or written is skipped
without a word (the run is only slower).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import __version__
from ..analysis import RuleFailure
from ..analysis.settings import Settings
from ..engine.host import Host, Installation, ModuleFile
from ..text.diagnostics import Applicability, Diagnostic, Fix, Related, Severity, Span, TextEdit

CACHE_DIR_NAME = ".kerasls_cache"
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """kerasls's version, the cache format, and a digest of kerasls's code and knowledge data."""
    digest = hashlib.sha256(f"kerasls {__version__} cache {FORMAT}\n".encode())
    files = sorted(_PACKAGE.rglob("*.py")) + sorted((_PACKAGE / "knowledge").glob("*.json"))
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        digest.update(f"{path.relative_to(_PACKAGE).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def project_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a pyproject.toml or a .git; else `start`."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    return start


def default_cache_dir(cwd: Path) -> Path:
    configured = os.environ.get("KERASLS_CACHE_DIR")
    if configured:
        return Path(configured)
    return project_root(cwd) / CACHE_DIR_NAME


@dataclass
class CachedAnalysis:
    """What the CLI needs of an Analysis, as read back from the cache."""

    text: str
    diagnostics: list[Diagnostic]
    syntax_errors: int = 0
    failures: list[RuleFailure] = field(default_factory=list)


class RecordingHost:
    """A Host that passes the analysis's questions on and remembers them with their answers.

    Imported modules ask from their own file (`for_module`): those questions are recorded with
    the file they were asked from, in the same record.
    """

    def __init__(self, host: Host, queries: dict | None = None, origin: str = ""):
        self.host = host
        self.queries: dict[str, object] = queries if queries is not None else {}
        self.origin = origin

    def class_folders(self, directory: str) -> Sequence[str] | None:
        answer = self.host.class_folders(directory)
        self.queries[_query("class_folders", self.origin, directory)] = None if answer is None else list(answer)
        return answer

    def installation(self) -> Installation:
        answer = self.host.installation()
        self.queries[_query("installation", "")] = _installation(answer)
        return answer

    def find_module(self, name: str, level: int = 0) -> ModuleFile | None:
        answer = self.host.find_module(name, level)
        self.queries[_query("find_module", self.origin, name, level)] = _module(answer)
        return answer

    def for_module(self, path: str) -> RecordingHost:
        return RecordingHost(self.host.for_module(path), self.queries, path)


def _query(kind: str, origin: str, *args) -> str:
    return json.dumps([kind, origin, *args])


def _installation(installation: Installation) -> dict:
    data = dataclasses.asdict(installation)
    data["environ"] = dict(sorted(dict(installation.environ).items()))
    return data


def _module(found: ModuleFile | None) -> list | None:
    """An imported module, by its file and a digest of its text (an edit of it invalidates the entry)."""
    if found is None:
        return None
    return [found.path, hashlib.sha256(found.text.encode("utf-8", "surrogatepass")).hexdigest()]


def _ask(host: Host, query: str) -> object:
    kind, origin, *args = json.loads(query)
    if origin:
        host = host.for_module(origin)
    if kind == "installation":
        return _installation(host.installation())
    if kind == "class_folders":
        answer = host.class_folders(args[0])
        return None if answer is None else list(answer)
    if kind == "find_module":
        return _module(host.find_module(args[0], args[1]))
    raise KeyError(query)


class ResultCache:
    """Findings by key, in `folder/<fingerprint>/`. Picklable: workers get their own copy."""

    def __init__(self, folder: Path):
        self.root = Path(folder)
        self.folder = self.root / f"kerasls-{__version__}-{tool_fingerprint()[:16]}"
        self._ready = False

    @staticmethod
    def key(text: str, barriers: list[int] | None, settings: Settings) -> str:
        digest = hashlib.sha256()
        digest.update(tool_fingerprint().encode())
        digest.update(b"\0settings\0" + settings.fingerprint().encode())
        digest.update(b"\0barriers\0" + json.dumps(barriers).encode())
        digest.update(b"\0text\0" + text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, text: str, host: Host) -> CachedAnalysis | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            if entry.get("format") != FORMAT:
                return None
            for query, answer in entry["queries"].items():
                if _ask(host, query) != answer:
                    return None
            return CachedAnalysis(
                text, [_load_diagnostic(d) for d in entry["diagnostics"]], int(entry["syntax_errors"])
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put(self, key: str, diagnostics: list[Diagnostic], syntax_errors: int, queries: dict) -> None:
        entry = {
            "format": FORMAT,
            "queries": queries,
            "syntax_errors": syntax_errors,
            "diagnostics": [_dump_diagnostic(d) for d in diagnostics],
        }
        path = self._path(key)
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".entry.", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(entry, handle, ensure_ascii=False, separators=(",", ":"))
                os.replace(temporary, path)
            except BaseException:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
                raise
        except OSError:
            pass  # a read-only or full disk: run without the cache

    def _prepare(self) -> None:
        """Create the cache folder the way ruff does: ignored by git, tagged as a cache; drop the
        folders of other kerasls builds (their entries can never be read by this one)."""
        if self._ready:
            return
        self._ready = True
        fresh = not self.folder.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# Automatically created by kerasls.\n*\n", encoding="utf-8")
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by kerasls.\n",
                encoding="utf-8",
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        if fresh:
            for other in self.root.iterdir():
                if other.is_dir() and other != self.folder and other.name.startswith("kerasls-"):
                    shutil.rmtree(other, ignore_errors=True)


def clear(folder: Path) -> bool:
    """Remove a cache folder (`kerasls clean`); True when there was one."""
    if not (folder / "CACHEDIR.TAG").exists() and not folder.exists():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


# -- findings as JSON ---------------------------------------------------------------------------
def _span(span: Span) -> list[int]:
    return [span.start.line, span.start.column, span.end.line, span.end.column]


def _load_span(data: list[int]) -> Span:
    return Span.of(*data)


def _dump_diagnostic(d: Diagnostic) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "severity": int(d.severity),
        "message": d.message,
        "span": _span(d.span),
        "path": d.path,
        "related": [[_span(r.span), r.message, r.path] for r in d.related],
        "fixes": [
            {
                "title": f.title,
                "preferred": f.preferred,
                "applicability": f.applicability.value,
                "edits": [[_span(e.span), e.new_text, e.path] for e in f.edits],
            }
            for f in d.fixes
        ],
    }


def _load_diagnostic(data: dict) -> Diagnostic:
    return Diagnostic(
        data["code"],
        data["name"],
        Severity(data["severity"]),
        data["message"],
        _load_span(data["span"]),
        [Related(_load_span(span), message, path) for span, message, path in data["related"]],
        [
            Fix(
                f["title"],
                tuple(TextEdit(_load_span(span), text, path) for span, text, path in f["edits"]),
                f["preferred"],
                Applicability(f["applicability"]),
            )
            for f in data["fixes"]
        ],
        data["path"],
    )
