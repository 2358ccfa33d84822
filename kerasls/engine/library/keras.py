"""What Keras and TensorFlow calls make: layers, models, losses, metrics, data sources, fits.

Argument binding follows Keras's own signatures from the generated knowledge, so
`Dense(10, 'softmax')` and `Dense(units=10, activation='softmax')` are one fact.
"""

from __future__ import annotations

import libcst as cst

from ...knowledge import DATASETS, Signature, canonical
from .. import facts as F
from ..calls import CallArgs, Machine, arg_site, bind
from ..calls import arg as _arg
from ..facts import ClassCount, Encoding
from ..values import (
    UNKNOWN,
    BoundMethod,
    ClassValue,
    Const,
    DictValue,
    Function,
    Instance,
    Origin,
    Ref,
    Seq,
    Site,
    Value,
    int_value,
    iterate,
    path_text,
    site_of,
    str_value,
    unpack,
)
from . import classes
from .arrays import ArrayValue, as_labels, one_hot_rank, one_hot_shape

FLOW_KINDS = ("flow_from_directory", "flow_from_dataframe", "flow")
DIRECTORY_DATASETS = ("image_dataset_from_directory", "text_dataset_from_directory", "audio_dataset_from_directory")
DATASET_PASS_THROUGH = {
    "batch",
    "prefetch",
    "cache",
    "shuffle",
    "repeat",
    "take",
    "skip",
    "unbatch",
    "with_options",
    "filter",
    "rebatch",
    "padded_batch",
    "shard",
    "apply",
    "ignore_errors",
    "snapshot",
}
MERGE_FUNCTIONS = {
    "concatenate": "Concatenate",
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "dot": "Dot",
}
_FLOW_MODES = {
    "categorical": (Encoding.ONE_HOT, 2),
    "binary": (Encoding.BINARY, 1),
    "sparse": (Encoding.INTEGER, 1),
    "input": (Encoding.NONE, None),
    None: (Encoding.NONE, None),
}
_DATASET_MODES = {
    "int": (Encoding.INTEGER, 1),
    "categorical": (Encoding.ONE_HOT, 2),
    "binary": (Encoding.BINARY, 2),
    None: (Encoding.NONE, None),
}
_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


# -- helpers ------------------------------------------------------------------------------
def _written(node, m: Machine) -> str:
    return m.site(node).text if node is not None else ""


def _value_site(value: Value, site: Site | None) -> Site | None:
    """The literal behind a value if we know it (a constant's definition), else the argument."""
    if isinstance(value, (Const, Seq)) and value.origin.site is not None:
        return value.origin.site
    return site


# -- naming -------------------------------------------------------------------------------
def named(name: str, value: Value, at_module: bool, m: Machine) -> None:
    if isinstance(value, F.Model) and value.name is None:
        value.name = name
    elif isinstance(value, F.DataSource) and at_module and value.labels is not None:
        count = value.labels.count
        if count.expr is None and value.kind in ("flow_from_directory", "flow_from_dataframe"):
            count.expr = f"{name}.num_classes"
        if value.kind in DIRECTORY_DATASETS and value.class_names_expr is None:
            value.class_names_expr = f"{name}.class_names"


# -- calls by qualified name --------------------------------------------------------------
def call_keras(name: str, qualname: str, args: CallArgs, node, m: Machine):
    parts = name.split(".")
    last = parts[-1]
    if parts[0] == "tensorflow":
        return _call_tensorflow(name, qualname, args, node, m)
    if parts[0] != "keras":
        return None
    if name in ("keras.Sequential", "keras.models.Sequential"):
        return _sequential(args, node, m)
    if name in ("keras.Model", "keras.models.Model"):
        return _functional(args, node, m)
    if name in ("keras.Input", "keras.layers.Input", "keras.engine.input_layer.Input"):
        values, sites = bind(m.knowledge.layer_signature("Input"), args)
        return F.Tensor(F.InputSpec(values, m.site(node), sites), [], m.site(node))
    if "layers" in parts[:-1] and last in MERGE_FUNCTIONS:
        inputs = iterate(_arg(args, 0, "inputs")) or []
        keywords = {k: v for k, v in args.keywords.items() if k != "inputs"}  # axis=, name=
        sites = {k: site for k, site in args.keyword_sites.items() if k != "inputs"}
        layer = F.Layer(MERGE_FUNCTIONS[last], keywords, sites, m.site(node))
        return F.Tensor(layer, [t for t in inputs if isinstance(t, F.Tensor)], m.site(node))
    if "layers" in parts[:-1] and m.knowledge.is_layer(last):
        return _layer(last, args, node, m)
    if parts[1:2] == ["applications"] and m.knowledge.application(last) is not None:
        return _application(last, args, node, m)
    if name in ("keras.models.load_model", "keras.saving.load_model"):
        model = F.Model("loaded", m.site(node), depth=m.uncertain)
        m.facts.models.append(model)
        return model
    if parts[1:2] == ["losses"]:
        return _loss_instance(last, args, node, m)
    if parts[1:2] == ["metrics"]:
        return _metric_instance(last, args, node, m)
    if parts[1:2] in (["activations"], ["ops"]) and m.knowledge.activation(last):
        return _activation_op(m.knowledge.activation(last), args, node, m)
    if last == "to_categorical":
        return _to_categorical(args, node, m)
    if last == "ImageDataGenerator":
        spelled = "keras" if qualname.startswith("keras.") else "tf.keras"
        m.facts.legacy.append(F.LegacyCall("image_data_generator", m.site(node), spelled))
        return F.ImageGenerator(m.site(node))
    if parts[1:2] == ["optimizers"] and "legacy" not in parts and "lr" in args.keywords and node is not None:
        keyword = next((a.keyword for a in node.args if a.keyword is not None and a.keyword.value == "lr"), None)
        m.facts.legacy.append(F.LegacyCall("optimizer_lr", m.site(node), last, m.site(keyword) if keyword else None))
        return UNKNOWN
    if last in DIRECTORY_DATASETS:
        return _directory_dataset(last, args, node, m)
    if last == "timeseries_dataset_from_array":
        targets = _arg(args, 1, "targets")
        labels = targets if isinstance(targets, F.Labels) else None
        return _new_source(m, "timeseries_dataset_from_array", labels, node)
    if parts[1:2] == ["datasets"] and last == "load_data" and len(parts) >= 4:
        return _dataset_loader(parts[2], args, node, m)
    return None


def _call_tensorflow(name: str, qualname: str, args, node, m: Machine):
    if name in ("tensorflow.one_hot", "tensorflow.raw_ops.OneHot"):
        return _one_hot(args, node, m)
    activation = m.knowledge.tensorflow_activation(name)
    if activation is not None:
        return _activation_op(activation, args, node, m)
    if name in ("tensorflow.data.Dataset.from_tensor_slices", "tensorflow.data.Dataset.from_tensors"):
        element = _arg(args, 0, "tensors")
        items = unpack(element, 2) or unpack(element, 3)
        labels = as_labels(items[1]) if items else None
        x = items[0] if items else element
        shape = x.shape if isinstance(x, ArrayValue) else None
        slices = name.endswith("from_tensor_slices")
        sample = (shape[1:] if slices else shape) if shape else None
        return _new_source(m, "tf.data", labels, node, container="dataset", element=sample, batched=False)
    if name == "tensorflow.data.Dataset.from_generator":
        return _new_source(m, "tf.data.from_generator", None, node, container="dataset")
    return None


# -- models and layers --------------------------------------------------------------------
def _sequential(args, node, m: Machine) -> F.Model:
    model = F.Model("sequential", m.site(node), depth=m.uncertain)
    model.input_args = {k: v for k, v in args.keywords.items() if k in ("name", "trainable")}
    layers = _arg(args, 0, "layers", Const(None))
    if isinstance(layers, Seq):
        model.layers = list(layers.items)  # an UNKNOWN item: layers we cannot follow (the tail may still be known)
    elif not (isinstance(layers, Const) and layers.value is None):
        model.layers_complete = False
    m.facts.models.append(model)
    return model


def _functional(args, node, m: Machine) -> F.Model:
    model = F.Model("functional", m.site(node), depth=m.uncertain)
    model.input_args = {k: v for k, v in args.keywords.items() if k in ("name", "trainable")}
    inputs = _arg(args, 0, "inputs", args.keywords.get("input", UNKNOWN))
    outputs = _arg(args, 1, "outputs", args.keywords.get("output", UNKNOWN))
    model.inputs = iterate(inputs) or ([inputs] if isinstance(inputs, F.Tensor) else [])
    if isinstance(outputs, F.Tensor):
        model.outputs = [outputs]
    elif isinstance(outputs, Seq) and all(isinstance(o, F.Tensor) for o in outputs.items):
        model.outputs = list(outputs.items)
    elif isinstance(outputs, DictValue) and all(isinstance(o, F.Tensor) for o in outputs.items.values()):
        model.outputs = list(outputs.items.values())
    else:
        model.outputs_known = False
    m.facts.models.append(model)
    return model


def _layer(public_name: str, args, node, m: Machine) -> F.Layer:
    kind = m.knowledge.layer_class(public_name) or public_name
    values, sites = bind(m.knowledge.layer_signature(public_name), args)
    return F.Layer(kind, values, sites, m.site(node))


def _application(name: str, args, node, m: Machine) -> F.Model:
    spec = m.knowledge.application(name) or {}
    signature = Signature(tuple(spec.get("params", [])), dict(spec.get("defaults", {})))
    values, sites = bind(signature, args)
    model = F.Model("application", m.site(node), depth=m.uncertain, application=name, application_args=values)
    model.input_args = sites
    m.facts.models.append(model)
    return model


def set_trainable(target: Value, value: Value, m: Machine) -> None:
    """`base.trainable = False`: parameter counts then split differently in summaries."""
    flag = value.value if isinstance(value, Const) and isinstance(value.value, bool) else None
    if isinstance(target, F.Model):
        target.trainable = flag if m.mutation_is_certain(target.depth) else None
    elif isinstance(target, F.Layer):
        target.args["trainable"] = Const(flag) if flag is not None and m.certain else UNKNOWN
    else:
        m.facts.trainable_unknown = True  # e.g. `for layer in base.layers: layer.trainable = False`


def apply(func: Value, args: CallArgs, node, m: Machine) -> Value:
    """Calling a layer or a model on tensors (the functional API)."""
    first = _arg(args, 0, "inputs")
    inputs = iterate(first) if isinstance(first, Seq) else [first]
    tensors = [t for t in (inputs or []) if isinstance(t, F.Tensor)]
    if isinstance(func, F.Layer):
        return F.Tensor(func, tensors, m.site(node) if node is not None else None)
    if isinstance(func, F.Model):
        return F.Tensor(func, tensors, m.site(node) if node is not None else None)
    return F.Tensor(UNKNOWN, tensors, None)


def instantiate(cls: ClassValue, args, node, m: Machine) -> Value:
    if _subclasses(cls, ("keras.Model", "keras.models.Model", "keras.Sequential", "keras.models.Sequential")):
        model = F.Model("subclassed", m.site(node), depth=m.uncertain)
        m.facts.models.append(model)
        return model
    if _subclasses(cls, ("keras.layers.Layer", "keras.Layer")):
        return Instance(cls, m.site(node) if node is not None else None)  # a custom layer: applied opaquely
    return classes.instantiate(cls, args, node, m)


def _subclasses(cls: ClassValue, names: tuple[str, ...], depth: int = 0) -> bool:
    for base in cls.bases:
        if isinstance(base, Ref) and canonical(base.qualname) in names:
            return True
        if isinstance(base, ClassValue) and depth < 8 and _subclasses(base, names, depth + 1):
            return True
    return False


def _activation_op(name: str, args, node, m: Machine) -> Value:
    first = _arg(args, 0, "x")
    if isinstance(first, F.Tensor):
        return F.Tensor(F.ActivationOp(name, m.site(node)), [first], m.site(node))
    return UNKNOWN


# -- losses and metrics -------------------------------------------------------------------
def _loss_instance(name: str, args, node, m: Machine) -> Value:
    spec = m.knowledge.loss_class(name)
    if spec is None:
        return UNKNOWN  # a loss function applied to tensors (a custom loss): not a configuration
    function, signature = spec
    values, sites = bind(signature, args)
    return F.Loss(
        function,
        values.get("from_logits", Const(False)),
        m.site(node),
        "instance",
        sites,
        class_name=name,
    )


def _metric_instance(name: str, args, node, m: Machine) -> Value:
    metric = m.knowledge.metric_class(name)
    if metric is None:
        return UNKNOWN
    return F.Metric(metric, m.site(node), "instance")


def loss_of(value: Value, site: Site | None, m: Machine) -> Value:
    """The Loss a compile(loss=...) argument means, or UNKNOWN."""
    if isinstance(value, F.Loss):
        return value
    if isinstance(value, Const) and isinstance(value.value, str):
        function = m.knowledge.loss_from_string(value.value)
        if function is None:
            return UNKNOWN
        return F.Loss(function, Const(False), _value_site(value, site), "string")
    if isinstance(value, Ref):
        name = canonical(value.qualname)
        if name.startswith("keras.losses."):
            function = m.knowledge.loss_function(name.rsplit(".", 1)[-1])
            if function is not None and site is not None:
                return F.Loss(function, Const(False), site, "function")
    return UNKNOWN


def metric_of(value: Value, site: Site | None, m: Machine) -> Value:
    if isinstance(value, F.Metric):
        return value
    if isinstance(value, Const) and isinstance(value.value, str):
        name = m.knowledge.metric_from_string(value.value)
        if name is None:
            return UNKNOWN
        return F.Metric(name, _value_site(value, site), "string")
    if isinstance(value, Ref):
        name = canonical(value.qualname)
        if name.startswith("keras.metrics."):
            function = m.knowledge.metric_function(name.rsplit(".", 1)[-1])
            if function is not None and site is not None:
                return F.Metric(function, site, "function")
    return UNKNOWN


# -- data ---------------------------------------------------------------------------------
def _new_source(m: Machine, kind: str, labels, node, container: str = "iterator", **extra) -> F.DataSource:
    source = F.DataSource(kind, labels, m.site(node), **extra)
    if labels is not None and labels.container == "array":
        labels.container = container
    m.facts.sources.append(source)
    return source


def _class_count(listed: Value, listed_site, directory: Value, directory_site, param: str, m) -> ClassCount:
    if isinstance(listed, Seq) and listed.complete:
        n = len(listed.items)
        expr = f"len({listed.origin.expr})" if listed.origin.expr else None
        return ClassCount(n, _value_site(listed, listed_site), f"{n} classes listed in {param}=", expr)
    if isinstance(listed, F.ClassNames):
        return listed.count
    if not (isinstance(listed, Const) and listed.value is None):
        return ClassCount(None)
    path = path_text(directory)
    if path is None:
        return ClassCount(None)
    folders = m.host.class_folders(path)
    if folders is None:
        return ClassCount(None, _value_site(directory, directory_site))
    n = len(folders)
    return ClassCount(n, _value_site(directory, directory_site), f"{n} class folders in {path}")


def _flow(method: str, args, node, m: Machine) -> F.DataSource:
    if method == "flow":
        labels = as_labels(_arg(args, 1, "y", Const(None)))
        x = _arg(args, 0, "x")
        sample = x.shape[1:] if isinstance(x, ArrayValue) and x.shape else None
        return _new_source(m, "flow", labels, node, element=sample)
    signature = m.knowledge.pipeline_signature(f"ImageDataGenerator.{method}")
    values, sites = bind(signature, args)
    mode = values.get("class_mode", UNKNOWN)
    if method == "flow_from_directory":
        count = _class_count(
            values.get("classes", Const(None)),
            sites.get("classes"),
            values.get("directory"),
            sites.get("directory"),
            "classes",
            m,
        )
    else:
        listed = values.get("classes", Const(None))
        count = (
            _class_count(listed, sites.get("classes"), Const(None), None, "classes", m)
            if not (isinstance(listed, Const) and listed.value is None)
            else ClassCount(None)
        )
    labels = _labels_for_mode(_FLOW_MODES, mode, count, method, "class_mode", sites, node, m)
    size, channels = _tuple(values.get("target_size")), _CHANNELS.get(str_value(values.get("color_mode")))
    return _new_source(
        m,
        method,
        labels,
        node,
        image_size=size,
        image_size_site=sites.get("target_size"),
        channels=channels,
        channels_site=sites.get("color_mode"),
        element=_image_element(size, channels),
    )


def _directory_dataset(function: str, args, node, m: Machine) -> F.DataSource:
    signature = m.knowledge.pipeline_signature(function)
    values, sites = bind(signature, args)
    inferred = values.get("labels", Const("inferred"))
    if str_value(inferred) == "inferred":
        count = _class_count(
            values.get("class_names", Const(None)),
            sites.get("class_names"),
            values.get("directory"),
            sites.get("directory"),
            "class_names",
            m,
        )
        mode = values.get("label_mode", UNKNOWN)
    elif isinstance(inferred, Const) and inferred.value is None:
        count, mode = ClassCount(None), Const(None)
    else:
        count, mode = ClassCount(None), UNKNOWN
    labels = _labels_for_mode(_DATASET_MODES, mode, count, function, "label_mode", sites, node, m)
    image = function == "image_dataset_from_directory"

    size = _tuple(values.get("image_size")) if image else None
    channels = _CHANNELS.get(str_value(values.get("color_mode"))) if image else None
    batch = values.get("batch_size", UNKNOWN)

    def source() -> F.DataSource:
        return _new_source(
            m,
            function,
            labels,
            node,
            container="dataset",
            image_size=size,
            image_size_site=sites.get("image_size"),
            channels=channels,
            channels_site=sites.get("color_mode"),
            element=_image_element(size, channels),
            batched=not (isinstance(batch, Const) and batch.value is None),
        )

    if str_value(values.get("subset")) == "both":  # a (training, validation) pair
        return Seq([source(), source()], "tuple")
    return source()


def _image_element(size: tuple | None, channels: int | None) -> tuple | None:
    return (*size, channels) if size is not None and len(size) == 2 and channels is not None else None


def _labels_for_mode(modes: dict, mode: Value, count: ClassCount, function: str, param: str, sites: dict, node, m):
    if not isinstance(mode, Const) or mode.value not in modes:
        return None
    encoding, rank = modes[mode.value]
    if encoding is Encoding.NONE:
        return None
    written = f"{param}={mode.value!r}" + ("" if param in sites else " (the default)")
    site = m.site(node)
    labels = F.Labels(
        encoding,
        count,
        rank,
        f"{function}({written})",
        site,
        container="iterator" if function in FLOW_KINDS else "dataset",
    )
    labels.mode_site = sites.get(param)
    labels.mode_param = param
    if param in sites:
        labels.details.append((sites[param], f"{param}={mode.value!r}"))
    if count.site is not None and count.note:
        labels.details.append((count.site, count.note))
    return labels


def _tuple(value: Value):
    if isinstance(value, Seq):
        items = [int_value(i) for i in value.items]
        if all(i is not None for i in items):
            return tuple(items)
    return None


def _to_categorical(args, node, m: Machine) -> F.Labels:
    source = _arg(args, 0, "x", _arg(args, 0, "y"))
    num_classes = _arg(args, 1, "num_classes", Const(None))
    if isinstance(num_classes, Const) and num_classes.value is None:
        count = source.count if isinstance(source, F.Labels) else ClassCount(None)
    else:
        count = F.count_of(num_classes)
    labels = F.Labels(Encoding.ONE_HOT, count, one_hot_rank(source), "to_categorical(...)", m.site(node))
    labels.shape = one_hot_shape(source, count.value)
    source = as_labels(source) or source
    labels.mode_site = m.site(node)
    if isinstance(source, F.Labels):
        labels.container = source.container
        labels.details.append((source.site, f"integer labels from {source.origin}"))
    if count.site is not None:
        labels.details.append((count.site, f"{count.value} classes" if count.value is not None else "the class count"))
    return labels


def _one_hot(args, node, m: Machine) -> Value:
    indices = _arg(args, 0, "indices")
    depth = _arg(args, 1, "depth")
    rank = one_hot_rank(indices)
    labels = F.Labels(Encoding.ONE_HOT, F.count_of(depth), rank, "tf.one_hot(...)", m.site(node))
    labels.mode_site = m.site(node)
    if isinstance(indices, F.Labels):
        labels.container = indices.container
        labels.shape_known = indices.shape_known
    return labels


def _dataset_loader(name: str, args: CallArgs, node, m: Machine) -> Value:
    if name not in DATASETS:
        return UNKNOWN
    classes, encoding, splits, x_values = DATASETS[name]
    site = m.site(node)
    count = ClassCount(classes, site, f"{name} has {classes} classes" if classes else None)

    def split(x_shape: tuple, y_shape: tuple) -> Seq:
        vocabulary = int_value(args.keywords.get("num_words", Const(None))) if x_values == "text" else None
        x = ArrayValue(x_shape if x_values != "text" else (x_shape[0],), x_values, site, high=vocabulary)
        y = F.Labels(Encoding(encoding), count, len(y_shape), f"{name}.load_data()", site, shape=y_shape)
        return Seq([x, y], "tuple")

    return Seq([split(*splits[0]), split(*splits[1])], "tuple")


# -- methods ------------------------------------------------------------------------------
def call_method(obj: Value, method: str, args: CallArgs, node, m: Machine) -> Value:
    if isinstance(obj, F.Model):
        return _model_method(obj, method, args, node, m)
    if isinstance(obj, F.ImageGenerator) and method in FLOW_KINDS:
        return _flow(method, args, node, m)
    if isinstance(obj, F.DataSource):
        return _dataset_method(obj, method, args, node, m)
    return UNKNOWN


def _model_method(model: F.Model, method: str, args, node, m: Machine) -> Value:
    if method == "add":
        layer = _arg(args, 0, "layer")
        if m.mutation_is_certain(model.depth):
            model.layers.append(layer)
        elif not model.layers or model.layers[-1] is not UNKNOWN:
            model.layers.append(UNKNOWN)  # added on some paths only (a branch, a loop): unknown layers here
        return Const(None)
    if method == "pop":
        if m.mutation_is_certain(model.depth) and model.layers:
            model.layers.pop()
        else:
            model.layers_complete = False
        return UNKNOWN
    if method == "compile":
        return _compile(model, args, node, m)
    if method in ("fit_generator", "evaluate_generator", "predict_generator"):
        attr = node.func.attr if node is not None and isinstance(node.func, cst.Attribute) else None
        m.facts.legacy.append(
            F.LegacyCall(
                "generator_method",
                m.site(node),
                method,
                m.site(attr) if attr is not None else None,
                len(args.positional),
                tuple(args.keywords),
            )
        )
    if method in ("fit", "fit_generator"):
        return _fit(model, method, args, node, m)
    if method in ("evaluate", "predict"):
        return _data_call(model, method, args, node, m)
    return UNKNOWN


def _compile(model: F.Model, args, node, m: Machine) -> Value:
    loss_value = _arg(args, 1, "loss", Const(None))
    loss_site = arg_site(args, 1, "loss")
    loss = loss_of(loss_value, loss_site, m) if loss_site is not None else UNKNOWN
    metrics_value = args.keywords.get("metrics", Const(None))
    metrics = _metrics(metrics_value, args.keyword_sites.get("metrics"), m)
    compile_ = F.Compile(model, loss, metrics, m.site(node), conditional=not m.mutation_is_certain(model.depth))
    model.compiles.append(compile_)
    return Const(None)


def _metrics(value: Value, site: Site | None, m: Machine) -> list:
    if isinstance(value, Const) and value.value is None:
        return []
    items = iterate(value) if isinstance(value, Seq) else None
    if items is None:
        return []
    written = value.origin.site or site  # the list literal, wherever it was written
    elements = written.node.elements if written is not None and isinstance(written.node, (cst.List, cst.Tuple)) else []
    if len(elements) == len(items):
        sites = [site_of(written.chunk, element.value) for element in elements]
    else:
        sites = [site] * len(items)
    return [metric_of(item, item_site, m) for item, item_site in zip(items, sites)]


def _fit(model: F.Model, method: str, args, node, m: Machine) -> Value:
    if method == "fit":
        x, y = _arg(args, 0, "x"), _arg(args, 1, "y", Const(None))
        x_site = arg_site(args, 0, "x")
    else:
        x, y = _arg(args, 0, "generator"), Const(None)
        x_site = arg_site(args, 0, "generator")
    source = x if isinstance(x, F.DataSource) else None
    labels = _labels_of(x, y)
    validation_data = args.keywords.get("validation_data", UNKNOWN)
    validation_site = args.keyword_sites.get("validation_data")
    validation_x, validation_y = _split_data(validation_data)
    compile_ = model.current_compile
    fit = F.Fit(
        model, compile_, x, labels, _labels_of(validation_x, validation_y), source, m.site(node), method,
        inputs=_feed(x, x_site), validation_inputs=_feed(validation_x, validation_site),
        targets=_feed(y, arg_site(args, 1, "y")) if method == "fit" else None,
    )  # fmt: skip
    m.facts.fits.append(fit)
    return UNKNOWN


def _data_call(model: F.Model, method: str, args, node, m: Machine) -> Value:
    """model.evaluate(x, y) / model.predict(x): inputs and labels given to the model after training."""
    x = _arg(args, 0, "x")
    labels = _labels_of(x, _arg(args, 1, "y", Const(None))) if method == "evaluate" else None
    m.facts.data_calls.append(F.DataCall(model, method, _feed(x, arg_site(args, 0, "x")), labels, m.site(node)))
    return UNKNOWN


def _labels_of(x: Value, y: Value) -> F.Labels | None:
    """The labels of fit(x, y): y's, or those of the pipeline x when y is not given."""
    if as_labels(y) is not None:
        return as_labels(y)
    if isinstance(x, F.DataSource) and isinstance(y, Const) and y.value is None:
        return x.labels
    return None


def _split_data(value: Value) -> tuple[Value, Value]:
    """validation_data: a pipeline, or an (x, y[, weights]) tuple."""
    if isinstance(value, F.DataSource):
        return value, Const(None)
    items = iterate(value)
    if items and len(items) >= 2:
        return items[0], items[1]
    return UNKNOWN, UNKNOWN


def _feed(x: Value, site: Site | None) -> F.Feed | None:
    """The shape the model is fed from x: arrays with their sample axis unknown, or a pipeline's batches."""
    if site is None:
        return None
    if isinstance(x, F.DataSource):
        shape = x.input_shape
        return F.Feed(shape, site, f"batches from {x.kind}", x) if shape is not None else None
    if isinstance(x, ArrayValue) and x.shape and x.values != "text":
        return F.Feed((None, *x.shape[1:]), site, x.written, x, x.high)
    if isinstance(x, F.Labels) and x.shape:
        return F.Feed((None, *x.shape[1:]), site, x.origin, x)
    return None


def _dataset_method(source: F.DataSource, method: str, args, node, m: Machine) -> Value:
    if method == "map":
        return _dataset_map(source, args, node, m)
    if method in DATASET_PASS_THROUGH:
        batched = {"batch": True, "padded_batch": True, "rebatch": True, "unbatch": False}.get(method, source.batched)
        derived = source.derived(batched=batched)
        m.facts.sources.append(derived)
        return derived
    return UNKNOWN


def _dataset_map(source: F.DataSource, args, node, m: Machine) -> Value:
    """ds.map(f): what f makes of an element, when we can follow it."""
    function = _arg(args, 0, "map_func")
    labels, element = None, None
    sample = ArrayValue(source.element, None, source.site) if source.element is not None else UNKNOWN
    if isinstance(function, Function) and _positional_params(function) >= 2:
        call = CallArgs([sample, source.labels or UNKNOWN], {}, [None, None], {}, False)
        result = m.call_function(function, call, None)
        items = unpack(result, 2) or unpack(result, 3)
        if items:
            labels = as_labels(items[1]) if source.labels is not None else None
            element = items[0].shape if isinstance(items[0], ArrayValue) else None
    elif isinstance(function, Function):
        m.count_call(function)
    derived = source.derived(labels=labels, element=element)
    m.facts.sources.append(derived)
    return derived


def _positional_params(function: Function) -> int:
    params = function.node.params
    return len(params.posonly_params) + len(params.params)


# -- attributes and subscripts ------------------------------------------------------------
_MODEL_METHODS = {"add", "pop", "compile", "fit", "fit_generator", "evaluate", "predict", "summary", "save"}


def attribute(base: Value, attr: str, node, m: Machine) -> Value:
    if isinstance(base, F.Model):
        if attr == "layers" and base.kind == "sequential" and base.layers_complete:
            items = [item for item in base.layers if not isinstance(item, F.Tensor)]
            return Seq(items, "list", complete=UNKNOWN not in items)
        if attr == "output":
            return F.Tensor(base, [], m.site(node))
        if attr == "outputs":
            return Seq([F.Tensor(base, [], m.site(node))], "list")
        return BoundMethod(base, attr)
    if isinstance(base, F.DataSource):
        return _source_attribute(base, attr, node, m)
    if isinstance(base, F.ImageGenerator):
        return BoundMethod(base, attr)
    return UNKNOWN


def _source_attribute(source: F.DataSource, attr: str, node, m: Machine) -> Value:
    count = source.labels.count if source.labels is not None else ClassCount(None)
    written = _written(node, m)
    if attr == "num_classes" and source.kind in FLOW_KINDS:
        if count.value is None:
            return UNKNOWN
        return Const(count.value, Origin(count.site, written))
    if attr == "class_indices" and source.kind in FLOW_KINDS:
        return F.ClassNames(ClassCount(count.value, count.site, count.note, f"{written}"))
    if attr == "class_names" and source.kind in DIRECTORY_DATASETS:
        return F.ClassNames(ClassCount(count.value, count.site, count.note, written))
    if attr == "classes" and source.kind in FLOW_KINDS and source.labels is not None:
        return F.Labels(Encoding.INTEGER, count, 1, f"{written}", m.site(node))
    return BoundMethod(source, attr)
