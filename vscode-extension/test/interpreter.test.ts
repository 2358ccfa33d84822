// Interpreter discovery order: kerasls.interpreter > the Python extension's selected interpreter > python3.
import { state, reset } from './vscode-mock';
import assert = require('node:assert/strict');
import os = require('node:os');
import { beforeEach, describe, it } from 'node:test';
import { findInterpreter, expandVariables } from '../src/interpreter';

const folderUri = { fsPath: '/work/project', scheme: 'file' };
const fileUri = { fsPath: '/work/project/train.py', scheme: 'file' } as never;

/** A fake ms-python.python extension whose API returns `executable` for the active environment. */
function fakePythonExtension(executable: string | undefined, options: { active?: boolean; fail?: boolean } = {}) {
    const calls = { activated: 0, activeFor: [] as unknown[] };
    const exports = {
        environments: {
            getActiveEnvironmentPath(resource: unknown) {
                calls.activeFor.push(resource);
                if (options.fail) {
                    throw new Error('environments not ready');
                }
                return { id: 'env', path: executable ?? '/nowhere' };
            },
            async resolveEnvironment(environment: { path: string }) {
                assert.equal(environment.path, executable ?? '/nowhere');
                return executable ? { executable: { uri: { fsPath: executable } } } : undefined;
            },
        },
    };
    state.pythonExtension = {
        isActive: options.active ?? true,
        exports,
        async activate() {
            calls.activated++;
            return exports;
        },
    };
    return calls;
}

describe('findInterpreter', () => {
    beforeEach(() => {
        reset();
        state.folders = [{ uri: folderUri }];
    });

    it('prefers the kerasls.interpreter setting over the Python extension', async () => {
        state.settings.interpreter = '/opt/venv/bin/python';
        const calls = fakePythonExtension('/usr/bin/python3.12');
        assert.deepEqual(await findInterpreter(fileUri), { python: '/opt/venv/bin/python', source: 'setting' });
        assert.equal(calls.activeFor.length, 0, 'the Python extension is not asked');
        assert.deepEqual(state.configurationCalls[0], { section: 'kerasls', resource: fileUri });
    });

    it("uses the Python extension's interpreter for the resource when the setting is empty", async () => {
        state.settings.interpreter = '  ';
        const calls = fakePythonExtension('/home/me/.venv/bin/python');
        assert.deepEqual(await findInterpreter(fileUri), { python: '/home/me/.venv/bin/python', source: 'python-extension' });
        assert.deepEqual(calls.activeFor, [fileUri]);
    });

    it('activates the Python extension when it is installed but not active yet', async () => {
        const calls = fakePythonExtension('/usr/bin/python3.11', { active: false });
        assert.equal((await findInterpreter(fileUri)).python, '/usr/bin/python3.11');
        assert.equal(calls.activated, 1);
    });

    it('falls back to python3 without the Python extension', async () => {
        assert.deepEqual(await findInterpreter(fileUri), { python: 'python3', source: 'default' });
    });

    it('falls back to python3 when the Python extension resolves no executable', async () => {
        fakePythonExtension(undefined);
        assert.deepEqual(await findInterpreter(fileUri), { python: 'python3', source: 'default' });
    });

    it('falls back to python3 and logs when the Python extension API fails', async () => {
        fakePythonExtension('/x/python', { fail: true });
        const logged: string[] = [];
        assert.deepEqual(await findInterpreter(fileUri, (m) => logged.push(m)), { python: 'python3', source: 'default' });
        assert.match(logged.join('\n'), /environments not ready/);
    });
});

describe('expandVariables', () => {
    beforeEach(() => {
        reset();
        state.folders = [{ uri: folderUri }];
    });

    it('expands ${workspaceFolder}, ${userHome} and ~', () => {
        assert.equal(expandVariables('${workspaceFolder}/.venv/bin/python', fileUri), '/work/project/.venv/bin/python');
        assert.equal(expandVariables('${userHome}/py/bin/python', fileUri), `${os.homedir()}/py/bin/python`);
        assert.equal(expandVariables('~/py/bin/python', fileUri), `${os.homedir()}/py/bin/python`);
    });

    it('takes a relative path from the workspace folder and leaves command names alone', () => {
        assert.equal(expandVariables('.venv/bin/python', fileUri), '/work/project/.venv/bin/python');
        assert.equal(expandVariables('python3.12', fileUri), 'python3.12');
        assert.equal(expandVariables('/usr/bin/python3', fileUri), '/usr/bin/python3');
    });
});
