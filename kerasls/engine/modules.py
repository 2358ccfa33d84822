"""The project's own modules, as a program that imports them sees them.

A module's summary is what it leaves at module level when run alone (its functions, classes,
constants, models, datasets). Summaries are cached by the module's path and text, so editing
the importing file does not run the imported one again. A value handed to an importer is a
copy of the summary's (Keras models and containers are mutable: the importer may compile a
model or append to a list), renamed for the importer's code: `from config import NUM_CLASSES
as N` makes fixes write `N`, `import config` makes them write `config.NUM_CLASSES`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace

from ..text.source import Source
from . import facts as F
from .host import ModuleFile, Questions
from .values import Const, DictValue, Instance, Origin, Seq, Value

# Top-level names that are libraries, never the project's own modules: no disk lookups for them.
LIBRARIES = frozenset(
    """keras tensorflow tf_keras numpy pandas sklearn scipy matplotlib seaborn cv2 PIL torch jax
    os sys pathlib json math random re time datetime collections itertools functools typing glob shutil
    argparse logging warnings pickle csv io string copy zipfile tarfile subprocess dataclasses abc
    absl IPython google h5py tqdm requests urllib tensorflow_datasets tensorflow_hub kagglehub
    __future__ enum operator contextlib hashlib tempfile platform multiprocessing threading""".split()
)


@dataclass(eq=False)
class ModuleSummary:
    file: ModuleFile
    names: dict[str, Value]
    modules: dict[str, ModuleFile] = field(default_factory=dict)  # what it imports of the project, transitively
    # What its run asked the machine (the modules it imports, and what they asked in turn): the
    # summary holds while each is answered the same (a module it imports may have changed).
    asked: Questions = ()


@dataclass(eq=False)
class ModuleValue:
    """A module object (`import models`): its attributes are the module's names."""

    summary: ModuleSummary
    prefix: str  # how the importer names it, e.g. "models" or "pkg.models"


class SummaryCache:
    """Summaries by (path, text, knowledge): an edit to one module invalidates only its own."""

    def __init__(self, capacity: int = 256):
        self.capacity = capacity
        self._entries: OrderedDict[tuple, ModuleSummary] = OrderedDict()

    def get(self, key: tuple) -> ModuleSummary | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple, summary: ModuleSummary) -> None:
        self._entries[key] = summary
        if len(self._entries) > self.capacity:
            self._entries.popitem(last=False)


SUMMARIES = SummaryCache()


def module_source(file: ModuleFile) -> Source:
    return Source(file.text, path=file.path)


def imported(value: Value, expr: str | None) -> Value:
    """A summary's value as the importer gets it: a copy, named by `expr` in the importer's code."""
    return _copy(value, expr, {})


def _copy(value: Value, expr: str | None, memo: dict) -> Value:
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Const):
        return Const(value.value, Origin(value.origin.site, expr))
    if isinstance(value, Seq):
        out = Seq([], value.kind, Origin(value.origin.site, expr), value.complete)
        memo[id(value)] = out
        out.items = [_copy(item, None, memo) for item in value.items]
        return out
    if isinstance(value, DictValue):
        out = DictValue({}, dict(value.sites), value.complete, Origin(value.origin.site, expr))
        memo[id(value)] = out
        out.items = {key: _copy(item, None, memo) for key, item in value.items.items()}
        return out
    if isinstance(value, F.Model):
        out = replace(value, depth=0, remembered=False, summaries={})
        memo[id(value)] = out
        out.layers = [_copy(layer, None, memo) for layer in value.layers]
        out.inputs = [_copy(tensor, None, memo) for tensor in value.inputs]
        out.outputs = [_copy(tensor, None, memo) for tensor in value.outputs]
        out.compiles = [replace(compile_, model=out) for compile_ in value.compiles]
        return out
    if isinstance(value, F.Layer):
        out = replace(value, args=dict(value.args))
        memo[id(value)] = out
        return out
    if isinstance(value, F.Tensor):
        out = replace(value)
        memo[id(value)] = out
        out.producer = _copy(value.producer, None, memo)
        out.inputs = [_copy(tensor, None, memo) for tensor in value.inputs]
        return out
    if isinstance(value, Instance):
        out = replace(value, depth=0)
        memo[id(value)] = out
        out.attrs = {key: _copy(item, None, memo) for key, item in value.attrs.items()}
        return out
    if isinstance(value, (F.Labels, F.DataSource)) or hasattr(value, "shape"):
        return replace(value)
    return value  # functions, classes, library references, module objects: not changed by importers
