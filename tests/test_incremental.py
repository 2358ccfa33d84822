"""An analysis made from the previous one (reused parses, remembered runs of uncalled functions)
finds exactly what an analysis from scratch finds, edit after edit."""

from __future__ import annotations

import re
import textwrap

from helpers import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerasls.analysis import Analysis, analyze
from kerasls.analysis.model_tables import render_text
from kerasls.engine.host import FakeHost

SOURCES = [p.read_text() for p in sorted((REPO / "tests" / "fixtures").glob("*.py"))] + [
    p.read_text() for p in sorted((REPO / "examples").glob("*.py"))
]

ZOO = textwrap.dedent(
    '''
    """Builders nobody calls, reading module-level names of every kind."""
    import numpy as np
    from tensorflow import keras
    from tensorflow.keras import layers
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    NUM_CLASSES = 10
    CLASSES = ["cat", "dog", "fox"]
    SHAPE = (32, 32, 3)
    x_train = np.random.rand(100, 20)
    y_train = keras.utils.to_categorical(np.random.randint(0, NUM_CLASSES, size=(100,)), NUM_CLASSES)
    base = keras.Sequential([layers.Dense(4)])


    def build(units=NUM_CLASSES):
        model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(units, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return model


    def train():
        model = build()
        model.fit(x_train, y_train, epochs=2)


    def train_classes():
        model = keras.Sequential([keras.Input(shape=SHAPE), layers.Flatten(), layers.Dense(len(CLASSES))])
        model.compile(loss="binary_crossentropy", metrics=["accuracy"])
        gen = ImageDataGenerator().flow_from_directory("data/train", class_mode="categorical")
        model.fit(gen, epochs=1)


    def uses_the_global_model():
        base.compile(loss="mse")
        base.fit(x_train, y_train)


    def appends():
        CLASSES.append("owl")
    '''
)
SOURCES.append(ZOO)
FOLDERS = {"data/train": [f"c{i}" for i in range(10)]}

PIECES = [
    "\n",
    "# a comment\n",
    "NUM_CLASSES = 3\n",
    "CLASSES = ['a', 'b']\n",
    "x_train = np.random.rand(100, 7)\n",
    "def build():\n    return keras.Sequential([layers.Dense(1)])\n",
    "def extra():\n    m = build()\n    m.compile(loss='sparse_categorical_crossentropy')\n    m.fit(x_train, y_train)\n",
    "model.fit(\n",
    "    layers.Dense(5),\n",
    "y_train = np.random.randint(0, 2, size=(100,))\n",
]


def findings(analysis: Analysis) -> list:
    """Everything a user sees: the diagnostics with their places and fixes, and the model summaries."""
    return [render_text(summary) for summary in analysis.summaries] + [
        (
            d.code,
            d.message,
            d.span,
            [(r.span, r.message) for r in d.related],
            [(f.title, [(e.span, e.new_text) for e in f.edits]) for f in d.fixes],
        )
        for d in analysis.diagnostics
    ]


def edit(text: str, operation: tuple) -> str:
    lines = text.splitlines(keepends=True)
    kind, where, piece = operation
    line = where % max(len(lines), 1)
    if kind == "number" and lines:
        return "".join(
            lines[:line] + [re.sub(r"\d+", lambda m: str(int(m.group()) + 1), lines[line], count=1)] + lines[line + 1 :]
        )
    if kind == "name" and lines:  # another of the program's names where one was: what statements share changes
        names = sorted(set(re.findall(r"\b[A-Za-z_]\w*\b", text)))
        here = re.findall(r"\b[A-Za-z_]\w*\b", lines[line])
        if here:
            old, new = here[piece % len(here)], names[piece * 7 % len(names)]
            lines[line] = re.sub(rf"\b{old}\b", new, lines[line], count=1)
        return "".join(lines)
    if kind == "delete" and lines:
        return "".join(lines[:line] + lines[line + 1 :])
    if kind == "duplicate" and lines:
        return "".join(lines[: line + 1] + lines[line:])
    return "".join(lines[:line] + [PIECES[piece % len(PIECES)]] + lines[line:])


OPERATIONS = st.tuples(
    st.sampled_from(["number", "number", "name", "delete", "duplicate", "insert"]),
    st.integers(0, 10_000),
    st.integers(0, 100),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(SOURCES) - 1), st.lists(OPERATIONS, min_size=1, max_size=6))
def test_each_edit_finds_what_a_fresh_analysis_finds(index, operations):
    host = FakeHost(FOLDERS)
    text = SOURCES[index]
    previous = analyze(text, host=host)
    for operation in operations:
        text = edit(text, operation)
        incremental = analyze(text, host=host, previous=previous)
        assert findings(incremental) == findings(analyze(text, host=FakeHost(FOLDERS)))
        previous = incremental


def test_a_module_level_value_an_uncalled_function_reads_is_followed():
    """`train_classes` ends in Dense(len(CLASSES)) on 10 class folders: 3 names, then 10."""
    line = next(n for n, text in enumerate(ZOO.splitlines()) if "Dense(len(CLASSES))" in text)
    before = analyze(ZOO, host=FakeHost(FOLDERS))
    assert ("KLS101", line) in {(d.code, d.span.start.line) for d in before.diagnostics}
    after = ZOO.replace('CLASSES = ["cat", "dog", "fox"]', f"CLASSES = {[f'c{i}' for i in range(10)]}")
    again = analyze(after, host=FakeHost(FOLDERS), previous=before)
    assert findings(again) == findings(analyze(after, host=FakeHost(FOLDERS)))
    assert ("KLS101", line) not in {(d.code, d.span.start.line) for d in again.diagnostics}


def test_class_folders_that_change_on_disk_are_followed():
    """The same text, analysed again after the user added class folders: the remembered run of
    `train_classes` saw 10 folders, and must not be replayed now that there are 3."""
    before = analyze(ZOO, host=FakeHost(FOLDERS))
    now = {"data/train": ["a", "b", "c"]}
    again = analyze(ZOO, host=FakeHost(now), previous=before)
    assert findings(again) == findings(analyze(ZOO, host=FakeHost(now)))
    assert findings(again) != findings(before)


def test_a_class_inside_an_uncalled_function_reads_module_names():
    """Python's symbol table gives a class body no get_globals(): its global names still count."""
    code = "import keras\nN = 3\n\n\ndef build():\n    class Head:\n        units = N\n\n    return keras.Sequential([keras.layers.Dense(Head.units)])\n"
    before = analyze(code)
    after = analyze(code.replace("N = 3", "N = 4"), previous=before)
    assert findings(after) == findings(analyze(code.replace("N = 3", "N = 4")))
