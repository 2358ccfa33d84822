// Which command runs kerasls (`<python> -m kerasls` or a `kerasls.path` executable), what the interpreter has
// installed, and the language client that talks to `<kerasls> serve`.
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    type LanguageClientOptions,
    type ServerOptions,
} from 'vscode-languageclient/node';
import { type Interpreter, shellJoin } from './interpreter';
import { INSPECT_SCRIPT, parseInspection, type PythonCheck } from './python';
import { SECTION, serverOptions, serverOptionsFromObject } from './settings';

export const DOCUMENT_SELECTOR = [
    { scheme: 'file', language: 'python' },
    { scheme: 'untitled', language: 'python' },
    { notebook: 'jupyter-notebook', language: 'python' },
];

/** How to run kerasls: `kerasls` is the command before the subcommand (`serve`, `check`). */
export type Kerasls =
    | { kind: 'interpreter'; interpreter: Interpreter; kerasls: string[] }
    | { kind: 'path'; executable: string; kerasls: string[] };

export function viaInterpreter(interpreter: Interpreter): Kerasls {
    return { kind: 'interpreter', interpreter, kerasls: [...interpreter.command, '-m', 'kerasls'] };
}

export function viaPath(executable: string): Kerasls {
    return { kind: 'path', executable, kerasls: [executable] };
}

/** Asks the interpreter, in the folder the server will run in (the import may find ./kerasls). */
export function inspectPython(command: string[], resource: vscode.Uri | undefined): Promise<PythonCheck> {
    return new Promise((resolve) => {
        const [file, ...prefix] = command;
        execFile(file, [...prefix, '-c', INSPECT_SCRIPT], { cwd: serverFolder(resource), timeout: 60_000 }, (error, stdout, stderr) => {
            resolve(parseInspection(error, stdout, stderr));
        });
    });
}

export function serverFolder(resource: vscode.Uri | undefined): string | undefined {
    return resource ? vscode.workspace.getWorkspaceFolder(resource)?.uri.fsPath : undefined;
}

/** `<python> -m pip install <wheel>`: what the install button runs. */
export function pipInstall(interpreter: Interpreter, wheel: string): string[] {
    return [...interpreter.command, '-m', 'pip', 'install', wheel];
}

export function describeCommand(command: string[]): string {
    return shellJoin(command);
}

export function createClient(
    kerasls: Kerasls,
    resource: vscode.Uri | undefined,
    outputChannel: vscode.LogOutputChannel,
): LanguageClient {
    const config = vscode.workspace.getConfiguration(SECTION, resource);
    const [command, ...prefix] = kerasls.kerasls;
    const args = [...prefix, 'serve', ...config.get<string[]>('serverArgs', [])];
    const server: ServerOptions = { command, args, options: { cwd: serverFolder(resource), env: { ...process.env, PYTHONUNBUFFERED: '1' } } };

    let client: LanguageClient;
    const clientOptions: LanguageClientOptions = {
        documentSelector: DOCUMENT_SELECTOR,
        outputChannel,
        traceOutputChannel: outputChannel,
        diagnosticCollectionName: 'kerasls',
        initializationOptions: serverOptions(config),
        // Sends `workspace/didChangeConfiguration` when a kerasls.* setting changes (and once after start).
        synchronize: { configurationSection: SECTION },
        middleware: {
            workspace: {
                // The server sees the same flat options in every channel, never the client-only settings.
                configuration: async (params, token, next) => {
                    const result = await next(params, token);
                    if (!Array.isArray(result)) {
                        return result;
                    }
                    return result.map((value, i) => (params.items[i]?.section === SECTION ? serverOptionsFromObject(value) : value));
                },
                didChangeConfiguration: async (sections, next) => {
                    if (!sections?.includes(SECTION)) {
                        return next(sections);
                    }
                    // A setting that restarts the server (kerasls.path, kerasls.interpreter) changes while this
                    // client stops: the new one gets the settings at its start, this one needs nothing more.
                    if (!client.isRunning()) {
                        return;
                    }
                    const settings = { [SECTION]: serverOptions(vscode.workspace.getConfiguration(SECTION, resource)) };
                    try {
                        await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
                    } catch (error) {
                        if (client.isRunning()) {
                            throw error;
                        }
                    }
                },
            },
        },
    };
    client = new LanguageClient(SECTION, 'KerasLS', server, clientOptions);
    return client;
}
