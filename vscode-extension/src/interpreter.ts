// What runs the server: the `kerasls.path` setting (a kerasls executable), else a Python interpreter: the
// `kerasls.interpreter` setting, else the interpreter the Python extension (ms-python.python) has selected
// for the workspace, else `python3`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { SECTION } from './settings';

export const PYTHON_EXTENSION_ID = 'ms-python.python';
export const FALLBACK_PYTHON = 'python3';

export interface Interpreter {
    /** The command that runs Python: the executable (or command name), then arguments that go before
     * `-m kerasls` (from a `kerasls.interpreter` such as `["conda", "run", "-n", "ml", "python"]`). */
    command: string[];
    /** Where it came from, for the output channel and the status bar. */
    source: 'setting' | 'python-extension' | 'default';
}

export async function findInterpreter(resource: vscode.Uri | undefined, log?: (message: string) => void): Promise<Interpreter> {
    const configured = commandFromSetting(vscode.workspace.getConfiguration(SECTION, resource).get<unknown>('interpreter'), resource);
    if (configured) {
        return { command: configured, source: 'setting' };
    }
    try {
        const python = await pythonExtensionInterpreter(resource);
        if (python) {
            return { command: [python], source: 'python-extension' };
        }
    } catch (error) {
        log?.(`Could not ask the Python extension for its interpreter: ${error}`);
    }
    return { command: [FALLBACK_PYTHON], source: 'default' };
}

/** Is `kerasls.interpreter` set (to a non-empty string or a list with a non-empty first element)? */
export function interpreterIsConfigured(resource: vscode.Uri | undefined): boolean {
    return commandFromSetting(vscode.workspace.getConfiguration(SECTION, resource).get<unknown>('interpreter'), resource) !== undefined;
}

/**
 * `kerasls.interpreter` as a command: a list of strings (`["/path/python"]`, as the Microsoft Python tools
 * extensions take it; more elements are arguments before `-m kerasls`), or a plain string (the older form: one
 * executable, spaces and all). Variables are expanded in every element; a relative path in the first is taken
 * from the workspace folder. Undefined when empty.
 */
export function commandFromSetting(value: unknown, resource: vscode.Uri | undefined): string[] | undefined {
    const parts = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
    const trimmed = parts.map((part) => part.trim());
    if (!trimmed.length || !trimmed[0]) {
        return undefined;
    }
    return [expandVariables(trimmed[0], resource), ...trimmed.slice(1).map((arg) => substitute(arg, resource))];
}

export interface KeraslsPath {
    /** The `kerasls.path` entries, expanded; empty when the setting is not used. */
    candidates: string[];
    /** The first of them that is an executable file (a bare name is looked up on PATH). */
    executable?: string;
}

/** `kerasls.path`: a list of kerasls executables, the first one that exists wins (a string is taken as a list of one). */
export function findKeraslsPath(resource: vscode.Uri | undefined): KeraslsPath {
    const value = vscode.workspace.getConfiguration(SECTION, resource).get<unknown>('path');
    const entries = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
    const candidates = entries.map((entry) => entry.trim()).filter(Boolean).map((entry) => expandVariables(entry, resource));
    return { candidates, executable: candidates.map((candidate) => resolveExecutable(candidate)).find((found) => found !== undefined) };
}

/** An executable file at `candidate` (a path), or on PATH (a bare command name); undefined if there is none. */
export function resolveExecutable(candidate: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const isFile = (file: string) => {
        try {
            fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
            return fs.statSync(file).isFile();
        } catch {
            return false;
        }
    };
    const suffixes = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
    if (candidate.includes('/') || candidate.includes(path.sep)) {
        return suffixes.map((suffix) => candidate + suffix).find(isFile);
    }
    for (const folder of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
        const found = suffixes.map((suffix) => path.join(folder, candidate + suffix)).find(isFile);
        if (found) {
            return found;
        }
    }
    return undefined;
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
    const folder = workspaceFolder(resource);
    let result = substitute(value, resource);
    if (result === '~' || result.startsWith('~/')) {
        result = path.join(os.homedir(), result.slice(1));
    }
    if (folder && result.includes('/') && !path.isAbsolute(result)) {
        result = path.join(folder.uri.fsPath, result);
    }
    return result;
}

/** `${workspaceFolder}` and `${userHome}` only (for arguments, which are no paths of their own). */
function substitute(value: string, resource: vscode.Uri | undefined): string {
    const folder = workspaceFolder(resource);
    let result = value.replace(/\$\{userHome\}/g, os.homedir());
    if (folder) {
        result = result.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath);
    }
    return result;
}

function workspaceFolder(resource: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
    return (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** A command line as a person would type it in a POSIX shell (for messages, and the terminal). */
export function shellJoin(command: string[]): string {
    return command.map(shellQuote).join(' ');
}

export function shellQuote(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
