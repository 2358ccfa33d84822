"""Initialization, settings from the editor, watched pyproject files, and exit."""

from __future__ import annotations

import logging
import os
import sys

from lsprotocol import types

from .session import KerasLanguageServer
from .settings import ServerSettings, parse

log = logging.getLogger("kerasls")


def initialize(ls: KerasLanguageServer, params: types.InitializeParams) -> None:
    try:
        ls.init_settings = ls.settings = parse(params.initialization_options)
    except ValueError as error:
        ls.init_settings = ls.settings = ServerSettings()
        log.error("initializationOptions: %s", error)
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=f"kerasls settings: {error}")
        )
        return
    if ls.handover is not None and ls.handover.settings is not None:
        # The start-up reader already asked for the editor's configuration: start from the answer
        # (`initialized` asks again; a different answer rechecks).
        ls.settings = ls.handover.settings


async def initialized(ls: KerasLanguageServer, params: types.InitializedParams) -> None:
    caps = ls.client_capabilities
    watch = caps.workspace and caps.workspace.did_change_watched_files
    if watch and watch.dynamic_registration:
        try:
            await ls.client_register_capability_async(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="kerasls-pyproject",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[
                                    types.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                                    types.FileSystemWatcher(glob_pattern="**/*.py"),  # the project's modules
                                ]
                            ),
                        )
                    ]
                )
            )
        except Exception as error:  # the client claimed support but refused: pyproject edits apply on the next check
            log.warning("could not watch pyproject.toml files: %s", error)
    try:
        await pull_configuration(ls)
    finally:
        ls.configured.set()


async def pull_configuration(ls: KerasLanguageServer) -> None:
    caps = ls.client_capabilities
    if not (caps.workspace and caps.workspace.configuration):
        return
    try:
        result = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="kerasls")])
        )
    except Exception as error:  # a client that cannot answer keeps the settings it gave at start
        log.warning("workspace/configuration failed: %s", error)
        return
    section = result[0] if result else None
    if section:
        apply_section(ls, section)


async def did_change_configuration(ls: KerasLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    section = params.settings.get("kerasls") if isinstance(params.settings, dict) else None
    if not section:
        await pull_configuration(ls)  # the client only says something changed: ask (it rechecks if so)
        return
    apply_section(ls, section)


def apply_section(ls: KerasLanguageServer, section) -> None:
    """The editor's `kerasls` section over the start-up options; open documents rechecked if it changes them."""
    try:
        settings = parse(section, ls.init_settings)
    except ValueError as error:
        ls.tell(f"kerasls settings: {error}", types.MessageType.Error)
        return
    if settings != ls.settings:
        ls.settings = settings
        ls.recheck_all()


def did_change_watched_files(ls: KerasLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(change.uri.endswith("pyproject.toml") for change in params.changes):
        ls.forget_project_settings()
        ls.recheck_all()
        return
    for change in params.changes:
        if change.uri.endswith(".py") and change.uri not in ls.documents:  # an open buffer wins over the disk
            ls.recheck_dependents(change.uri)


def exit_now(ls: KerasLanguageServer, params) -> None:
    """End at once: pygls's stdin reader thread can otherwise abort the interpreter at shutdown."""
    sys.stdout.flush()
    sys.stderr.flush()
    # Private pygls API: whether `shutdown` came first decides the exit status (LSP's rule).
    os._exit(0 if ls.protocol._shutdown else 1)
