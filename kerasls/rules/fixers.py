"""Fix builders several rules share: set the output width, the activation, the label mode or
the loss, in the form the user wrote it."""

from __future__ import annotations

import libcst as cst

from ..engine import facts as F
from ..engine.heads import Head
from ..engine.values import Const, Site
from ..text.diagnostics import Span, TextEdit
from . import edits
from .api import Context


def count_expression(count: F.ClassCount, at: Site) -> str | None:
    """Code for the class count that is valid where `at` is: the program's own name for it if possible."""
    if count.expr and _defined_before(count, at):
        return count.expr
    if count.value is not None:
        return str(count.value)
    return None


def _defined_before(count: F.ClassCount, at: Site) -> bool:
    origin = count.site
    if origin is None:
        return True
    if origin.path != at.path:
        return False  # named in another file: that name may mean nothing where the fix writes
    if _in_function(at):
        return True  # globals are read when the function runs, after the module set them
    return origin.line < at.line


def _in_function(site: Site) -> bool:
    """Whether the site is inside a function body (run later), not its signature (run at def time)."""
    module = site.chunk.module
    if not (module and module.body and isinstance(module.body[0], (cst.FunctionDef, cst.ClassDef))):
        return False
    body = Site(site.chunk, module.body[0].body).span
    return body.start <= site.span.start


def set_units(head: Head, labels: F.Labels) -> TextEdit | None:
    layer = head.layer
    if layer is None:
        return None
    written = layer.arg_sites.get("units")
    literal = head.units.origin.site if isinstance(head.units, Const) else None
    if (
        written is not None
        and not isinstance(written.node, cst.Integer)
        and literal is not None
        and isinstance(literal.node, cst.Integer)
    ):
        target = literal  # a constant or builder argument sets the width: change it where it is written
    else:
        target = written
    if target is None:
        return None
    code = count_expression(labels.count, target)
    return edits.replace(target, code) if code is not None else None


def set_activation(head: Head, name: str | None, ctx: Context) -> TextEdit | None:
    code = "None" if name is None else ctx.string(name)
    layer = head.activation_layer if isinstance(head.activation_layer, F.Layer) else None
    if layer is not None and layer.kind == "Activation":
        site = layer.arg_sites.get("activation")
        return _replace_value(site, name, code) if site else None
    if head.activation_layer is not None or head.layer is None:
        return None
    site = head.layer.arg_sites.get("activation")
    if site is not None:
        return _replace_value(site, name, code)
    return edits.set_argument(head.layer.site, "activation", code, position=1)


def _replace_value(site: Site, name: str | None, code: str) -> TextEdit | None:
    if name is not None and isinstance(site.node, cst.SimpleString):
        return edits.replace_string(site, name)
    return edits.replace(site, code)


def set_label_mode(labels: F.Labels, value: str, ctx: Context) -> TextEdit | None:
    if labels.mode_param is None:
        return None
    if labels.mode_site is not None:
        return _replace_value(labels.mode_site, value, ctx.string(value))
    return edits.set_argument(labels.site, labels.mode_param, ctx.string(value))


_CLASS_FOR = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}


def replace_loss(loss: F.Loss, function: str, ctx: Context) -> list[TextEdit] | None:
    """Edits that make `loss` compute `function` instead, in the form the user wrote it."""
    if loss.form == "string":
        written = loss.written.strip("'\"")
        new = _CLASS_FOR[function] if written[:1].isupper() else function
        edit = edits.replace_string(loss.site, new)
        return [edit] if edit else None
    if loss.form == "instance":
        new_class = _CLASS_FOR.get(function)
        spec = ctx.keras.loss_class(new_class) if new_class else None
        if spec is None or not set(loss.arg_sites) <= set(spec[1].params):
            return None
        return _rename_with_import(loss.site, loss.class_name, new_class, ctx)
    if loss.form == "function":
        current = loss.site.code.rsplit(".", 1)[-1]
        return _rename_with_import(loss.site, current, function, ctx)
    return None


ONE_HOT_MODES = {"class_mode": "categorical", "label_mode": "categorical"}
INTEGER_MODES = {"class_mode": "sparse", "label_mode": "int"}


def loss_or_labels_fixes(
    t, ctx: Context, function: str, loss_title: str, modes: dict, labels_title: str, with_loss: str | None = None
) -> list:
    """The two ways out of a loss/label mismatch: change the loss (preferred), or the labels.

    `modes` maps the pipeline's parameter (class_mode, label_mode) to the value the labels
    would need; `with_loss`, when the labels change, the loss that goes with them.
    """
    loss, labels = t.loss, t.labels
    options = [edits.fix(loss_title, *(replace_loss(loss, function, ctx) or [None]), preferred=True)]
    mode = modes.get(labels.mode_param or "")
    if mode:
        extra = (replace_loss(loss, with_loss, ctx) or [None]) if with_loss else []
        options.append(
            edits.fix(
                labels_title.format(param=labels.mode_param, mode=mode), set_label_mode(labels, mode, ctx), *extra
            )
        )
    return [f for f in options if f]


def set_from_logits(loss: F.Loss, value: bool, ctx: Context) -> list[TextEdit] | None:
    """from_logits=value on the loss; a string or function loss becomes its class instance."""
    code = "True" if value else "False"
    if loss.form == "instance":
        edit = edits.set_argument(loss.site, "from_logits", code, position=0)
        return [edit] if edit else None
    class_name = _CLASS_FOR.get(loss.function)
    module = ctx.module_path("losses")
    if class_name is None or module is None or loss.site is None:
        return None
    return [edits.replace(loss.site, f"{module}.{class_name}(from_logits={code})")]


def _rename_with_import(site: Site, old: str | None, new: str, ctx: Context) -> list[TextEdit] | None:
    edit = edits.rename_callee(site, new)
    if edit is None:
        return None
    node = site.node.func if isinstance(site.node, cst.Call) else site.node
    if not isinstance(node, cst.Name):
        return [edit]
    if ctx.facts.defines(new):
        return [edit]
    imported = ctx.facts.import_sites.get(old or "")
    if imported is None:
        return None
    return [edit, add_import_name(imported, new)]


def add_import_name(import_site: Site, name: str) -> TextEdit:
    statement = import_site.node
    assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
    last = statement.names[-1]
    end = Site(import_site.chunk, last).span.end
    if last.comma is not cst.MaybeSentinel.DEFAULT and isinstance(last.comma, cst.Comma):
        return edits.at(import_site, Span(end, end), f" {name},")
    return edits.at(import_site, Span(end, end), f", {name}")


def set_units_literal(head: Head, n: int) -> TextEdit | None:
    site = head.layer.arg_sites.get("units") if head.layer else None
    return edits.replace(site, str(n)) if site else None
