"""Phrases and fix builders several rules share."""
from __future__ import annotations

import libcst as cst

from .. import facts as F
from .. import fixes
from ..diagnostics import Position, Span, TextEdit
from ..facts import Encoding
from ..heads import Head
from ..values import Const, Site
from .base import Context

# -- phrases ------------------------------------------------------------------------------

def k(labels: F.Labels | None) -> str:
    """The class count as a number, or K when unknown."""
    return str(labels.classes) if labels is not None and labels.classes is not None else "K"


def units(n: int | None) -> str:
    return "1 value" if n == 1 else f"{n} values"


def describe_labels(labels: F.Labels) -> str:
    count = labels.count
    if labels.encoding is Encoding.ONE_HOT:
        what = f"one-hot over {count.value} classes" if count.value else "one-hot over K classes (K unknown here)"
    elif labels.encoding is Encoding.INTEGER:
        what = f"integer class indices 0..{count.value - 1}" if count.value else "integer class indices"
    elif labels.encoding is Encoding.BINARY and count.value and count.value > 2:
        what = f"single-column labels 0..{count.value - 1}"
    else:
        what = labels.encoding.describe
    note = f" ({count.note})" if count.note else ""
    return f"{what}{note}, from {labels.origin}"


def label_shape(labels: F.Labels) -> str:
    if labels.encoding in (Encoding.ONE_HOT, Encoding.MULTI_HOT):
        return f"(None, {k(labels)})"
    return "(None, 1)" if labels.rank == 2 else "(None,)"


def head_text(head: Head) -> str:
    act = head.activation or "an unknown activation"
    if head.activation == "linear":
        act = "no activation"
    return f"{units(head.width) if head.width else 'an unknown number of values'} with {act}"


def labels_related(labels: F.Labels | None, role: str = "labels") -> list[tuple[Site | None, str]]:
    if labels is None:
        return []
    out: list[tuple[Site | None, str]] = [(labels.site, f"{role}: {describe_labels(labels)}")]
    out.extend(labels.details)
    return out


def head_related(head: Head | None) -> list[tuple[Site | None, str]]:
    if head is None:
        return []
    out: list[tuple[Site | None, str]] = [(head.site, f"final layer: {head_text(head)}")]
    if head.activation_layer is not None and head.activation_site is not None:
        out.append((head.activation_site, f"activation applied to the output: {head.activation}"))
    units_site = head.units_site
    if units_site is not None and head.layer is not None and not head.layer.site.span.contains(units_site.span.start):
        out.append((units_site, f"the output width {head.width} is set here"))
    return out


def loss_related(loss: F.Loss | None) -> list[tuple[Site | None, str]]:
    return [(loss.site, f"loss: {loss.written}")] if loss is not None else []


def fit_related(training) -> list[tuple[Site | None, str]]:
    return [(training.fit.site, "the model is trained on these labels here")] if training.fit is not None else []


# -- fixes --------------------------------------------------------------------------------

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
    if written is not None and not isinstance(written.node, cst.Integer) and literal is not None and isinstance(literal.node, cst.Integer):
        target = literal  # a constant or builder argument sets the width: change it where it is written
    else:
        target = written
    if target is None:
        return None
    code = count_expression(labels.count, target)
    return fixes.replace(target, code) if code is not None else None


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
    return fixes.set_argument(head.layer.site, "activation", code, position=1)


def _replace_value(site: Site, name: str | None, code: str) -> TextEdit | None:
    if name is not None and isinstance(site.node, cst.SimpleString):
        return fixes.replace_string(site, name)
    return fixes.replace(site, code)


def set_label_mode(labels: F.Labels, value: str, ctx: Context) -> TextEdit | None:
    if labels.mode_param is None:
        return None
    if labels.mode_site is not None:
        return _replace_value(labels.mode_site, value, ctx.string(value))
    return fixes.set_argument(labels.site, labels.mode_param, ctx.string(value))


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
        edit = fixes.replace_string(loss.site, new)
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


def loss_or_labels_fixes(t, ctx: Context, function: str, loss_title: str, modes: dict, labels_title: str,
                         with_loss: str | None = None) -> list:
    """The two ways out of a loss/label mismatch: change the loss (preferred), or the labels.

    `modes` maps the pipeline's parameter (class_mode, label_mode) to the value the labels
    would need; `with_loss`, when the labels change, the loss that goes with them.
    """
    loss, labels = t.loss, t.labels
    options = [fixes.fix(loss_title, *(replace_loss(loss, function, ctx) or [None]), preferred=True)]
    mode = modes.get(labels.mode_param or "")
    if mode:
        extra = (replace_loss(loss, with_loss, ctx) or [None]) if with_loss else []
        options.append(fixes.fix(labels_title.format(param=labels.mode_param, mode=mode), set_label_mode(labels, mode, ctx), *extra))
    return [f for f in options if f]


def set_from_logits(loss: F.Loss, value: bool, ctx: Context) -> list[TextEdit] | None:
    """from_logits=value on the loss; a string or function loss becomes its class instance."""
    code = "True" if value else "False"
    if loss.form == "instance":
        edit = fixes.set_argument(loss.site, "from_logits", code, position=0)
        return [edit] if edit else None
    class_name = _CLASS_FOR.get(loss.function)
    module = ctx.module_path("losses")
    if class_name is None or module is None or loss.site is None:
        return None
    return [fixes.replace(loss.site, f"{module}.{class_name}(from_logits={code})")]


def _rename_with_import(site: Site, old: str | None, new: str, ctx: Context) -> list[TextEdit] | None:
    edit = fixes.rename_callee(site, new)
    if edit is None:
        return None
    node = site.node.func if isinstance(site.node, cst.Call) else site.node
    if not isinstance(node, cst.Name):
        return [edit]
    if new in ctx.interpreter.module_scope.vars:
        return [edit]
    imported = ctx.interpreter.import_sites.get(old or "")
    if imported is None:
        return None
    return [edit, add_import_name(imported, new)]


def add_import_name(import_site: Site, name: str) -> TextEdit:
    statement = import_site.node
    assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
    last = statement.names[-1]
    end = Site(import_site.chunk, last).span.end
    if last.comma is not cst.MaybeSentinel.DEFAULT and isinstance(last.comma, cst.Comma):
        return TextEdit(Span(end, end), f" {name},")
    return TextEdit(Span(end, end), f", {name}")


def insert_before_line_end(line: int, text: str, source_lines: list[str]) -> TextEdit:
    content = source_lines[line].rstrip("\r\n")
    point = Position(line, len(content))
    return TextEdit(Span(point, point), text)


def set_units_literal(head: Head, n: int) -> TextEdit | None:
    site = head.layer.arg_sites.get("units") if head.layer else None
    return fixes.replace(site, str(n)) if site else None
