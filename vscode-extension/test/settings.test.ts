// The kerasls.* settings in package.json, and what the server receives of them.
import assert = require('node:assert/strict');
import fs = require('node:fs');
import path = require('node:path');
import { describe, it } from 'node:test';
import {
    CLIENT_ONLY_SETTINGS,
    needsRestart,
    SERVER_SETTINGS,
    serverOptions,
    serverOptionsFromObject,
} from '../src/settings';

interface Property {
    type?: string | string[];
    items?: { type?: string };
    default?: unknown;
    scope?: string;
    markdownDescription?: string;
    enum?: string[];
    enumDescriptions?: string[];
    additionalProperties?: { enum?: string[]; enumDescriptions?: string[] };
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties: Record<string, Property> = manifest.contributes.configuration.properties;
const defaults = Object.fromEntries(Object.entries(properties).map(([key, p]) => [key.replace(/^kerasls\./, ''), p.default]));

/** A `kerasls` configuration section as VS Code gives it: `get` with dotted keys. */
function section(values: Record<string, unknown>) {
    return { get: <T>(key: string) => values[key] as T | undefined };
}

describe('package.json settings', () => {
    it('declares exactly the server settings plus the client-only ones', () => {
        const declared = Object.keys(properties).sort();
        const expected = [...SERVER_SETTINGS, ...CLIENT_ONLY_SETTINGS].map((key) => `kerasls.${key}`).sort();
        assert.deepEqual(declared, expected);
    });

    it('gives every setting a default, a scope and a description, and every enum its descriptions', () => {
        for (const [key, property] of Object.entries(properties)) {
            assert.ok('default' in property, `${key} has a default`);
            assert.ok(property.scope, `${key} has a scope`);
            assert.ok(property.markdownDescription, `${key} has a markdownDescription`);
            for (const withEnum of [property, property.additionalProperties ?? {}]) {
                if (withEnum.enum) {
                    assert.equal(withEnum.enumDescriptions?.length, withEnum.enum.length, `${key} describes each enum value`);
                }
            }
        }
    });

    it('restricts the settings that choose what to execute in untrusted workspaces', () => {
        const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
        assert.deepEqual(restricted, ['kerasls.interpreter', 'kerasls.path', 'kerasls.serverArgs']);
        assert.equal(properties['kerasls.interpreter'].scope, 'machine-overridable');
        assert.equal(properties['kerasls.path'].scope, 'machine-overridable');
    });

    it('takes kerasls.interpreter as a list of strings or (the older form) a string, kerasls.path as a list', () => {
        assert.deepEqual(properties['kerasls.interpreter'].type, ['array', 'string']);
        assert.deepEqual(properties['kerasls.interpreter'].items, { type: 'string' });
        assert.equal(properties['kerasls.path'].type, 'array');
        assert.deepEqual(properties['kerasls.path'].items, { type: 'string' });
    });

    it('has an icon, and a command for every command it registers', () => {
        assert.equal(manifest.icon, 'images/icon.png');
        assert.ok(fs.existsSync(path.join(__dirname, '..', '..', manifest.icon)));
        const commands = manifest.contributes.commands.map((c: { command: string }) => c.command);
        assert.deepEqual(commands, ['kerasls.restart', 'kerasls.showOutput', 'kerasls.checkWorkspace']);
        const source = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'extension.ts'), 'utf8');
        const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
        assert.deepEqual(registered.sort(), [...commands].sort());
    });

    it('packs the bundled wheel and the icon into the .vsix', () => {
        const ignore = fs.readFileSync(path.join(__dirname, '..', '..', '.vscodeignore'), 'utf8').split('\n');
        assert.ok(ignore.includes('!bundled/kerasls-*.whl'));
        assert.ok(ignore.includes('!images/icon.png'));
        assert.match(manifest.scripts['vscode:prepublish'], /bundle-wheel/);
    });

    it('has the documented defaults', () => {
        assert.deepEqual(defaults, {
            enable: true,
            interpreter: [],
            path: [],
            serverArgs: [],
            run: 'onType',
            showSyntaxErrors: true,
            select: [],
            ignore: [],
            severity: {},
            debounce: 200,
            inlayHints: false,
            'trace.server': 'off',
        });
    });
});

describe('serverOptions', () => {
    it('maps the defaults to a flat object without the client-only settings', () => {
        assert.deepEqual(serverOptions(section(defaults)), {
            enable: true,
            run: 'onType',
            showSyntaxErrors: true,
            select: [],
            ignore: [],
            severity: {},
            debounce: 200,
            inlayHints: false,
        });
    });

    it('passes the values through as plain JSON', () => {
        const frozen = Object.freeze({ KLS401: 'error' });
        const options = serverOptions(section({ ...defaults, run: 'onSave', select: ['KLS1'], severity: frozen, debounce: 50 }));
        assert.equal(options.run, 'onSave');
        assert.deepEqual(options.select, ['KLS1']);
        assert.deepEqual(options.severity, { KLS401: 'error' });
        assert.notEqual(options.severity, frozen);
        assert.equal(options.debounce, 50);
    });

    it('drops client-only settings from a workspace/configuration answer', () => {
        const raw = { ...defaults, interpreter: ['/x/python'], path: ['/x/kerasls'], serverArgs: ['--log-level', 'debug'], trace: { server: 'verbose' } };
        delete (raw as Record<string, unknown>)['trace.server'];
        const options = serverOptionsFromObject(raw);
        assert.deepEqual(Object.keys(options ?? {}).sort(), [...SERVER_SETTINGS].sort());
        assert.equal(serverOptionsFromObject(null), null);
        assert.equal(serverOptionsFromObject(['not', 'a', 'section']), null);
    });
});

describe('needsRestart', () => {
    it('restarts for the interpreter, kerasls.path, the server arguments and enable, not for the rest', () => {
        const affects = (changed: string) => (s: string) => s === changed;
        assert.ok(needsRestart(affects('kerasls.interpreter')));
        assert.ok(needsRestart(affects('kerasls.path')));
        assert.ok(needsRestart(affects('kerasls.serverArgs')));
        assert.ok(needsRestart(affects('kerasls.enable')));
        assert.ok(!needsRestart(affects('kerasls.select')));
        assert.ok(!needsRestart(affects('kerasls.trace.server')));
    });
});
