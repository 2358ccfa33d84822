"""IPython syntax in notebook cells, masked as Python of the same layout.

`%magic`, `!shell` and `obj?` are replaced by placeholders of the same length, so every
column stays where it was. A cell run by a non-Python cell magic (`%%bash`, `%%writefile`)
is not Python: `mask_cell` returns None for it.
"""

from __future__ import annotations

import re

from ..text.source import split_lines

# Cell magics whose body is still Python run in the kernel.
PYTHON_CELL_MAGICS = {"python", "python3", "time", "timeit", "capture", "prun", "debug"}
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w\.\[\]\s,]+=\s*)([!%].*)$")
_LINE_MAGIC = re.compile(r"^(\s*)([!%])")
_HELP_PREFIX = re.compile(r"^(\s*)(\?\??)")
_HELP_SUFFIX = re.compile(r"(\?\??)(\s*)$")


def mask_line(line: str) -> str:
    """IPython-only syntax on one line, replaced by Python of the same length."""
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    assigned = _ASSIGNED_MAGIC.match(body)
    if assigned and not body.lstrip().startswith(("%", "!")):
        prefix, rest = assigned.groups()
        return prefix + "_" + " " * (len(rest) - 1) + ending  # x = !ls  ->  x = _
    magic = _LINE_MAGIC.match(body)
    if magic and not body.lstrip().startswith("!="):
        indent = magic.group(1)
        return indent + "#" + body[len(indent) + 1 :] + ending
    helped = _HELP_PREFIX.match(body)
    if helped:
        indent = helped.group(1)
        return indent + "#" + body[len(indent) + 1 :] + ending
    suffix = _HELP_SUFFIX.search(body)
    if suffix and not body.lstrip().startswith("#") and _is_help_query(body):
        return body[: suffix.start()] + " " * len(suffix.group(1)) + suffix.group(2) + ending
    return line


def _is_help_query(body: str) -> bool:
    """`model.fit?` asks for help; `x = y if a else b` never ends in '?', but strings might."""
    stripped = body.rstrip().rstrip("?")
    return bool(re.fullmatch(r"\s*[A-Za-z_][\w\.]*(\(\))?", stripped))


def mask_cell(source: str) -> str | None:
    """A code cell as Python with the same line and column layout; None to leave it out."""
    lines = split_lines(source)
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0].strip() if first[2:].strip() else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = "#" + lines[0][1:]  # %%time  ->  #%time (same length)
        return "".join(lines[:1]) + "".join(mask_line(line) for line in lines[1:])
    return "".join(mask_line(line) for line in lines)
