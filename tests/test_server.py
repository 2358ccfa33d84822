"""The real language server over stdio, driven by pytest-lsp (TensorFlow imports are poisoned)."""

from __future__ import annotations

import asyncio
import sys

import pytest
import pytest_lsp
from helpers import REPO
from lsp_client import SEED, apply, change, edits_of, initialize, open_document, published, server_config
from lsprotocol import types
from pytest_lsp import LanguageClient

SEED_TEXT = SEED.read_text()
SEED_LINES = SEED_TEXT.splitlines()
DENSE_LINE = next(i for i, line in enumerate(SEED_LINES) if line.strip().startswith("Dense(1)"))
LOSS_LINE = next(i for i, line in enumerate(SEED_LINES) if "loss=" in line)
METRIC_LINE = next(i for i, line in enumerate(SEED_LINES) if "metrics=" in line)
FIT_LINE = next(i for i, line in enumerate(SEED_LINES) if "model.fit(" in line)
pytestmark = pytest.mark.asyncio(loop_scope="module")
# Width, loss and metric problems, and two notes (Dense after Flatten, ImageDataGenerator).
SEED_CODES = {"KLS101", "KLS201", "KLS401", "KLS505", "KLS603"}  # one event loop for the shared server and the tests

FLOW_LINE = next(i for i, line in enumerate(SEED_LINES) if "train_image_generator.flow_from_directory" in line)


@pytest_lsp.fixture(config=server_config(), scope="module")
async def client(lsp_client: LanguageClient):
    await initialize(lsp_client, {"debounce": 50})
    yield
    await lsp_client.shutdown_session()


def serious(items: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in items if d.severity <= types.DiagnosticSeverity.Warning]


async def open_seed(client: LanguageClient, name: str, text: str = SEED_TEXT) -> str:
    """Open the seed under a fresh name in the examples folder (so its 42 class folders count)."""
    uri = open_document(client, REPO / "examples" / name, text=text)
    return uri


async def test_open_seed_publishes_the_three_findings(client: LanguageClient):
    uri = await open_seed(client, "open_seed.py")
    items = await published(client, uri, 1)
    by_code = {d.code: d for d in items}
    assert set(by_code) == SEED_CODES
    assert by_code["KLS505"].severity == types.DiagnosticSeverity.Information
    assert by_code["KLS101"].range.start.line == DENSE_LINE
    assert by_code["KLS201"].range.start.line == LOSS_LINE
    assert by_code["KLS401"].range.start.line == METRIC_LINE
    for d in items:
        assert d.source == "kerasls"
        assert d.code_description.href.endswith(f"#{d.code.lower()}")
        assert d.data["version"] == 1
        assert d.data["fixes"] or d.code == "KLS603"  # a deprecation note without a mechanical fix
    assert by_code["KLS101"].severity == types.DiagnosticSeverity.Error
    assert by_code["KLS401"].severity == types.DiagnosticSeverity.Warning
    assert "41/42 = 0.9762" in by_code["KLS401"].message
    related = {(r.location.range.start.line, r.message.split(":")[0]) for r in by_code["KLS101"].related_information}
    assert (FLOW_LINE, "labels") in related
    assert (LOSS_LINE, "loss") in related
    assert (FIT_LINE, "the model is trained on these labels here") in related
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def test_preferred_quick_fixes_clear_the_findings(client: LanguageClient):
    uri = await open_seed(client, "quick_fix.py")
    text, version = SEED_TEXT, 1
    items = serious(await published(client, uri, version))
    while items:
        diagnostic = items[0]
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]),
            )
        )
        preferred = [a for a in actions if a.is_preferred]
        assert len(preferred) == 1, [a.title for a in actions]
        assert any(a.title == f"Ignore {diagnostic.code} on this line" for a in actions)
        edits = edits_of(preferred[0], uri)
        assert preferred[0].edit.document_changes[0].text_document.version == version
        for edit in edits:
            version += 1
            change(
                client,
                uri,
                version,
                (edit.range.start.line, edit.range.start.character),
                (edit.range.end.line, edit.range.end.character),
                edit.new_text,
            )
        text = apply(text, edits)
        items = serious(await published(client, uri, version))
    # Widening the output is enough: 42 logits with per-class binary crossentropy is a valid setup,
    # and 'accuracy' then resolves to categorical accuracy.
    assert "Dense(train_data_gen.num_classes),  # one score per image" in text


async def test_fix_all_source_action(client: LanguageClient):
    uri = await open_seed(client, "fix_all.py")
    await published(client, uri, 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.kerasls"]),
        )
    )
    assert [a.kind for a in actions] == ["source.fixAll.kerasls"]
    fixed = apply(SEED_TEXT, edits_of(actions[0], uri))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    assert [d.code for d in await published(client, uri, 2)] == ["KLS603", "KLS505"]  # notes without safe fixes


async def test_ignore_action_inserts_a_suppression_comment(client: LanguageClient):
    uri = await open_seed(client, "ignore.py")
    items = await published(client, uri, 1)
    target = next(d for d in items if d.code == "KLS101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target]),
        )
    )
    ignore = next(a for a in actions if a.title == "Ignore KLS101 on this line")
    text = apply(SEED_TEXT, edits_of(ignore, uri))
    assert text.splitlines()[DENSE_LINE].endswith("# one score per image  # kerasls: ignore[KLS101]")
    edit = edits_of(ignore, uri)[0]
    change(
        client,
        uri,
        2,
        (edit.range.start.line, edit.range.start.character),
        (edit.range.end.line, edit.range.end.character),
        edit.new_text,
    )
    assert {d.code for d in await published(client, uri, 2)} == {"KLS201", "KLS401", "KLS505", "KLS603"}


async def test_typing_a_broken_line_keeps_findings_above_and_adds_a_syntax_error(client: LanguageClient):
    uri = await open_seed(client, "typing.py")
    await published(client, uri, 1)
    end = len(SEED_LINES)
    change(client, uri, 2, (end, 0), (end, 0), "model.evaluate(val_data_gen,\n")
    items = await published(client, uri, 2)
    codes = [d.code for d in items]
    assert sorted(codes) == sorted(["KLS001", *SEED_CODES])
    syntax = next(d for d in items if d.code == "KLS001")
    assert syntax.range.start.line >= end - 1 and "never closed" in syntax.message
    assert next(d for d in items if d.code == "KLS101").range.start.line == DENSE_LINE
    change(client, uri, 3, (end, len("model.evaluate(val_data_gen,")), (end, len("model.evaluate(val_data_gen,")), ")")
    assert sorted(d.code for d in await published(client, uri, 3)) == sorted(SEED_CODES)


async def test_clients_sending_the_whole_text_keep_the_findings_above_an_unfinished_line(client: LanguageClient):
    """Some clients send the full text in didChange even under incremental sync."""
    uri = await open_seed(client, "whole_text.py")
    await published(client, uri, 1)
    typed = SEED_TEXT + "history = model.fit(train_data_gen,\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed)],
        )
    )
    items = await published(client, uri, 2)
    assert sorted(d.code for d in items) == sorted(["KLS001", *SEED_CODES])
    assert next(d for d in items if d.code == "KLS101").range.start.line == DENSE_LINE
    moved = "# a comment line typed at the top\n" + typed  # the whole text again, one line longer above
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=moved)],
        )
    )
    items = await published(client, uri, 3)
    assert next(d for d in items if d.code == "KLS101").range.start.line == DENSE_LINE + 1


async def test_findings_move_with_lines_inserted_above_while_broken(client: LanguageClient):
    uri = await open_seed(client, "moving.py")
    await published(client, uri, 1)
    end = len(SEED_LINES)
    change(client, uri, 2, (end, 0), (end, 0), "x = (\n")
    await published(client, uri, 2)
    change(client, uri, 3, (0, 0), (0, 0), "# a comment\n# another\n")
    items = await published(client, uri, 3)
    assert next(d for d in items if d.code == "KLS101").range.start.line == DENSE_LINE + 2


async def test_close_clears_diagnostics(client: LanguageClient):
    uri = await open_seed(client, "closing.py")
    await published(client, uri, 1)
    before = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await published(client, uri, None, after=before) == []


async def test_hover_explains_what_was_inferred(client: LanguageClient):
    uri = await open_seed(client, "hover.py")
    await published(client, uri, 1)

    async def hover(line: int, text: str):
        column = SEED_LINES[line].index(text)
        return await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line, column + 1),
            )
        )

    metric = await hover(METRIC_LINE, '"accuracy"')
    assert "resolves to `binary_accuracy`" in metric.contents.value and "41/42" in metric.contents.value
    labels = await hover(FLOW_LINE + 2, "directory")
    assert "one-hot" in labels.contents.value and "42 classes" in labels.contents.value
    head = await hover(DENSE_LINE, "Dense")
    assert "final layer" in head.contents.value and "1 value" in head.contents.value
    assert await hover(0, '"""') is None


async def test_unopened_document_and_out_of_range_positions_get_protocol_errors(client: LanguageClient):
    with pytest.raises(Exception) as error:
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=(REPO / "never_opened.py").as_uri()),
                position=types.Position(0, 0),
            )
        )
    assert "not open" in str(error.value)
    uri = await open_seed(client, "ranges.py")
    await published(client, uri, 1)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(10_000, 500),
        )
    )
    assert result is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(9_999, 0), end=types.Position(10_000, 3)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions


async def test_unknown_methods_keep_the_server_alive(client: LanguageClient):
    with pytest.raises(Exception):  # noqa: B017  (pygls turns the error response into some exception)
        await client.protocol.send_request_async("kerasls/doesNotExist", {"x": 1})
    uri = await open_seed(client, "alive.py")
    assert len(await published(client, uri, 1)) == len(SEED_CODES)


# -- separate servers: settings, encodings, faults ----------------------------------------
@pytest_lsp.fixture(config=server_config(), loop_scope="module")
async def fresh(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def test_pull_diagnostics(fresh: LanguageClient):
    await initialize(fresh, {"debounce": 0})
    uri = await open_seed(fresh, "pulled.py")
    await published(fresh, uri, 1)
    report = await fresh.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
        )
    )
    assert {d.code for d in report.items} == SEED_CODES
    assert report.result_id == "1"


async def test_run_on_save_waits_for_save(fresh: LanguageClient):
    await initialize(fresh, {"run": "onSave", "debounce": 0})
    uri = await open_seed(fresh, "on_save.py")
    assert len(await published(fresh, uri, 1)) == len(SEED_CODES)
    line = SEED_LINES[DENSE_LINE]
    column = line.index("Dense(1)") + len("Dense(")
    change(fresh, uri, 2, (DENSE_LINE, column), (DENSE_LINE, column + 1), "train_data_gen.num_classes")
    with pytest.raises(TimeoutError):
        await published(fresh, uri, 2, timeout=1.5)
    fresh.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    # The width fix resolves all three; 42 logits into binary crossentropy is then the multi-label setup.
    assert {d.code for d in await published(fresh, uri, 2)} == {"KLS207", "KLS505", "KLS603"}


async def test_settings_change_severity_and_selection(fresh: LanguageClient):
    await initialize(fresh, {"debounce": 0, "severity": {"KLS401": "hint"}, "ignore": ["KLS201"]})
    uri = await open_seed(fresh, "settings.py")
    items = {d.code: d for d in await published(fresh, uri, 1)}
    assert set(items) == SEED_CODES - {"KLS201"}
    assert items["KLS401"].severity == types.DiagnosticSeverity.Hint
    before = len(fresh.published)
    fresh.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"kerasls": {"select": ["KLS2"], "ignore": [], "severity": {"KLS201": "warning"}}},
        )
    )
    items = {d.code: d for d in await published(fresh, uri, 1, after=before)}
    assert set(items) == {"KLS201"} and items["KLS201"].severity == types.DiagnosticSeverity.Warning


async def test_workspace_configuration_is_pulled(fresh: LanguageClient):
    fresh.set_configuration({"enable": False}, section="kerasls")
    await initialize(fresh, {"debounce": 0})
    uri = await open_seed(fresh, "disabled.py")
    assert await published(fresh, uri, 1) == []


async def test_bad_settings_are_reported_not_fatal(fresh: LanguageClient):
    await initialize(fresh, {"run": "sometimes", "debounce": 0})
    uri = await open_seed(fresh, "bad_settings.py")
    assert len(await published(fresh, uri, 1)) == len(SEED_CODES)
    assert any("run must be one of" in m.message for m in fresh.messages)


@pytest.mark.parametrize("encoding, expected", [("utf-16", None), ("utf-8", None), ("utf-32", None)])
async def test_positions_in_each_encoding_with_emoji(fresh: LanguageClient, encoding, expected):
    text = SEED_TEXT.replace('metrics=["accuracy"],', 'metrics=["🌿🍂" and "accuracy"],  # 🌳 leaves')
    text = "# 🌿 leaf classifier: ünïcödé above the problem\n" + text
    result = await initialize(fresh, {"debounce": 0}, encodings=[encoding])
    assert result.capabilities.position_encoding == encoding
    uri = await open_seed(fresh, f"emoji_{encoding}.py", text=text)
    metric = next(d for d in await published(fresh, uri, 1) if d.code == "KLS401")
    line = text.splitlines()[metric.range.start.line]
    prefix = line[: line.index('"accuracy"')]
    units = {"utf-16": len(prefix.encode("utf-16-le")) // 2, "utf-8": len(prefix.encode()), "utf-32": len(prefix)}[
        encoding
    ]
    assert metric.range.start.character == units
    assert metric.range.end.character == units + {"utf-16": 10, "utf-8": 10, "utf-32": 10}[encoding]


async def test_pyproject_changes_recheck_open_documents(fresh: LanguageClient, tmp_path):
    import shutil

    shutil.copytree(REPO / "examples", tmp_path / "examples")
    await initialize(fresh, {"debounce": 0}, dynamic_watch=True)
    await asyncio.wait_for(_until(lambda: fresh.registrations), 20)
    assert fresh.registrations[0].method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    uri = open_document(fresh, tmp_path / "examples" / "leaf_species_cnn.py")
    assert len(await published(fresh, uri, 1)) == len(SEED_CODES)
    pyproject = tmp_path / "examples" / "pyproject.toml"
    pyproject.write_text('[tool.kerasls]\nignore = ["KLS4"]\n')
    before = len(fresh.published)
    fresh.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Created),
            ]
        )
    )
    assert {d.code for d in await published(fresh, uri, 1, after=before)} == SEED_CODES - {"KLS401"}


async def _until(condition):
    while not condition():
        await asyncio.sleep(0.02)


@pytest_lsp.fixture(
    config=server_config(command=[sys.executable, str(REPO / "tests" / "servers" / "faulty_rule.py"), "KLS201"]),
    loop_scope="module",
)
async def faulty(lsp_client: LanguageClient):
    await initialize(lsp_client, {"debounce": 0})
    yield
    await lsp_client.shutdown_session()


async def test_a_failing_rule_costs_only_its_own_findings(faulty: LanguageClient):
    uri = await open_seed(faulty, "faulty.py")
    assert {d.code for d in await published(faulty, uri, 1)} == SEED_CODES - {"KLS201"}
    uri2 = await open_seed(faulty, "faulty2.py")
    await published(faulty, uri2, 1)
    reports = [m for m in faulty.log_messages if "KLS201" in m.message]
    assert len(reports) == 1 and "failed" in reports[0].message


async def test_shutdown_and_exit_end_the_process_promptly():
    import time

    config = server_config()
    client = await config.start()
    await initialize(client, {"debounce": 0})
    open_document(client, SEED)
    started = time.monotonic()
    await client.shutdown_session()
    assert time.monotonic() - started < 10
    assert client._server.returncode == 0
    await client.stop()


async def test_inlay_hints_follow_the_setting(fresh: LanguageClient):
    await initialize(fresh, {"debounce": 0, "inlayHints": True})
    uri = await open_seed(fresh, "hints.py")
    await published(fresh, uri, 1)
    hints = await fresh.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(len(SEED_LINES), 0)),
        )
    )
    labels = {hint.position.line: hint.label for hint in hints}
    conv_line = next(i for i, line in enumerate(SEED_LINES) if "Conv2D(16" in line)
    assert labels[conv_line] == "→ (None, 150, 150, 16)"
    assert labels[DENSE_LINE] == "→ (None, 1)"


async def test_inlay_hints_are_off_by_default(client: LanguageClient):
    uri = await open_seed(client, "no_hints.py")
    await published(client, uri, 1)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(len(SEED_LINES), 0)),
        )
    )
    assert not hints


async def test_hover_on_the_model_shows_its_summary(client: LanguageClient):
    uri = await open_seed(client, "summary_hover.py")
    await published(client, uri, 1)
    line = next(i for i, text in enumerate(SEED_LINES) if text.startswith("model = Sequential"))
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, 2),
        )
    )
    assert "Total params: **10,641,441**" in result.contents.value
    assert "| Dense | `(None, 512)` | 10,617,344 |" in result.contents.value


async def test_hover_is_plain_text_for_a_client_that_asks_for_it(fresh: LanguageClient):
    """An editor that shows hovers verbatim (contentFormat: plaintext first) gets no Markdown marks."""
    from lsp_client import capabilities

    caps = capabilities()
    caps.text_document.hover = types.HoverClientCapabilities(
        content_format=[types.MarkupKind.PlainText, types.MarkupKind.Markdown]
    )
    await fresh.initialize_session(
        types.InitializeParams(capabilities=caps, initialization_options={"debounce": 0}, root_uri=REPO.as_uri())
    )
    uri = await open_seed(fresh, "plain_hover.py")
    await published(fresh, uri, 1)
    line = next(i for i, text in enumerate(SEED_LINES) if text.startswith("model = Sequential"))
    result = await fresh.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 2))
    )
    assert result.contents.kind == types.MarkupKind.PlainText
    assert "Total params: 10,641,441" in result.contents.value
    assert "**" not in result.contents.value and "`" not in result.contents.value and "|" not in result.contents.value
