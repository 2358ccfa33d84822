"""Pulled diagnostics (textDocument/diagnostic); pushed ones go out from the session after each analysis."""

from __future__ import annotations

from lsprotocol import types

from .session import KerasLanguageServer

OPTIONS = types.DiagnosticOptions(identifier="kerasls", inter_file_dependencies=False, workspace_diagnostics=False)


async def pull_diagnostics(ls: KerasLanguageServer, params: types.DocumentDiagnosticParams) -> dict:
    uri = params.text_document.uri
    ls.start_pulling()
    document = ls.require(uri)
    if ls.settings.run == "onSave" and document.items_version is not None:
        return full_report(ls.items_for(document, uri), document.items_version)
    analysed = await ls.current(document)
    if analysed is None:
        return full_report([], None)
    if document.items_key != document.key(ls.workspace):
        # Edited while this was analysed: what the last good analysis found, moved with the edits.
        stale = document.items.get(uri, []) if document.several_parts else document.carried
        return full_report(stale, None)
    part = analysed.snapshot.part_of(uri)
    version = analysed.snapshot.versions[part] if part is not None else None
    return full_report(ls.items_for(document, uri), version)


def full_report(items: list[dict], version) -> dict:
    report = {"kind": "full", "items": items}
    if version is not None:
        report["resultId"] = str(version)
    return report
