"""Projects in the language server: a model built in models.py and fit in train.py, over stdio."""

from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsp_client import apply, edits_of, initialize, open_document, published, server_config
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

MODELS = """import keras
from keras import layers


def build_model(input_shape=(64, 64, 3)):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(8, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(1),
    ])
"""
TRAIN = """from keras.preprocessing.image import ImageDataGenerator
from models import build_model

train = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
    "data/train", target_size=(64, 64), class_mode="categorical"
)
model = build_model()
model.compile(loss="categorical_crossentropy")
model.fit(train, epochs=3)
"""
DENSE_LINE = MODELS.splitlines().index("        layers.Dense(1),")
FIT_LINE = TRAIN.splitlines().index("model.fit(train, epochs=3)")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text("[project]\nname = 'leaves'\n")
    (root / "models.py").write_text(MODELS)
    (root / "train.py").write_text(TRAIN)
    for name in ("oak", "elm", "ash"):
        (root / "data" / "train" / name).mkdir(parents=True)
    return root


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client, {"debounce": 0})
    yield
    await lsp_client.shutdown_session()


def kls101(items):
    return [d for d in items if d.code == "KLS101"]


async def test_a_model_from_another_file_is_checked_where_it_is_fit_and_where_it_is_built(client, project):
    train = open_document(client, project / "train.py")
    found = kls101(await published(client, train, 1))
    assert len(found) == 1 and found[0].range.start.line == FIT_LINE  # the fit that ties the model to its labels
    where = found[0].related_information[0].location
    assert where.uri == (project / "models.py").as_uri() and where.range.start.line == DENSE_LINE
    assert "3 class folders" in found[0].message

    models = open_document(client, project / "models.py")
    placed = kls101(await published(client, models, 1))
    assert len(placed) == 1 and placed[0].range.start.line == DENSE_LINE


async def test_the_quick_fix_edits_the_other_file_and_unsaved_edits_clear_the_finding(client, project):
    train, models = (project / "train.py").as_uri(), (project / "models.py").as_uri()
    finding = kls101(client.diagnostics[train])[0]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=train),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding], only=[types.CodeActionKind.QuickFix]),
        )
    )
    preferred = next(a for a in actions if a.is_preferred)
    edits = edits_of(preferred, models)
    assert edits and not edits_of(preferred, train)
    fixed = apply(MODELS, edits)
    assert "layers.Dense(3)" in fixed
    before = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=models, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    # train.py is analysed again with the unsaved buffer of models.py: its finding goes.
    while kls101(await published(client, train, None, after=before)):
        before = len(client.published)
    assert (project / "models.py").read_text() == MODELS  # nothing was saved


async def test_closing_falls_back_to_the_disk_and_disk_changes_are_picked_up(client, project):
    train, models = (project / "train.py").as_uri(), (project / "models.py").as_uri()
    before = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=models))
    )
    while not kls101(await published(client, train, None, after=before)):  # the disk still has Dense(1)
        before = len(client.published)
    (project / "models.py").write_text(MODELS.replace("layers.Dense(1)", "layers.Dense(3)"))
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=models, type=types.FileChangeType.Changed)])
    )
    while kls101(await published(client, train, None, after=before)):
        before = len(client.published)


async def test_extra_paths_and_per_file_ignores_from_pyproject(client, tmp_path_factory):
    root = tmp_path_factory.mktemp("configured")
    (root / "pyproject.toml").write_text(
        "[tool.kerasls]\nextra-paths = ['shared']\n[tool.kerasls.per-file-ignores]\n'drafts/*' = ['KLS101']\n"
    )
    (root / "shared").mkdir()
    (root / "shared" / "models.py").write_text(MODELS)
    for folder in ("app", "drafts"):
        (root / folder).mkdir()
        (root / folder / "train.py").write_text(TRAIN)
        for name in ("oak", "elm", "ash"):
            (root / folder / "data" / "train" / name).mkdir(parents=True)
    app = open_document(client, root / "app" / "train.py")
    found = kls101(await published(client, app, 1))  # models.py is found through extra-paths only
    assert len(found) == 1 and found[0].related_information[0].location.uri == (root / "shared" / "models.py").as_uri()
    draft = open_document(client, root / "drafts" / "train.py")
    assert kls101(await published(client, draft, 1)) == []


async def test_a_burst_of_openings_while_imports_are_analysed(client, tmp_path_factory):
    """Many files of one project opened in a row, as an editor restoring its tabs does: every one
    is analysed with the others' buffers and gets its findings."""
    root = tmp_path_factory.mktemp("burst")
    (root / "pyproject.toml").write_text("[project]\nname = 'burst'\n")
    (root / "models.py").write_text(MODELS)
    for name in ("oak", "elm", "ash"):
        (root / "data" / "train" / name).mkdir(parents=True)
    paths = [root / "models.py"]
    # Long enough that analyses are still running while the next files open.
    more = "".join(f"m{i} = keras.Sequential([keras.Input((8,)), keras.layers.Dense({i + 2})])\n" for i in range(150))
    for k in range(12):
        paths.append(root / f"train_{k}.py")
        paths[-1].write_text(TRAIN + more + f"history_{k} = model.fit(train, epochs={k + 1})\n")
    before = len(client.published)
    uris = []
    for path in paths:
        uris.append(open_document(client, path))
        await asyncio.sleep(0)  # let the server read each opening separately, as an editor restoring tabs does
    found = {uri: await published(client, uri, 1, after=before) for uri in uris}
    assert all(kls101(found[uri]) for uri in uris[1:])  # each fit ties its labels to models.py's Dense(1)
