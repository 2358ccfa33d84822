"""Top-level statements replayed from the analysis before (engine/replay.py): an edit re-runs the
statements it can affect, the others are replayed, and what the user sees is exactly what an
analysis from scratch shows — including after edits that change what statements share."""

from __future__ import annotations

import textwrap

import pytest
import pytest_lsp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_client import change, initialize, open_document, published, server_config
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_incremental import OPERATIONS, edit, findings

from kerasls.analysis import Analysis, analyze
from kerasls.engine.host import FakeHost

SCRIPT = textwrap.dedent(
    '''
    """Three experiments, a shared list of models, a builder, a closure and a class-folder pipeline."""
    import numpy as np
    from tensorflow import keras
    from tensorflow.keras import layers
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    LEARNING_RATE = 1e-3
    FEATURES = 20
    registry = []

    x_a = np.random.rand(500, FEATURES)
    y_a = keras.utils.to_categorical(np.random.randint(0, 5, size=(500,)), 5)
    model_a = keras.Sequential([keras.Input(shape=(FEATURES,)), layers.Dense(64), layers.Dense(1)])
    registry.append(model_a)
    model_a.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="binary_crossentropy", metrics=["accuracy"])
    model_a.fit(x_a, y_a, epochs=3)

    x_b = np.random.rand(300, FEATURES)
    y_b = np.random.randint(0, 3, size=(300,))
    model_b = keras.Sequential([keras.Input(shape=(FEATURES,)), layers.Dense(3, activation="softmax")])
    model_b.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model_b.fit(x_b, y_b, epochs=3)


    def build(units):
        model = keras.Sequential([keras.Input(shape=(FEATURES,)), layers.Dense(units, activation="softmax")])
        return model


    def make_adder(model):
        def add():
            model.add(layers.Dense(2, activation="softmax"))
        return add


    model_c = build(7)
    adder = make_adder(model_c)
    adder()
    print("placeholder")
    model_c.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model_c.fit(x_b, keras.utils.to_categorical(y_b, 3), epochs=1)

    gen = ImageDataGenerator(rescale=1 / 255).flow_from_directory("data/train", class_mode="categorical")
    model_d = keras.Sequential([keras.Input(shape=(256, 256, 3)), layers.Flatten(), layers.Dense(4)])
    model_d.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model_d.fit(gen, epochs=2)
    del x_a
    '''
).lstrip("\n")
FOLDERS = {"data/train": ["a", "b", "c", "d", "e", "f"]}


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def step(previous: Analysis, text: str, folders=FOLDERS) -> tuple[Analysis, int]:
    """Analyse `text` from `previous`; check it against a fresh analysis; say how many statements replayed."""
    incremental = analyze(text, host=FakeHost(folders), previous=previous)
    assert findings(incremental) == findings(analyze(text, host=FakeHost(folders)))
    if incremental.facts is None:  # a syntax error, or no Keras: nothing ran
        return incremental, 0
    return incremental, incremental.facts.journal.replayed


def statements(analysis: Analysis) -> int:
    return len(analysis.facts.journal.records)


def lines_of(analysis: Analysis, code: str) -> list[int]:
    return [d.span.start.line for d in analysis.diagnostics if d.code == code]


@pytest.fixture
def base() -> Analysis:
    return analyze(SCRIPT, host=FakeHost(FOLDERS))


def test_an_edit_in_one_experiment_replays_the_others(base):
    """Experiment B's labels get 4 classes: B's five statements run again, and model_c's five (its fit
    reads y_b, and they share model_c); the other 22 are replayed."""
    after, replayed = step(base, replaced(SCRIPT, "randint(0, 3, size=(300,))", "randint(0, 4, size=(300,))"))
    assert (statements(after), replayed) == (32, 22)
    assert set(lines_of(after, "KLS101")) - set(lines_of(base, "KLS101")) == {19}  # Dense(3) on 4 classes
    assert 12 in lines_of(after, "KLS101")  # model_a's Dense(1) on one-hot labels, found again by replay


def test_a_constant_many_statements_read_re_runs_each_of_them(base):
    after, replayed = step(base, replaced(SCRIPT, "FEATURES = 20", "FEATURES = 21"))
    assert replayed < statements(after) // 2


def test_an_edit_that_mutates_another_statements_object_re_runs_its_maker(base):
    """`registry.append(model_b)` instead of model_a: the list's maker runs again, and so on."""
    step(base, replaced(SCRIPT, "registry.append(model_a)", "registry.append(model_b)"))


def test_an_edit_that_compiles_another_model_starts_over(base):
    """model_b.compile → model_a.compile: a statement that runs reaches a replayed model; from scratch."""
    text = replaced(
        SCRIPT,
        'model_b.compile(optimizer="adam", loss="sparse',
        'model_a.compile(optimizer="adam", loss="sparse',
    )
    after, replayed = step(base, text)
    assert replayed == 0
    assert len(after.facts.models[0].compiles) == 2


def test_a_closure_the_uncalled_functions_run_is_not_applied_twice(base):
    """Without `adder()`, the nested `add` is run as an uncalled function, adding a layer to model_c
    through its closure: an edit elsewhere must not replay model_c and then add the layer again."""
    text = replaced(SCRIPT, "adder()\n", "adder  \n")
    first, _ = step(base, text)
    second, replayed = step(first, replaced(text, "LEARNING_RATE = 1e-3", "LEARNING_RATE = 1e-4"))
    assert replayed > 0
    model_c = next(model for model in second.facts.models if model.name == "model")
    assert [layer.kind for layer in model_c.layers[1:]] == ["Dense", "Dense"]


def test_a_new_binding_above_a_replayed_reader_starts_over(base):
    """`print(...)` becomes `x_b = ...` on the same line: model_c's fit below had read the old x_b."""
    text = replaced(SCRIPT, 'print("placeholder")', "x_b = np.random.rand(300, 9)")
    after, replayed = step(base, text)
    assert replayed == 0
    assert "KLS506" not in [d.code for d in base.diagnostics]
    assert "KLS506" in [d.code for d in after.diagnostics]  # model_c's fit now reads 9 features, not 20


def test_a_new_binding_runs_the_later_statements_that_read_the_name_again():
    """`print(...)` becomes `N = 6`: the model below (it reads N) and its fit run again; the
    statements above are replayed. (Had the fit read an object of a statement above, the analysis
    would start over, as in the test before.)"""
    text = textwrap.dedent(
        """
        import numpy as np
        from tensorflow import keras
        from tensorflow.keras import layers

        N = 8
        print("placeholder")
        model = keras.Sequential([keras.Input(shape=(N,)), layers.Dense(1)])
        model.fit(np.random.rand(100, 8), np.random.rand(100))
        """
    ).lstrip("\n")
    before = analyze(text)
    after, replayed = step(before, replaced(text, 'print("placeholder")', "N = 6"))
    assert replayed == 4  # the imports and the first N
    assert "KLS506" in [d.code for d in after.diagnostics] and "KLS506" not in [d.code for d in before.diagnostics]


def test_lines_typed_above_move_the_statements_below_without_running_them(base):
    """A line typed near the top shifts every statement below: they keep their chunks, are replayed,
    and are reported at their new lines."""
    after, replayed = step(base, replaced(SCRIPT, "FEATURES = 20\n", "FEATURES = 20\nDEBUG = False\n"))
    assert replayed >= statements(after) - 2
    assert [line + 1 for line in lines_of(base, "KLS101")] == lines_of(after, "KLS101")
    again, replayed = step(after, SCRIPT)
    assert replayed >= statements(again) - 2
    assert findings(again) == findings(base)


def test_class_folders_that_change_on_disk_re_run_the_pipeline(base):
    """The same text, three class folders instead of six: the generator's statement asks again."""
    after, replayed = step(base, SCRIPT, folders={"data/train": ["a", "b", "c"]})
    assert 0 < replayed < statements(after)
    assert findings(after) != findings(base)


def test_an_imported_module_that_changed_re_runs_the_import():
    text = "from config import NUM_CLASSES\nfrom tensorflow import keras\n" + textwrap.dedent(
        """
        model = keras.Sequential([keras.layers.Dense(NUM_CLASSES, activation="softmax")])
        model.compile(loss="binary_crossentropy", metrics=["accuracy"])
        """
    )
    before = analyze(text, host=FakeHost(modules={"config.py": "NUM_CLASSES = 1\n"}))
    host = FakeHost(modules={"config.py": "NUM_CLASSES = 10\n"})
    after = analyze(text, host=host, previous=before)
    assert findings(after) == findings(analyze(text, host=FakeHost(modules={"config.py": "NUM_CLASSES = 10\n"})))
    assert findings(after) != findings(before)


MODELS = (
    "from config import N\nfrom tensorflow import keras\n\n\n"
    "def build():\n    return keras.Sequential([keras.layers.Dense(N, activation='softmax')])\n"
)
TRAIN = textwrap.dedent(
    """
    import numpy as np
    from tensorflow import keras
    from models import build

    m = build()
    m.compile(loss="categorical_crossentropy")
    m.fit(np.random.rand(10, 4), keras.utils.to_categorical(np.random.randint(0, 5, size=(10,)), 5))
    """
).lstrip("\n")


@pytest.mark.parametrize("incremental", [False, True])
def test_a_module_an_imported_module_imports_is_followed_when_it_changes(incremental):
    """train.py imports models.py, which imports config.py: config's N decides the head. Editing only
    config.py must change what train.py shows (the summary of models.py read the old N)."""
    first = analyze(TRAIN, host=FakeHost(modules={"models.py": MODELS, "config.py": "N = 3\n"}))
    assert "KLS101" in [d.code for d in first.diagnostics]
    host = FakeHost(modules={"models.py": MODELS, "config.py": "N = 5\n"})
    second = analyze(TRAIN, host=host, previous=first if incremental else None)
    assert "KLS101" not in [d.code for d in second.diagnostics]
    third = analyze(
        TRAIN,
        host=FakeHost(modules={"models.py": MODELS, "config.py": "N = 3\n"}),
        previous=second if incremental else None,
    )
    assert "KLS101" in [d.code for d in third.diagnostics]


def test_a_deleted_name_is_deleted_again_on_replay(base):
    after, _ = step(base, replaced(SCRIPT, "model_d.fit(gen, epochs=2)", "model_d.fit(gen, epochs=5)"))
    assert "x_a" not in after.facts.names


def test_a_chain_of_edits_keeps_matching_a_fresh_analysis(base):
    text, previous = SCRIPT, base
    for old, new in [
        ("LEARNING_RATE = 1e-3", "LEARNING_RATE = 1e-4"),
        ("layers.Dense(1)])", "layers.Dense(5)])"),
        ("build(7)", "build(3)"),
        ("del x_a", "del x_b"),
        ("registry = []", "registry = [model_b] if False else []"),
        ("layers.Dense(5)])", "layers.Dense(5, activation='softmax')])"),
    ]:
        text = replaced(text, old, new)
        previous, _ = step(previous, text)


LOOPS = textwrap.dedent(
    """
    import sys
    import numpy as np
    from tensorflow import keras
    from tensorflow.keras import layers

    x_a = np.random.rand(100, 8)
    y_a = np.random.randint(0, 3, size=(100,))
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    for units in [4, 8]:
        model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(units, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy")
        model.fit(x_a, y_a)
    if len(sys.argv) > 1:
        x_a = np.random.rand(100, 4)
    else:
        print(x_a.shape)
    """
).lstrip("\n")


def test_a_statement_reading_its_own_new_binding_does_not_start_over():
    """The loop rebinds `model` and reads it back: that is its own object, not the replayed one above."""
    before = analyze(LOOPS)
    after, replayed = step(before, replaced(LOOPS, "[4, 8]", "[4, 9]"))
    assert replayed > 0


def test_a_read_in_one_branch_of_a_name_another_branch_rebinds_is_followed():
    """The else branch reads the x_a from before the `if` (the if branch rebinds it, and which runs is
    unknown): an edit of that x_a must run the `if` again."""
    before = analyze(LOOPS)
    after, replayed = step(before, replaced(LOOPS, "rand(100, 8)", "rand(100, 7)"))
    if_statement = len(after.facts.journal.records) - 1
    assert after.facts.journal.records[if_statement] is not before.facts.journal.records[if_statement]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=1, max_size=8))
def test_random_edits_of_the_experiments_match_a_fresh_analysis(operations):
    text = SCRIPT
    previous = analyze(text, host=FakeHost(FOLDERS))
    for operation in operations:
        text = edit(text, operation)
        previous, _ = step(previous, text)


# -- through the real server ------------------------------------------------------------------


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client, {"debounce": 0})
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="module")
async def test_the_server_publishes_what_a_fresh_analysis_finds_edit_after_edit(client: LanguageClient, tmp_path):
    """Edits in different experiments, one that makes statements share a model, one that undoes it."""
    path, train = tmp_path / "experiments.py", tmp_path / "data" / "train"
    for folder in FOLDERS["data/train"]:
        (train / folder).mkdir(parents=True)
    text = SCRIPT.replace('"data/train"', repr(str(train)))
    host = FakeHost({str(train): FOLDERS["data/train"]})
    uri = open_document(client, path, text)
    await published(client, uri, 1)
    edits = [
        ("randint(0, 3, size=(300,))", "randint(0, 4, size=(300,))"),
        ('model_b.compile(optimizer="adam", loss="sparse', 'model_a.compile(optimizer="adam", loss="sparse'),
        ('model_a.compile(optimizer="adam", loss="sparse', 'model_b.compile(optimizer="adam", loss="sparse'),
        ("layers.Dense(1)])", "layers.Dense(5)])"),
    ]
    for version, (old, new) in enumerate(edits, start=2):
        offset = text.index(old)
        line = text.count("\n", 0, offset)
        column = offset - (text.rfind("\n", 0, offset) + 1)
        change(client, uri, version, (line, column), (line, column + len(old)), new)
        text = replaced(text, old, new)
        shown = await published(client, uri, version)
        fresh = analyze(text, host=host)
        assert [(d.code, d.range.start.line, d.range.start.character) for d in shown] == [
            (d.code, d.span.start.line, d.span.start.column) for d in fresh.diagnostics
        ]
        assert [d.message.split("\n")[0] for d in shown] == [d.message.split("\n")[0] for d in fresh.diagnostics]
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
