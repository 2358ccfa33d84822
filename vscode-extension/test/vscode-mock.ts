// A stand-in for the `vscode` module so that the unit tests run in plain Node. Import it before the module
// under test. Only what src/interpreter.ts and @vscode/python-extension touch is here.
import Module = require('node:module');

export interface FakeFolder {
    uri: { fsPath: string };
}

export const state = {
    /** `kerasls.*` settings, keyed without the prefix. */
    settings: {} as Record<string, unknown>,
    /** What `vscode.extensions.getExtension('ms-python.python')` returns. */
    pythonExtension: undefined as unknown,
    folders: [] as FakeFolder[],
    /** The sections `getConfiguration` was asked for, with their resource. */
    configurationCalls: [] as { section: string | undefined; resource: unknown }[],
};

export function reset(): void {
    state.settings = {};
    state.pythonExtension = undefined;
    state.folders = [];
    state.configurationCalls = [];
}

const vscode = {
    workspace: {
        getConfiguration(section?: string, resource?: unknown) {
            state.configurationCalls.push({ section, resource });
            return {
                get<T>(key: string, defaultValue?: T): T | undefined {
                    return key in state.settings ? (state.settings[key] as T) : defaultValue;
                },
            };
        },
        getWorkspaceFolder(uri: { fsPath: string }) {
            return state.folders.find((folder) => uri.fsPath.startsWith(folder.uri.fsPath));
        },
        get workspaceFolders() {
            return state.folders.length ? state.folders : undefined;
        },
    },
    extensions: {
        getExtension(id: string) {
            return id === 'ms-python.python' ? state.pythonExtension : undefined;
        },
    },
};

// Resolve `require('vscode')` to the object above.
const moduleInternals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolveFilename = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode } as unknown as NodeJS.Module;
