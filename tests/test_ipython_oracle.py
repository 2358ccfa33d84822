"""kerasls.analysis.ipython held to IPython itself, on a few thousand generated notebook cells.

Each cell combines IPython syntax (magics, shell commands, help queries, assigned commands,
continuation lines, autocall escapes, cell magics, console prompts) and plain Python (`%`
formatting inside brackets or after a backslash, look-alikes inside strings and comments, PEP 701
f-strings) with the places it can stand (top level, each kind of block, nested, after a decorator,
inside brackets, inside a triple-quoted string, an indented pasted cell), deterministically.
IPython's own `TransformerManager().transform_cell` is the oracle:

* the masked cell keeps the layout: same lines and endings, every column shifted only by what
  `shifts` records (a dedent, a prompt), and only mask characters where the source had others;
* where IPython's code compiles, the masked cell compiles to the same program, once IPython's
  `get_ipython()` calls are read as the masks (`_` for a value, `0` for a statement);
* where IPython's code does not compile, the masked cell does not either;
* a non-Python cell magic gives None, a Python one the masked body of a cell of its own;
* when IPython leaves a cell as it is, so does the masking;
* the same masks whatever the line endings (the kernel gets `\n` from the front ends).

Indented cells are given to IPython dedented the way IPython 7 and 8 do it, which the masking
follows (IPython 9 gives the same code whenever it accepts the cell; that it accepts no cell the
masking rejects is checked too). Run with -s to see how many cells IPython accepts.
"""

from __future__ import annotations

import ast
import random
import re
import warnings

import pytest

from kerasls.analysis.ipython import PYTHON_CELL_MAGICS, mask_cell

inputtransformer2 = pytest.importorskip("IPython.core.inputtransformer2")

SEED = 20240611
CELLS = 4000
SCRIPT_MAGICS = {"python", "python3", "pypy"}
AUTOCALL = "qq"  # the callable used with /, and ; so that its calls can be told from user code

# Items: the physical lines of one statement-like thing, indented as a unit by its context.
IPYTHON_ITEMS = [
    ["%pip install -q tensorflow-datasets"],
    ["!pip install -q keras-tuner"],
    ["!!ls -la"],
    ["%tensorflow_version 2.x"],
    ["%matplotlib inline"],
    ["%cd /content/drive"],
    ["%time model.fit(x, y)"],
    ["%%time"],
    ["%load_ext tensorboard"],
    ["%env TF_CPP_MIN_LOG_LEVEL=3"],
    ["%"],
    ["!"],
    ["!echo 'it is (open"],
    ["!ls  # not a comment for the shell"],
    ['!echo """'],
    ["% pip list"],
    ["%pip install a \\", "    b"],
    ["!wget https://example.org/data.zip \\", "    -O data.zip"],
    ["!unzip -q data.zip \\", "  -d data \\", "  && ls data"],
    ["%pip install \\", "", ""],
    ["model.fit?"],
    ["model.fit??"],
    ["?model"],
    ["??model.fit"],
    ["?"],
    ["%pip?"],
    ["np.*load*?"],
    ["layers[0].weights?"],
    ["layers[-1]??"],
    ["x = foo?"],
    ["print?"],
    ["model.fit? "],
    ["model.fit()?"],
    ["model.fit?  # help"],
    ["foo(1,", "    2).bar?"],
    ["files = !ls data"],
    ["x, y = !cmd"],
    ["out = %sx ls"],
    ["t = %timeit -o sum(range(10))"],
    ["d['k'] = !ls"],
    ["x: list = !ls"],
    ["lines = !wget a \\", "    -O b"],
    ["x = \\", "    !ls"],
    ["x = \\", "    %time f()"],
    ["a = b = %foo"],
    ["x = %  time"],
    ["x = !"],
    ["x=!ls"],
    ["x = %%time"],
    ["x = %pip?"],
    ["x = % 5"],
    ["print(1); y = !ls"],
    ["f(a=!ls)"],
    ["x == !ls"],
    [f"/{AUTOCALL} 1 2"],
    [f",{AUTOCALL} a b"],
    [f";{AUTOCALL} a b"],
    [f"/{AUTOCALL} 1 \\", "    2"],
    [f"/ {AUTOCALL}"],
    [f',{AUTOCALL} a"b'],
    [f"/{AUTOCALL} (1"],
    ["%matplotlib inline  # plots"],
    ["x[i] = %env HOME"],
    ["obj.attr = !pwd"],
    ["x = y = !ls"],
    ["x += !ls"],
    ["if x: !ls"],
    ["\\", "!ls"],
    ["\\", "    %pip list"],
    ["x = (", "    !ls", ")"],
    ["%%capture out"],
    ["%%writefile f.py"],
    ["%time?"],
    ["?? np.load"],
    ["x = !ls \\"],
    [f";{AUTOCALL}"],
    [f",{AUTOCALL}"],
    ["/"],
    ["!ls 'a (", "print(1)"],
]
PYTHON_ITEMS = [
    ["x = 1"],
    ["y = x % 2"],
    ["z = x != 2"],
    ['w = "?"'],
    ["# %pip install not-a-magic"],
    ['print("hi!")'],
    ["x %= 3"],
    ["x //= 2"],
    ['print("acc: %.2f"', "      % acc)"],
    ['msg = ("%d items"', "       % n)"],
    ['y = "a %s" \\', '    % "b"'],
    ["values = [", "    1,", "    2,", "]"],
    ["f = lambda v=1: v"],
    ["if x == 1: pass"],
    ["d = {'a': 1}"],
    ["print(x, end='!')"],
    ["s = f'{y!r}'"],
    ["q = '?'"],
    ["def g(a=1): return a"],
    ['s = """', "!ls", "%pip install x", "model?", '"""'],
    ["t = '''a", "?b", "'''"],
    ['u = "a\\', '!b"'],
    ["x = (1 +", "     2) ?"],
    ["total = (a", "         %b)"],
    ["r = (", "    !x", ")"],
    ["\\", "y = 2"],
    ['p = f"{x=}"'],
    ["print(a, sep='=')"],
    ["x = [i for i in y if i % 2]"],
    ["z = {'k': v for k, v in d.items()}"],
    ["k = a[1:2] if b else c"],
    ["@property", "def g(self): return 1"],
    ["u = 'it''s'"],
    ["w = (", "    # !not a command", "    1)"],
    ["", "    "],
    ['k = f"{d["key"]}"'],  # PEP 701 (Python 3.12+): same quotes inside a replacement field
    ['k = f"{a["("]} {b[\'#\']:>{w}}"'],
    ['k = f"""{', '    d["a"]', '}"""'],
]
BROKEN_ITEMS = [
    ["x = ("],
    ["print 'hi'"],
    ["x = = 1"],
    ["!= 2"],
    ["%= 2"],
    ["//x"],
    ["y = 1)"],
    ['s = "open'],
]

# Contexts: (header lines, footer lines); the items go in between, one level deeper when the
# header opens a block. None as footer means the items stay at the header's level.
BLOCKS = [
    ([], None),
    (["if IN_COLAB:"], []),
    (["if flag:", "    pass", "else:"], []),
    (["try:"], ["except Exception:", "    pass"]),
    (["try:", "    pass", "except Exception:"], []),
    (["try:", "    pass", "finally:"], []),
    (["for i in range(3):"], []),
    (["while False:"], []),
    (["with ctx:"], []),
    (["def f():"], []),
    (["class A:"], []),
    (["@decorator", "def f():"], []),
    (["async def h():"], []),
]
RAW_CONTEXTS = [  # items written as they are, without indentation
    (["values = ["], ["]"]),
    (['print("value: %d"'], [")"]),
    (['doc = """'], ['"""']),
    (["y = 1 + \\"], []),
]
CELL_MAGICS = [
    "%%time",
    "%%capture",
    "%%capture out",
    "%%timeit -n1",
    "%%prun",
    "%%python3",
    "%%bash",
    "%%sh",
    "%%writefile train.py",
    "%%html",
    "%%javascript",
    "%%latex",
    "%%markdown",
    "%%sql",
    "%%script bash",
    "%%foo",
    "%%",
    "%%time?",
    "%%capture\tout",
]


def _indent(lines: list[str], unit: str) -> list[str]:
    return [unit + line if line else line for line in lines]


def _block(rng: random.Random, unit: str, depth: int = 0) -> list[str]:
    items = [
        rng.choice(
            rng.choice(
                [IPYTHON_ITEMS, IPYTHON_ITEMS, PYTHON_ITEMS, BROKEN_ITEMS]
                if rng.random() < 0.1
                else [IPYTHON_ITEMS, IPYTHON_ITEMS, PYTHON_ITEMS]
            )
        )
        for _ in range(rng.choice([1, 1, 2]))
    ]
    if rng.random() < 0.1:
        header, footer = rng.choice(RAW_CONTEXTS)
        return header + [line for item in items for line in item] + footer
    body = [line for item in items for line in item]
    if depth < 1 and rng.random() < 0.15:
        body = _block(rng, unit, depth + 1) + body
    header, footer = rng.choice(BLOCKS)
    if footer is None:
        return body
    return header + _indent(body, unit) + footer


def generate_cells(count: int = CELLS, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    cells = []
    for _ in range(count):
        unit = rng.choice(["    ", "    ", "  ", "\t"])
        lines: list[str] = []
        if rng.random() < 0.2:
            lines.append("import keras")
        for _ in range(rng.choice([1, 1, 2, 3])):
            lines += _block(rng, unit)
        if rng.random() < 0.2:
            lines.append("model.summary()")
        if rng.random() < 0.12:
            if rng.random() < 0.2:  # a body indented under its magic line
                lines = [unit + line if line else line for line in lines]
            lines.insert(0, rng.choice(CELL_MAGICS))
        if rng.random() < 0.08:  # a pasted console session
            if rng.random() < 0.5:
                lines = [
                    ("... " if line[:1] in " \t" else ">>> ") + line if line else rng.choice(["", "...", ">>>"])
                    for line in lines
                ]
                lines[0] = ">>> " + lines[0][4:]
            else:
                lines = ["   ...: " + line for line in lines]
                lines[0] = rng.choice(["In [3]: ", "[ins] In [12]: "]) + lines[0][8:]
        if rng.random() < 0.1:  # an indented pasted cell
            pad = rng.choice(["  ", "    ", "\t"])
            lines = [pad + line if line else rng.choice(["", pad]) for line in lines]
        elif rng.random() < 0.04:  # only its first line indented (IPython 7 and 8 run it, 9 does not)
            lines[0] = rng.choice(["  ", "    ", "\t"]) + lines[0]
        if rng.random() < 0.08:
            lines = [""] * rng.choice([1, 2]) + lines
        ending = "\r\n" if rng.random() < 0.1 else "\n"
        cell = ending.join(lines)
        if rng.random() < 0.5:
            cell += ending
        cells.append(cell)
    return cells


class _AsMasks(ast.NodeTransformer):
    """IPython's code read the way the masks are: a get_ipython() call (or an autocall of qq)
    is the value `_`, and as a statement the constant `0`."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "get_ipython"
        ):
            return ast.Name(id="_", ctx=ast.Load())
        if isinstance(func, ast.Name) and func.id == AUTOCALL:
            return ast.Name(id="_", ctx=ast.Load())
        return self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        node = self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "_":
            return ast.Expr(value=ast.Constant(value=0))
        return node


# IPython 9's dedent (textwrap.dedent) empties whitespace-only lines, even when it removes no
# margin; the masking keeps them, so that a cell without IPython syntax comes back unchanged. That
# only changes the text of a multi-line string: programs are compared with such lines emptied.
_BLANKS = re.compile(r"(?m)^[ \t]+(?=\r?$)")

NOT_PYTHON = "not python"
INVALID = "invalid"
FAILED = "IPython raised"


def _compiles(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _parse(code: str) -> list[ast.stmt]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(code).body


def ipython_program(cell: str, manager) -> list[str] | str:
    """What the kernel runs for the cell: its statements (dumped, read as masks), or a verdict."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = manager.transform_cell(cell)
    except Exception:
        return FAILED
    if not _compiles(code):
        return INVALID
    body = _parse(code)
    if len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call):
        call = body[0].value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_cell_magic":
            name, _line, inner = (ast.literal_eval(arg) for arg in call.args)
            if name not in PYTHON_CELL_MAGICS:
                return NOT_PYTHON
            if name in SCRIPT_MAGICS:  # a Python subprocess runs the body as it is
                program = (
                    [ast.dump(statement) for statement in _parse(_BLANKS.sub("", inner))]
                    if _compiles(inner)
                    else INVALID
                )
            else:  # the magic runs its body as a cell again
                program = ipython_program(dedented_like_ipython8(inner), manager)
            return program if isinstance(program, str) else [ast.dump(ast.Expr(ast.Constant(0)))] + program
    return [ast.dump(_AsMasks().visit(statement)) for statement in _parse(_BLANKS.sub("", code))]


# What IPython may take off the start of a line: blanks (a dedent, a blank line), a console prompt.
REMOVABLE = re.compile(r"\s*(?:(?:>>>|\.\.\.) ?|(?:(?:\[nav\]|\[ins\])? )?In \[\d+\]: |\s*\.{3,}: ?)?[ \t]*")


def layout_problems(source: str, masked) -> list[str]:
    problems = []
    src = source.splitlines(keepends=True) or [""]
    if "\r" in source:  # splitlines breaks on more than Python does; these cells only use \r\n
        src = [line + "\n" for line in source.split("\n")]
        src[-1] = src[-1][:-1]
        if src[-1] == "" and len(src) > 1:
            src.pop()
    out = masked.text.splitlines(keepends=True) or [""]
    if "\r" in masked.text:
        out = [line + "\n" for line in masked.text.split("\n")]
        out[-1] = out[-1][:-1]
        if out[-1] == "" and len(out) > 1:
            out.pop()
    if len(out) != len(src) or len(masked.shifts) != len(src):
        return [f"{len(src)} lines, {len(out)} masked lines, {len(masked.shifts)} shifts"]
    for number, (s, o, shift) in enumerate(zip(src, out, masked.shifts)):
        s_body, o_body = s.rstrip("\r\n"), o.rstrip("\r\n")
        if s[len(s_body) :] != o[len(o_body) :]:
            problems.append(f"line {number}: ending changed")
        if not REMOVABLE.fullmatch(s_body[:shift]) or len(o_body) + shift != len(s_body):
            problems.append(f"line {number}: shift {shift} does not take blanks off {s_body!r} -> {o_body!r}")
            continue
        for column, char in enumerate(o_body):
            if char != s_body[column + shift] and char not in "0#_ ":
                problems.append(f"line {number} column {column}: {char!r} is neither the source nor a mask")
                break
    return problems


def dedented_like_ipython8(cell: str) -> str:
    """The cell after IPython 7 and 8's leading_indent: the first line's indentation off every
    line that starts with it. IPython 9 takes off a margin common to all lines instead, which gives
    the same code whenever it accepts the cell; the masking follows the older, more lenient one."""
    lines = cell.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    indent = re.match(r"[ \t]*", lines[first]).group() if first is not None else ""
    if not indent:
        return cell
    return "".join(lines[:first]) + "".join(
        line[len(indent) :] if line.startswith(indent) else line for line in lines[first:]
    )


def check_cell(cell: str, manager) -> tuple[str, list[str]]:
    """The IPython verdict for the cell and the ways the masking disagrees with it."""
    problems = []
    masked = mask_cell(cell)
    lf_cell = cell.replace("\r\n", "\n")
    if lf_cell != cell:  # line endings change nothing but the endings
        lf_masked = mask_cell(lf_cell)
        if (masked is None) != (lf_masked is None) or (
            masked and (masked.text.replace("\r\n", "\n"), masked.shifts) != (lf_masked.text, lf_masked.shifts)
        ):
            problems.append("masking depends on the line endings")
    if masked is not None:
        problems += layout_problems(cell, masked)
    program = ipython_program(dedented_like_ipython8(lf_cell), manager)  # the front ends send \n
    if dedented_like_ipython8(lf_cell) != lf_cell and ipython_program(lf_cell, manager) not in (INVALID, FAILED):
        if masked is None and program != NOT_PYTHON or masked is not None and not _compiles(masked.text):
            problems.append("IPython 9 accepts the cell but the masked one does not compile")
    if program == NOT_PYTHON:
        if masked is not None:
            problems.append("a non-Python cell magic was masked")
    elif program == INVALID:
        if masked is not None and _compiles(masked.text):
            problems.append("IPython's code does not compile but the masked cell does")
    elif program != FAILED:
        if masked is None:
            problems.append("IPython runs the cell as Python but mask_cell gave None")
        elif not _compiles(masked.text):
            problems.append("IPython's code compiles but the masked cell does not")
        elif [ast.dump(s) for s in _parse(_BLANKS.sub("", masked.text))] != program:
            problems.append("the masked cell is another program than IPython's")
    unchanged = lf_cell if lf_cell.endswith("\n") else lf_cell + "\n"
    if program not in (FAILED,) and manager.transform_cell(dedented_like_ipython8(lf_cell)) == unchanged:
        if masked is None or masked.text != cell or any(masked.shifts):
            problems.append("IPython leaves the cell as it is but the masking changed it")
    return program if isinstance(program, str) else "python", problems


def test_masking_agrees_with_ipython_on_generated_cells():
    manager = inputtransformer2.TransformerManager()
    cells = generate_cells()
    verdicts: dict[str, int] = {}
    failures = []
    for cell in cells:
        verdict, problems = check_cell(cell, manager)
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        if problems:
            failures.append((cell, problems))
    print(
        f"\n{len(cells)} cells: IPython compiles {verdicts.get('python', 0)}, rejects {verdicts.get(INVALID, 0)}, "
        f"non-Python cell magic {verdicts.get(NOT_PYTHON, 0)}, IPython raised {verdicts.get(FAILED, 0)}"
    )
    assert len(cells) >= 3000
    assert verdicts.get("python", 0) >= len(cells) // 3
    assert not failures, (
        "\n\n".join(f"{cell!r}\n  " + "\n  ".join(problems) for cell, problems in failures[:15])
        + f"\n\n{len(failures)} cells disagree"
    )
