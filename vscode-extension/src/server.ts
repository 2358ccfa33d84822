// Starting `<python> -m kerasls serve` and the language client that talks to it.
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    type LanguageClientOptions,
    type ServerOptions,
} from 'vscode-languageclient/node';
import { SECTION, serverOptions, serverOptionsFromObject } from './settings';

export const DOCUMENT_SELECTOR = [
    { scheme: 'file', language: 'python' },
    { scheme: 'untitled', language: 'python' },
    { notebook: 'jupyter-notebook', language: 'python' },
];

export type ImportCheck = { ok: true } | { ok: false; missingPython: boolean; detail: string };

/** Runs `<python> -c "import kerasls"` in the folder the server will run in (the import may find ./kerasls). */
export function checkImportable(python: string, resource: vscode.Uri | undefined): Promise<ImportCheck> {
    return new Promise((resolve) => {
        execFile(python, ['-c', 'import kerasls'], { cwd: serverFolder(resource), timeout: 30_000 }, (error, _stdout, stderr) => {
            if (!error) {
                resolve({ ok: true });
            } else {
                const missingPython = (error as NodeJS.ErrnoException).code === 'ENOENT';
                resolve({ ok: false, missingPython, detail: stderr.trim() || error.message });
            }
        });
    });
}

function serverFolder(resource: vscode.Uri | undefined): string | undefined {
    return resource ? vscode.workspace.getWorkspaceFolder(resource)?.uri.fsPath : undefined;
}

export function installCommand(python: string): string {
    return `${shellQuote(python)} -m pip install kerasls`;
}

function shellQuote(value: string): string {
    return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function createClient(
    python: string,
    resource: vscode.Uri | undefined,
    outputChannel: vscode.LogOutputChannel,
): LanguageClient {
    const config = vscode.workspace.getConfiguration(SECTION, resource);
    const args = ['-m', 'kerasls', 'serve', ...config.get<string[]>('serverArgs', [])];
    const server: ServerOptions = { command: python, args, options: { cwd: serverFolder(resource), env: { ...process.env, PYTHONUNBUFFERED: '1' } } };

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
                    const settings = { [SECTION]: serverOptions(vscode.workspace.getConfiguration(SECTION, resource)) };
                    await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
                },
            },
        },
    };
    client = new LanguageClient(SECTION, 'KerasLS', server, clientOptions);
    return client;
}
