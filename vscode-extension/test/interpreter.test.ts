// Interpreter discovery order: kerasls.interpreter > the Python extension's selected interpreter > python3;
// kerasls.interpreter as a list or a string; kerasls.path.
import { state, reset } from './vscode-mock';
import assert = require('node:assert/strict');
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import { beforeEach, describe, it } from 'node:test';
import { commandFromSetting, expandVariables, findInterpreter, findKeraslsPath, interpreterIsConfigured, resolveExecutable, shellJoin } from '../src/interpreter';

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
        state.settings.interpreter = ['/opt/venv/bin/python'];
        const calls = fakePythonExtension('/usr/bin/python3.12');
        assert.deepEqual(await findInterpreter(fileUri), { command: ['/opt/venv/bin/python'], source: 'setting' });
        assert.equal(calls.activeFor.length, 0, 'the Python extension is not asked');
        assert.deepEqual(state.configurationCalls[0], { section: 'kerasls', resource: fileUri });
    });

    it("uses the Python extension's interpreter for the resource when the setting is empty", async () => {
        state.settings.interpreter = '  ';
        const calls = fakePythonExtension('/home/me/.venv/bin/python');
        assert.deepEqual(await findInterpreter(fileUri), { command: ['/home/me/.venv/bin/python'], source: 'python-extension' });
        assert.deepEqual(calls.activeFor, [fileUri]);
    });

    it('activates the Python extension when it is installed but not active yet', async () => {
        const calls = fakePythonExtension('/usr/bin/python3.11', { active: false });
        assert.deepEqual((await findInterpreter(fileUri)).command, ['/usr/bin/python3.11']);
        assert.equal(calls.activated, 1);
    });

    it('falls back to python3 without the Python extension', async () => {
        assert.deepEqual(await findInterpreter(fileUri), { command: ['python3'], source: 'default' });
    });

    it('falls back to python3 when the Python extension resolves no executable', async () => {
        fakePythonExtension(undefined);
        assert.deepEqual(await findInterpreter(fileUri), { command: ['python3'], source: 'default' });
    });

    it('falls back to python3 and logs when the Python extension API fails', async () => {
        fakePythonExtension('/x/python', { fail: true });
        const logged: string[] = [];
        assert.deepEqual(await findInterpreter(fileUri, (m) => logged.push(m)), { command: ['python3'], source: 'default' });
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

describe('kerasls.interpreter as a list or a string', () => {
    beforeEach(() => {
        reset();
        state.folders = [{ uri: folderUri }];
    });

    it('takes a list: the executable with ${workspaceFolder} expanded, then arguments before -m kerasls', async () => {
        state.settings.interpreter = ['${workspaceFolder}/.venv/bin/python'];
        assert.deepEqual(await findInterpreter(fileUri), { command: ['/work/project/.venv/bin/python'], source: 'setting' });
        state.settings.interpreter = ['conda', 'run', '-n', '${workspaceFolder}', 'python'];
        assert.deepEqual((await findInterpreter(fileUri)).command, ['conda', 'run', '-n', '/work/project', 'python']);
    });

    it('still takes a plain string (the older form) as one executable, spaces and all', async () => {
        state.settings.interpreter = '~/My Envs/ml/bin/python';
        assert.deepEqual(await findInterpreter(fileUri), { command: [`${os.homedir()}/My Envs/ml/bin/python`], source: 'setting' });
    });

    it('treats [], [""], "" and values of other types as not set', async () => {
        for (const value of [[], [''], ['  ', 'x'], '', 42, null]) {
            state.settings.interpreter = value;
            assert.equal(commandFromSetting(value, fileUri), undefined, JSON.stringify(value));
            assert.equal(interpreterIsConfigured(fileUri), false);
            assert.deepEqual(await findInterpreter(fileUri), { command: ['python3'], source: 'default' });
        }
        state.settings.interpreter = ['python3.12'];
        assert.equal(interpreterIsConfigured(fileUri), true);
    });

    it('shows commands as a shell would take them', () => {
        assert.equal(shellJoin(['/opt/my env/bin/python', '-m', 'pip', 'install', "/x/it's.whl"]), `'/opt/my env/bin/python' -m pip install '/x/it'\\''s.whl'`);
    });
});

describe('kerasls.path', () => {
    let bin: string;
    beforeEach(() => {
        reset();
        bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kerasls-path-'));
        state.folders = [{ uri: { fsPath: bin } }];
    });

    function executable(name: string, mode = 0o755): string {
        const file = path.join(bin, name);
        fs.writeFileSync(file, '#!/bin/sh\n');
        fs.chmodSync(file, mode);
        return file;
    }

    it('is not used when empty', () => {
        assert.deepEqual(findKeraslsPath(undefined), { candidates: [], executable: undefined });
        state.settings.path = [];
        assert.deepEqual(findKeraslsPath(undefined), { candidates: [], executable: undefined });
    });

    it('picks the first entry that is an executable file, ${workspaceFolder} expanded', () => {
        const found = executable('kerasls');
        executable('not-executable', 0o644);
        state.settings.path = ['${workspaceFolder}/missing/kerasls', '${workspaceFolder}/not-executable', '${workspaceFolder}/kerasls', '/usr/bin/env'];
        const result = findKeraslsPath({ fsPath: path.join(bin, 'x.py') } as never);
        assert.equal(result.executable, found);
        assert.deepEqual(result.candidates[0], path.join(bin, 'missing', 'kerasls'));
    });

    it('says so when none exists', () => {
        state.settings.path = ['/nowhere/kerasls'];
        assert.deepEqual(findKeraslsPath(undefined), { candidates: ['/nowhere/kerasls'], executable: undefined });
    });

    it('looks a bare name up on PATH', () => {
        const found = executable('kerasls-test-tool');
        assert.equal(resolveExecutable('kerasls-test-tool', { PATH: `/nowhere${path.delimiter}${bin}` }), found);
        assert.equal(resolveExecutable('kerasls-test-tool', { PATH: '/nowhere' }), undefined);
        assert.equal(resolveExecutable(bin), undefined, 'a folder is no executable');
    });
});
