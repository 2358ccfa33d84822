// KerasLS for VS Code: starts `<python> -m kerasls serve` and keeps it running.
import * as vscode from 'vscode';
import { type LanguageClient, State } from 'vscode-languageclient/node';
import { findInterpreter, onDidChangePythonInterpreter } from './interpreter';
import { checkImportable, createClient, installCommand } from './server';
import { needsRestart, SECTION } from './settings';

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const output = vscode.window.createOutputChannel('KerasLS', { log: true });
    const status = new StatusItem();
    controller = new ServerController(output, status);
    context.subscriptions.push(
        output,
        status,
        vscode.commands.registerCommand('kerasls.restart', () => controller?.restart('the Restart Server command')),
        vscode.commands.registerCommand('kerasls.showOutput', () => output.show()),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (needsRestart((section) => event.affectsConfiguration(section))) {
                void controller?.restart('a setting changed');
            }
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => controller?.restart('the workspace is now trusted')),
        vscode.window.onDidEndTerminalShellExecution((event) => controller?.onTerminalCommandEnded(event)),
    );
    void controller.restart('activation');
    try {
        const listener = await onDidChangePythonInterpreter(() => {
            if (!vscode.workspace.getConfiguration(SECTION, workspaceResource()).get<string>('interpreter')) {
                void controller?.restart('the Python extension selected another interpreter');
            }
        });
        if (listener) {
            context.subscriptions.push(listener);
        }
    } catch (error) {
        output.warn(`Not following the Python extension's interpreter: ${error}`);
    }
}

export async function deactivate(): Promise<void> {
    await controller?.stop();
    controller = undefined;
}

/** The folder whose settings and interpreter we use: the active file's, else the first one. */
function workspaceResource(): vscode.Uri | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
    return folder?.uri;
}

class ServerController {
    private client: LanguageClient | undefined;
    private queue: Promise<void> = Promise.resolve();
    private stopping = false;
    private notificationOpen = false;
    private installTerminal: vscode.Terminal | undefined;

    constructor(
        private readonly output: vscode.LogOutputChannel,
        private readonly status: StatusItem,
    ) {}

    /** Stops the server (if running) and starts it again; calls are serialized. */
    restart(reason: string): Promise<void> {
        this.queue = this.queue
            .then(() => this.start(reason))
            .catch((error) => {
                this.output.error(`Restart failed: ${error}`);
                this.status.set('error', String(error));
            });
        return this.queue;
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (!client) {
            return;
        }
        this.stopping = true;
        try {
            await client.dispose(2000);
        } catch (error) {
            this.output.warn(`Stopping the server: ${error}`);
        } finally {
            this.stopping = false;
        }
    }

    onTerminalCommandEnded(event: vscode.TerminalShellExecutionEndEvent): void {
        if (event.terminal === this.installTerminal && event.exitCode === 0) {
            this.installTerminal = undefined;
            void this.restart('kerasls was installed');
        }
    }

    private async start(reason: string): Promise<void> {
        await this.stop();
        const resource = workspaceResource();
        if (!vscode.workspace.getConfiguration(SECTION, resource).get<boolean>('enable', true)) {
            this.output.info('kerasls.enable is off: the server is not running.');
            this.status.set('disabled', 'kerasls.enable is off');
            return;
        }
        this.status.set('starting', 'Starting');
        const { python, source } = await findInterpreter(resource, (message) => this.output.warn(message));
        this.output.info(`Starting the server (${reason}) with ${python} (from ${describe(source)}).`);
        const check = await checkImportable(python, resource);
        if (!check.ok) {
            this.output.error(`${python} cannot import kerasls:\n${check.detail}`);
            this.status.set('error', `kerasls is not importable in ${python}`);
            void this.notifyNotImportable(python, check.missingPython);
            return;
        }
        const client = createClient(python, resource, this.output);
        client.onDidChangeState(({ newState }) => {
            if (newState === State.Running) {
                this.status.set('ready', `Ready (${python})`);
            } else if (newState === State.Starting) {
                this.status.set('starting', 'Starting');
            } else if (!this.stopping && this.client === client) {
                this.status.set('error', 'The server stopped; see the output');
            }
        });
        this.client = client;
        try {
            await client.start();
        } catch (error) {
            // The client has already shown a notification and logged the details.
            this.output.error(`The server did not start: ${error}`);
            this.status.set('error', 'The server did not start; see the output');
        }
    }

    /** One notification at a time: the exact install command, and a button that runs it in a terminal. */
    private async notifyNotImportable(python: string, missingPython: boolean): Promise<void> {
        if (this.notificationOpen) {
            return;
        }
        this.notificationOpen = true;
        try {
            if (missingPython) {
                const open = 'Open Settings';
                const choice = await vscode.window.showErrorMessage(
                    `KerasLS: cannot run the Python interpreter "${python}". Set kerasls.interpreter or select an interpreter in the Python extension.`,
                    open,
                );
                if (choice === open) {
                    await vscode.commands.executeCommand('workbench.action.openSettings', 'kerasls.interpreter');
                }
                return;
            }
            const command = installCommand(python);
            const install = 'Install in Terminal';
            const choice = await vscode.window.showErrorMessage(
                `KerasLS: kerasls is not installed for ${python}. Install it with: ${command}`,
                install,
                'Show Output',
            );
            if (choice === install) {
                const terminal = vscode.window.createTerminal({ name: 'KerasLS: install' });
                this.installTerminal = terminal;
                terminal.show();
                terminal.sendText(command); // onTerminalCommandEnded restarts the server when it succeeds
            } else if (choice) {
                this.output.show();
            }
        } finally {
            this.notificationOpen = false;
        }
    }
}

function describe(source: string): string {
    return { setting: 'kerasls.interpreter', 'python-extension': 'the Python extension', default: 'the default' }[source] ?? source;
}

type ServerState = 'starting' | 'ready' | 'error' | 'disabled';

/** The status bar item: the server state; a click opens the output channel. */
class StatusItem implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('kerasls.status', vscode.StatusBarAlignment.Right, 100);

    constructor() {
        this.item.name = 'KerasLS';
        this.item.command = 'kerasls.showOutput';
        this.set('starting', 'Starting');
        this.item.show();
    }

    set(state: ServerState, detail: string): void {
        const icon = { starting: '$(loading~spin)', ready: '$(check)', error: '$(error)', disabled: '$(circle-slash)' }[state];
        this.item.text = `${icon} KerasLS`;
        this.item.tooltip = `KerasLS: ${detail}. Click for the output.`;
        this.item.backgroundColor = state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    }

    dispose(): void {
        this.item.dispose();
    }
}
