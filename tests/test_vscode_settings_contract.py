"""The VS Code extension's settings meet the server's: what the extension sends at start is accepted.

Builds the initializationOptions from every `kerasls.*` default in vscode-extension/package.json the way
vscode-extension/src/settings.ts does (the prefix dropped, CLIENT_ONLY_SETTINGS left out: that list is read
from settings.ts itself) and checks that `kerasls.server_settings.parse` accepts them and that the defaults
agree on both sides. Plain pytest, no Node.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from kerasls.lsp.settings import ServerSettings, parse

EXTENSION = Path(__file__).resolve().parents[1] / "vscode-extension"
PROPERTIES = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))["contributes"]["configuration"][
    "properties"
]


def _client_only_settings() -> list[str]:
    source = (EXTENSION / "src" / "settings.ts").read_text(encoding="utf-8")
    match = re.search(r"export const CLIENT_ONLY_SETTINGS = \[([^\]]*)\]", source)
    assert match, "src/settings.ts no longer declares CLIENT_ONLY_SETTINGS = [...] on one line"
    return re.findall(r"'([^']+)'", match.group(1))


CLIENT_ONLY = _client_only_settings()
DEFAULTS = {key.removeprefix("kerasls."): prop["default"] for key, prop in PROPERTIES.items()}
INITIALIZATION_OPTIONS = {key: value for key, value in DEFAULTS.items() if key not in CLIENT_ONLY}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value):
    """Tuples as lists, mappings as dicts: JSON's view of a value."""
    return json.loads(json.dumps(value, default=dict))


def test_client_only_settings_are_declared():
    assert set(CLIENT_ONLY) == {"interpreter", "path", "serverArgs", "trace.server"}
    assert set(CLIENT_ONLY) <= set(DEFAULTS)


def test_server_ignores_the_client_only_settings_in_a_whole_section():
    """`workspace/configuration` for section kerasls gives the whole section, client-only settings included."""
    section = dict(INITIALIZATION_OPTIONS)
    for key in CLIENT_ONLY:
        head, _, tail = key.partition(".")
        if tail:
            section.setdefault(head, {})[tail] = DEFAULTS[key]
        else:
            section[key] = DEFAULTS[key]
    section.update(interpreter=["/venv/bin/python"], path=["/venv/bin/kerasls"])
    assert parse(section) == ServerSettings()
    assert parse({**INITIALIZATION_OPTIONS, "interpreter": "/venv/bin/python"}) == ServerSettings()


def test_settings_that_choose_what_runs_are_lists_and_restricted():
    """kerasls.interpreter: a list of strings (a plain string still accepted); kerasls.path: a list. Both,
    like serverArgs, are ignored from an untrusted workspace."""
    interpreter, path = PROPERTIES["kerasls.interpreter"], PROPERTIES["kerasls.path"]
    assert interpreter["type"] == ["array", "string"] and interpreter["items"] == {"type": "string"}
    assert path["type"] == "array" and path["items"] == {"type": "string"}
    assert interpreter["default"] == path["default"] == []
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    restricted = manifest["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert set(restricted) == {"kerasls.interpreter", "kerasls.path", "kerasls.serverArgs"}


def test_every_setting_is_described():
    for key, prop in PROPERTIES.items():
        assert "default" in prop and prop.get("scope") and prop.get("markdownDescription"), key
        for with_enum in (prop, prop.get("additionalProperties", {})):
            if "enum" in with_enum:
                assert len(with_enum.get("enumDescriptions", [])) == len(with_enum["enum"]), key


def test_every_server_setting_has_a_field():
    fields = {field.name for field in dataclasses.fields(ServerSettings)}
    assert {_snake(key) for key in INITIALIZATION_OPTIONS} == fields


def test_server_accepts_the_default_initialization_options():
    assert parse(INITIALIZATION_OPTIONS) == ServerSettings()


@pytest.mark.parametrize("key", sorted(INITIALIZATION_OPTIONS))
def test_package_json_default_equals_the_server_default(key):
    assert _plain(getattr(ServerSettings(), _snake(key))) == DEFAULTS[key]


@pytest.mark.parametrize(
    "key, value",
    [("run", value) for value in PROPERTIES["kerasls.run"]["enum"]]
    + [("severity", {"KLS401": level}) for level in PROPERTIES["kerasls.severity"]["additionalProperties"]["enum"]],
)
def test_server_accepts_every_enum_value(key, value):
    settings = parse({**INITIALIZATION_OPTIONS, key: value})
    assert _plain(getattr(settings, _snake(key))) == value


def test_server_rejects_an_unknown_setting():
    with pytest.raises(ValueError):
        parse({**INITIALIZATION_OPTIONS, "noSuchSetting": True})


def test_server_rejects_a_bad_value():
    with pytest.raises(ValueError):
        parse({**INITIALIZATION_OPTIONS, "run": "never"})
