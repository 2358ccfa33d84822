// Which Python runs the server: the `kerasls.interpreter` setting, else the interpreter the Python
// extension (ms-python.python) has selected for the workspace, else `python3`.
import * as os from 'node:os';
import * as path from 'node:path';
import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { SECTION } from './settings';

export const PYTHON_EXTENSION_ID = 'ms-python.python';
export const FALLBACK_PYTHON = 'python3';

export interface Interpreter {
    /** The executable (or command name) to run. */
    python: string;
    /** Where it came from, for the output channel and the status bar. */
    source: 'setting' | 'python-extension' | 'default';
}

export async function findInterpreter(resource: vscode.Uri | undefined, log?: (message: string) => void): Promise<Interpreter> {
    const configured = vscode.workspace.getConfiguration(SECTION, resource).get<string>('interpreter', '').trim();
    if (configured) {
        return { python: expandVariables(configured, resource), source: 'setting' };
    }
    try {
        const python = await pythonExtensionInterpreter(resource);
        if (python) {
            return { python, source: 'python-extension' };
        }
    } catch (error) {
        log?.(`Could not ask the Python extension for its interpreter: ${error}`);
    }
    return { python: FALLBACK_PYTHON, source: 'default' };
}

/** The interpreter the Python extension has selected for `resource`; undefined without that extension. */
async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
    if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
        return undefined;
    }
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(active);
    return environment?.executable.uri?.fsPath;
}

/** Calls `listener` when the Python extension's selected interpreter changes (if that extension is installed). */
export async function onDidChangePythonInterpreter(listener: () => void): Promise<vscode.Disposable | undefined> {
    if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
        return undefined;
    }
    const api = await PythonExtension.api();
    return api.environments.onDidChangeActiveEnvironmentPath(() => listener());
}

/** `${workspaceFolder}`, `${userHome}` and a leading `~` in a configured path; a relative path with a
 * slash (`.venv/bin/python`) is taken from the workspace folder. */
export function expandVariables(value: string, resource: vscode.Uri | undefined): string {
    const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
    let result = value.replace(/\$\{userHome\}/g, os.homedir());
    if (folder) {
        result = result.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
    }
    if (result === '~' || result.startsWith('~/')) {
        result = path.join(os.homedir(), result.slice(1));
    }
    if (folder && result.includes('/') && !path.isAbsolute(result)) {
        result = path.join(folder.uri.fsPath, result);
    }
    return result;
}
