"""The semantic facts rules query: label sources, models, layers, losses, metrics, training calls.

The interpreter creates these objects while it evaluates the program; every fact keeps
the sites (source nodes) it came from so diagnostics can point at them. `Facts` is what
a run hands on: everything the program builds, and the names it leaves at module level.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from ..knowledge import canonical
from .values import UNKNOWN, Const, Function, Origin, Ref, Site, Value, int_value


class Encoding(enum.Enum):
    ONE_HOT = "one-hot"
    INTEGER = "integer"
    BINARY = "binary"  # 0/1 in a single column
    MULTI_HOT = "multi-hot"
    REGRESSION = "regression"
    VECTOR = "vector"  # one value per sample, of unknown meaning (a DataFrame column)
    NONE = "none"  # the source yields inputs only

    @property
    def describe(self) -> str:
        return {
            Encoding.ONE_HOT: "one-hot",
            Encoding.INTEGER: "integer class indices",
            Encoding.BINARY: "binary 0/1",
            Encoding.MULTI_HOT: "multi-hot",
            Encoding.REGRESSION: "continuous (regression) values",
            Encoding.VECTOR: "one value per sample",
            Encoding.NONE: "no labels",
        }[self]


@dataclass(eq=False)
class ClassCount:
    """How many classes the labels have, and where that number comes from."""

    value: int | None
    site: Site | None = None  # the literal or call that fixes it
    note: str | None = None  # e.g. "42 class folders in data/train"
    expr: str | None = None  # code naming it in the user's program, e.g. train_gen.num_classes


@dataclass(eq=False)
class Labels:
    """Targets as a data source yields them."""

    encoding: Encoding
    count: ClassCount
    rank: int | None  # rank including the batch axis: (N,) -> 1, (N, K) or (N, 1) -> 2
    origin: str  # how the program made them, e.g. flow_from_directory(class_mode='categorical')
    site: Site
    container: str = "array"  # array, iterator or dataset
    shape_known: bool = True  # False for tf.data pipelines whose label shape Keras cannot see
    details: list[tuple[Site, str]] = field(default_factory=list)
    # Where the encoding is chosen (the class_mode argument, the to_categorical call): fixes edit it.
    mode_site: Site | None = None
    mode_param: str | None = None  # class_mode / label_mode
    shape: tuple | None = None  # the whole array's shape (N, ...) when known (arrays, not pipelines)

    @property
    def classes(self) -> int | None:
        return self.count.value

    def with_rank(self, rank: int | None) -> Labels:
        clone = Labels(**{**self.__dict__})
        clone.rank = rank
        return clone

    def with_count(self, count: ClassCount) -> Labels:
        clone = Labels(**{**self.__dict__})
        clone.count = count
        return clone


@dataclass(eq=False)
class DataSource:
    """Something fit() can take as x: a directory iterator or a dataset, with its labels."""

    kind: str  # e.g. flow_from_directory, image_dataset_from_directory, tf.data
    labels: Labels | None
    site: Site
    image_size: tuple | None = None  # (height, width) fed to the model
    image_size_site: Site | None = None
    channels: int | None = None
    channels_site: Site | None = None
    class_names_expr: str | None = None  # e.g. "train_ds.class_names" while still reachable
    element: tuple | None = None  # one sample's input shape (without the batch axis), when known
    batched: bool = True  # whether it yields batches (tf.data needs .batch())

    def derived(self, **changes) -> DataSource:
        """The same pipeline after .batch(), .map(), .prefetch()...: a new source with these changes."""
        return replace(self, **changes)

    @property
    def input_shape(self) -> tuple | None:
        """What the model is fed: (None, *element) for a batched pipeline."""
        return (None, *self.element) if self.element is not None and self.batched else None


@dataclass(eq=False)
class ImageGenerator:
    """An ImageDataGenerator instance (its flow_* methods make data sources)."""

    site: Site


@dataclass(eq=False)
class ClassNames:
    """A list of class names whose length is the class count (known or not)."""

    count: ClassCount


@dataclass(eq=False)
class Layer:
    kind: str  # the Keras class name, e.g. Dense
    args: dict[str, Value]  # bound by Keras's signature, defaults filled in
    arg_sites: dict[str, Site]  # the argument nodes written in the call
    site: Site  # the call

    def arg(self, name: str) -> Value:
        return self.args.get(name, UNKNOWN)


@dataclass(eq=False)
class Tensor:
    """A symbolic tensor in a functional graph."""

    producer: object  # Layer, Model, ActivationOp, InputSpec or UNKNOWN
    inputs: list
    site: Site | None


@dataclass(eq=False)
class InputSpec:
    args: dict[str, Value]
    site: Site
    arg_sites: dict = field(default_factory=dict)


@dataclass(eq=False)
class ActivationOp:
    """An activation applied as a function on a tensor (tf.nn.softmax(x))."""

    name: str
    site: Site


@dataclass(eq=False)
class Loss:
    function: str  # canonical Keras loss function name, e.g. categorical_crossentropy
    from_logits: Value  # Const(bool) or UNKNOWN
    site: Site  # the loss expression
    form: str  # string, class, instance or function
    arg_sites: dict[str, Site] = field(default_factory=dict)
    class_name: str | None = None

    @property
    def written(self) -> str:
        """As the user wrote it, e.g. tf.keras.losses.BinaryCrossentropy(from_logits=True)."""
        return self.site.text

    @property
    def logits(self) -> bool | None:
        return self.from_logits.value if isinstance(self.from_logits, Const) else None


@dataclass(eq=False)
class Metric:
    name: str  # canonical metric name; "accuracy" for the compile-time-resolved accuracy/acc
    site: Site
    form: str  # string, class, instance or function

    @property
    def written(self) -> str:
        return self.site.text


@dataclass(eq=False)
class Compile:
    model: Model
    loss: Value  # Loss or UNKNOWN
    metrics: list | None  # Metric or UNKNOWN items; None when not given; UNKNOWN-able list
    site: Site
    conditional: bool = False


@dataclass(eq=False)
class Model:
    kind: str  # sequential, functional, application, subclassed, loaded
    site: Site | None
    layers: list = field(default_factory=list)  # Sequential: Layer, Model or UNKNOWN
    layers_complete: bool = True  # False when layers were added where we cannot follow
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)  # functional: output Tensors
    outputs_known: bool = True
    compiles: list[Compile] = field(default_factory=list)
    depth: int = 0  # the interpreter's uncertainty depth when the model was made
    name: str | None = None  # the variable the program calls it, for messages
    name_site: Site | None = None  # where that variable is first assigned
    application: str | None = None
    application_args: dict = field(default_factory=dict)
    input_args: dict = field(default_factory=dict)  # Sequential: Input/input_shape seen
    trainable: bool | None = True  # model.trainable = False freezes it; None when set where we cannot follow
    # Built by a remembered run (engine/memo.py): it never changes again, so its summaries are kept.
    remembered: bool = False
    summaries: dict = field(default_factory=dict, repr=False)

    @property
    def current_compile(self) -> Compile | None:
        return self.compiles[-1] if self.compiles else None


@dataclass(eq=False)
class Fit:
    model: Model
    compile: Compile | None
    x: Value
    labels: Labels | None
    validation: Labels | None
    source: DataSource | None
    site: Site
    method: str  # fit or fit_generator
    conditional: bool = False
    inputs: Feed | None = None  # the training inputs, as the model will see them
    validation_inputs: Feed | None = None
    targets: Feed | None = None  # y's shape (None, ...), whatever y means (labels or regression targets)


@dataclass(eq=False)
class Feed:
    """Inputs a model is fed (by fit, evaluate or predict): their shape with a None batch axis, and where."""

    shape: tuple  # (None, ...)
    site: Site  # the argument (x, or validation_data)
    what: str  # how the program made them, for messages
    source: object = None  # the ArrayValue or DataSource
    high: int | None = None  # integer values are below this (token ids from a vocabulary of this size)


@dataclass(eq=False)
class DataCall:
    """model.evaluate(x, y) or model.predict(x): inputs (and labels) given to a trained model."""

    model: Model
    method: str
    inputs: Feed | None
    labels: Labels | None
    site: Site


@dataclass(eq=False)
class LegacyCall:
    """A call Keras deprecated or removed: fit_generator, Adam(lr=...), ImageDataGenerator."""

    kind: str  # generator_method, optimizer_lr, image_data_generator
    site: Site  # the call
    name: str  # the method, optimizer or path as written
    detail: Site | None = None  # the part to edit (the method name, the lr keyword)
    positional: int = 0
    keywords: tuple = ()


def count_of(value: Value) -> ClassCount:
    """A class count from an evaluated value (e.g. num_classes argument)."""
    if isinstance(value, Const):
        origin: Origin = value.origin
        return ClassCount(int_value(value), origin.site, None, origin.expr)
    return ClassCount(None)


_LISTS = ("models", "fits", "sources", "legacy", "data_calls", "arrays", "functions")


@dataclass(eq=False)
class Added:
    """What a stretch of a run added to the facts, to add again (the very same objects) when the
    stretch is replayed instead of run (engine/memo.py, engine/replay.py)."""

    lists: dict[str, list] = field(default_factory=dict)
    imports: set[str] = field(default_factory=set)
    environ: dict[str, str] = field(default_factory=dict)
    import_sites: dict = field(default_factory=dict)
    modules: dict = field(default_factory=dict)
    trainable_unknown: bool = False

    @property
    def models(self) -> list:
        return self.lists.get("models", [])

    @property
    def functions(self) -> list:
        return self.lists.get("functions", [])


@dataclass(eq=False)
class Facts:
    """What one run of a program establishes, for rules, hovers and summaries."""

    models: list[Model] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)
    sources: list[DataSource] = field(default_factory=list)
    legacy: list[LegacyCall] = field(default_factory=list)  # deprecated or removed Keras calls
    data_calls: list[DataCall] = field(default_factory=list)  # evaluate and predict
    arrays: list[tuple] = field(default_factory=list)  # (name site, array or labels) bound at module level
    modules: dict = field(default_factory=dict)  # path -> ModuleFile: the project's modules it imports
    imports: set[str] = field(default_factory=set)  # roots Keras is imported from: keras, tensorflow, tf_keras
    environ: dict[str, str] = field(default_factory=dict)  # os.environ assignments the script makes
    import_sites: dict[str, Site] = field(default_factory=dict)  # module-level `from x import name`
    names: dict[str, Value] = field(default_factory=dict)  # module-level names after the run
    functions: list[Function] = field(default_factory=list)
    trainable_unknown: bool = False  # `.trainable` was set on something the run could not follow
    journal: object = None  # what each top-level statement did, for the next run to replay (engine/replay.py)

    def defines(self, name: str) -> bool:
        return name in self.names

    def mark(self) -> tuple:
        """Where the facts stand now, for `added_since`."""
        lengths = {name: len(getattr(self, name)) for name in _LISTS}
        copies = set(self.imports), dict(self.environ), dict(self.import_sites), dict(self.modules)
        return lengths, *copies, self.trainable_unknown

    def added_since(self, mark: tuple) -> Added:
        lengths, imports, environ, import_sites, modules, trainable = mark
        return Added(
            {name: getattr(self, name)[lengths[name] :] for name in _LISTS if len(getattr(self, name)) > lengths[name]},
            self.imports - imports,
            {k: v for k, v in self.environ.items() if environ.get(k) != v},
            {k: v for k, v in self.import_sites.items() if import_sites.get(k) is not v},
            {k: v for k, v in self.modules.items() if modules.get(k) is not v},
            self.trainable_unknown and not trainable,
        )

    def add(self, added: Added) -> None:
        # (once per replayed statement, most of which added nothing but a name: skip what is empty)
        for name, items in added.lists.items():
            getattr(self, name).extend(items)
        if added.imports:
            self.imports.update(added.imports)
        if added.environ:
            self.environ.update(added.environ)
        if added.import_sites:
            self.import_sites.update(added.import_sites)
        if added.modules:
            self.modules.update(added.modules)
        self.trainable_unknown |= added.trainable_unknown

    def module_path(self, submodule: str) -> str | None:
        """How this module can spell keras.<submodule> with the names it already imports."""
        found: dict[str, str] = {}
        for name, value in self.names.items():
            if not isinstance(value, Ref):
                continue
            target = canonical(value.qualname)
            if target == f"keras.{submodule}":
                found.setdefault("direct", name)
            elif target == "keras":
                found.setdefault("keras", f"{name}.{submodule}")
            elif value.qualname == "tensorflow":
                found.setdefault("tensorflow", f"{name}.keras.{submodule}")
        return found.get("direct") or found.get("keras") or found.get("tensorflow")

    def release(self) -> None:
        """Break the reference cycles of a finished run (functions and the scopes holding them,
        models and their compiles), so its objects are freed at once instead of waiting for
        Python's cyclic collector. Models of remembered runs live on in the next analysis, and so
        do functions once a newer run has taken over their scope (it no longer refers to them)."""
        if not getattr(self.journal, "handed_over", False):
            for function in self.functions:
                function.scope = None
        self.journal = None
        self.names.clear()
        for model in self.models:
            if not model.remembered:
                model.compiles = []
