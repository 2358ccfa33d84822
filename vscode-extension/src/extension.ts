// KerasLS for VS Code: starts `<python> -m kerasls serve` (or `<kerasls.path> serve`) and keeps it running;
// installs the kerasls wheel that comes with the extension into the interpreter when it lacks kerasls (or has
// an older one); "KerasLS: Check Workspace" runs `kerasls check` over the workspace folders.
import * as vscode from 'vscode';
import { type LanguageClient, State } from 'vscode-languageclient/node';
import { type BundledWheel, compareVersions, findBundledWheel } from './bundle';
import { WorkspaceChecker } from './checkWorkspace';
import { type Interpreter, PYTHON_EXTENSION_ID, findInterpreter, findKeraslsPath, interpreterIsConfigured, onDidChangePythonInterpreter } from './interpreter';
import { type InstallResult, runInstall } from './install';
import { MINIMUM_PYTHON } from './python';
import { createClient, describeCommand, inspectPython, type Kerasls, pipInstall, viaInterpreter, viaPath } from './server';
import { needsRestart, SECTION } from './settings';

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const output = vscode.window.createOutputChannel('KerasLS', { log: true });
    const status = new StatusItem();
    const checker = new WorkspaceChecker(output);
    controller = new ServerController(context, output, status, checker);
    context.subscriptions.push(
        output,
        status,
        checker,
        vscode.commands.registerCommand('kerasls.restart', () => controller?.restart('the Restart Server command')),
        vscode.commands.registerCommand('kerasls.showOutput', () => output.show()),
        vscode.commands.registerCommand('kerasls.checkWorkspace', () => controller?.checkWorkspace()),
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
            const resource = workspaceResource();
            if (!interpreterIsConfigured(resource) && !findKeraslsPath(resource).candidates.length) {
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
    /** Interpreter and version pairs already offered an update in this window. */
    private readonly updateOffered = new Set<string>();

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly output: vscode.LogOutputChannel,
        private readonly status: StatusItem,
        private readonly checker: WorkspaceChecker,
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
        this.checker.setServerRunning(false);
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

    /** "KerasLS: Check Workspace": `<kerasls> check --format json <folders>` into the Problems panel. */
    async checkWorkspace(): Promise<void> {
        const folders = vscode.workspace.workspaceFolders?.filter((folder) => folder.uri.scheme === 'file');
        if (!folders?.length) {
            void vscode.window.showInformationMessage('KerasLS: open a folder to check it.');
            return;
        }
        const resource = workspaceResource();
        if (!vscode.workspace.getConfiguration(SECTION, resource).get<boolean>('enable', true)) {
            void vscode.window.showInformationMessage('KerasLS: kerasls.enable is off.');
            return;
        }
        const kerasls = await this.findKerasls(resource, 'the Check Workspace command');
        if (!kerasls) {
            return;
        }
        try {
            const summary = await this.checker.run(kerasls, folders, resource);
            if (!summary) {
                return;
            }
            const found = `${summary.findings} finding${summary.findings === 1 ? '' : 's'} in ${summary.files} file${summary.files === 1 ? '' : 's'}`;
            vscode.window.setStatusBarMessage(`KerasLS: ${found}`, 10_000);
            if (summary.findings) {
                await vscode.commands.executeCommand('workbench.actions.view.problems');
            }
            if (summary.problems.length) {
                void this.showOutputOn(vscode.window.showWarningMessage(`KerasLS: kerasls check: ${summary.problems[0]}`, 'Show Output'));
            }
        } catch (error) {
            this.output.error(String(error));
            void this.showOutputOn(vscode.window.showErrorMessage(`KerasLS: ${error instanceof Error ? error.message : error}`, 'Show Output'));
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
        const kerasls = await this.findKerasls(resource, reason);
        if (!kerasls) {
            return;
        }
        const client = createClient(kerasls, resource, this.output);
        const shown = describeCommand(kerasls.kerasls);
        this.output.info(`Starting the server (${reason}): ${shown} serve`);
        client.onDidChangeState(({ newState }) => {
            if (this.client === client) {
                this.checker.setServerRunning(newState === State.Running);
            }
            if (newState === State.Running) {
                this.status.set('ready', `Ready (${shown})`);
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

    /**
     * The command that runs kerasls for `resource`: `kerasls.path` if set, else `<python> -m kerasls`. Undefined
     * (with the status bar in error and one notification that says what to do) when there is none that works.
     */
    private async findKerasls(resource: vscode.Uri | undefined, reason: string): Promise<Kerasls | undefined> {
        const configured = findKeraslsPath(resource);
        if (configured.candidates.length) {
            if (!configured.executable) {
                const listed = configured.candidates.join(', ');
                this.output.error(`None of the kerasls.path entries is an executable file: ${listed}`);
                this.status.set('error', 'kerasls.path names no executable');
                void this.notify(`KerasLS: none of the kerasls.path entries is an executable file (${listed}).`, ['Open Settings'], 'kerasls.path');
                return undefined;
            }
            this.output.info(`Using ${configured.executable} (from kerasls.path) for ${reason}.`);
            return viaPath(configured.executable);
        }

        const interpreter = await findInterpreter(resource, (message) => this.output.warn(message));
        const python = describeCommand(interpreter.command);
        this.output.info(`Using ${python} (from ${describe(interpreter.source)}) for ${reason}.`);
        const check = await inspectPython(interpreter.command, resource);
        const bundled = findBundledWheel(this.context.extensionPath);
        switch (check.kind) {
            case 'no-python':
                this.output.error(`Cannot run the Python interpreter ${python}: ${check.detail}`);
                this.status.set('error', `cannot run ${python}`);
                void this.notify(
                    `KerasLS: cannot run the Python interpreter "${python}". Set kerasls.interpreter or select an interpreter in the Python extension.`,
                    ['Select Interpreter'],
                );
                return undefined;
            case 'old-python': {
                const minimum = MINIMUM_PYTHON.join('.');
                this.output.error(`${python} is Python ${check.python}; kerasls needs Python ${minimum} or newer.`);
                this.status.set('error', `${python} is Python ${check.python}`);
                void this.notify(`KerasLS: kerasls needs Python ${minimum} or newer, and ${python} is Python ${check.python}. Select another interpreter.`, [
                    'Select Interpreter',
                ]);
                return undefined;
            }
            case 'missing':
                this.output.error(`${python} cannot import kerasls:\n${check.detail}`);
                this.status.set('error', `kerasls is not installed for ${python}`);
                void this.offerInstall(interpreter, bundled);
                return undefined;
            case 'ok':
                this.output.info(`${python} (Python ${check.python}) has kerasls ${check.version ?? '(version unknown)'} at ${check.location}.`);
                if (bundled && check.version && compareVersions(check.version, bundled.version) < 0) {
                    void this.offerUpdate(interpreter, check.version, bundled);
                }
                return viaInterpreter(interpreter);
        }
    }

    /** One notification at a time; "Select Interpreter", "Open Settings" and "Show Output" do what they say. */
    private async notify(message: string, buttons: string[], setting = 'kerasls.interpreter'): Promise<void> {
        if (this.notificationOpen) {
            return;
        }
        this.notificationOpen = true;
        try {
            const choice = await vscode.window.showErrorMessage(message, ...buttons, 'Show Output');
            if (choice === 'Select Interpreter') {
                await this.selectInterpreter();
            } else if (choice === 'Open Settings') {
                await vscode.commands.executeCommand('workbench.action.openSettings', setting);
            } else if (choice === 'Show Output') {
                this.output.show();
            }
        } finally {
            this.notificationOpen = false;
        }
    }

    /** kerasls is missing: the exact pip command for the bundled wheel, and a button that runs it. */
    private async offerInstall(interpreter: Interpreter, bundled: BundledWheel | undefined): Promise<void> {
        const python = describeCommand(interpreter.command);
        if (!bundled) {
            // A development build without `npm run package`: there is no wheel to install.
            return this.notify(
                `KerasLS: kerasls is not installed for ${python}. Install it from a clone of the kerasls repository: ${python} -m pip install path/to/kerasls`,
                ['Select Interpreter'],
            );
        }
        if (this.notificationOpen) {
            return;
        }
        this.notificationOpen = true;
        let installed = false;
        try {
            const command = pipInstall(interpreter, bundled.path);
            const choice = await vscode.window.showErrorMessage(
                `KerasLS: kerasls is not installed for ${python}. Install the kerasls ${bundled.version} that comes with this extension: ${describeCommand(command)}`,
                'Install',
                'Select Interpreter',
                'Show Output',
            );
            if (choice === 'Install') {
                const result = await this.install(interpreter, bundled);
                installed = result.ok;
                if (!result.ok && !result.cancelled) {
                    await this.showInstallFailure(interpreter, bundled, result); // no other prompt meanwhile
                }
            } else if (choice === 'Select Interpreter') {
                await this.selectInterpreter();
            } else if (choice) {
                this.output.show();
            }
        } finally {
            this.notificationOpen = false;
        }
        if (installed) {
            await this.restart('kerasls was installed');
        }
    }

    /** kerasls is older than the bundled wheel: offer to update it (once per window; never again if asked). */
    private async offerUpdate(interpreter: Interpreter, installed: string, bundled: BundledWheel): Promise<void> {
        const python = describeCommand(interpreter.command);
        const key = `skipUpdate:${python}`;
        if (this.updateOffered.has(`${python} ${bundled.version}`) || this.context.globalState.get(key) === bundled.version) {
            return;
        }
        this.updateOffered.add(`${python} ${bundled.version}`);
        const command = pipInstall(interpreter, bundled.path);
        const never = "Don't Ask Again";
        const choice = await vscode.window.showInformationMessage(
            `KerasLS: ${python} has kerasls ${installed}, older than the kerasls ${bundled.version} that comes with this extension. Update it? (${describeCommand(command)})`,
            'Update',
            'Not Now',
            never,
        );
        if (choice === 'Update') {
            // Restart either way: the status bar showed the install, and the old kerasls may be gone or still there.
            const result = await this.install(interpreter, bundled);
            await this.restart(result.ok ? 'kerasls was updated' : 'the update did not complete');
            if (!result.ok && !result.cancelled) {
                await this.showInstallFailure(interpreter, bundled, result);
            }
        } else if (choice === never) {
            await this.context.globalState.update(key, bundled.version);
        }
    }

    /** Runs `<python> -m pip install <wheel>` (the caller restarts the server). */
    private async install(interpreter: Interpreter, bundled: BundledWheel): Promise<InstallResult> {
        const python = describeCommand(interpreter.command);
        const command = pipInstall(interpreter, bundled.path);
        this.status.set('starting', `Installing kerasls ${bundled.version}`);
        const result = await runInstall(command, `KerasLS: installing kerasls ${bundled.version} for ${python}`, this.output);
        if (result.ok) {
            this.output.info(`Installed kerasls ${bundled.version} for ${python}.`);
            void vscode.window.showInformationMessage(`KerasLS: kerasls ${bundled.version} is installed for ${python}.`);
        } else {
            this.status.set('error', result.cancelled ? 'The install was cancelled' : 'The install failed; see the output');
        }
        return result;
    }

    /** pip failed: why, with the output and a terminal that runs the same command (to see or change it). */
    private async showInstallFailure(interpreter: Interpreter, bundled: BundledWheel, result: InstallResult): Promise<void> {
        const python = describeCommand(interpreter.command);
        const command = pipInstall(interpreter, bundled.path);
        const exit = result.exitCode === undefined ? '' : ` (exit code ${result.exitCode})`;
        this.output.error(`${describeCommand(command)} failed${exit}: ${result.reason}`);
        const terminal = 'Run in Terminal';
        const choice = await vscode.window.showErrorMessage(
            `KerasLS: installing kerasls for ${python} failed${exit}: ${result.reason ?? 'see the output'}`,
            'Show Output',
            terminal,
        );
        if (choice === terminal) {
            const shell = vscode.window.createTerminal({ name: 'KerasLS: install' });
            this.installTerminal = shell;
            shell.show();
            shell.sendText(describeCommand(command)); // onTerminalCommandEnded restarts the server when it succeeds
        } else if (choice) {
            this.output.show();
        }
    }

    private async selectInterpreter(): Promise<void> {
        if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) {
            await vscode.commands.executeCommand('python.setInterpreter');
        } else {
            await vscode.commands.executeCommand('workbench.action.openSettings', 'kerasls.interpreter');
        }
    }

    private async showOutputOn(choice: Thenable<string | undefined>): Promise<void> {
        if (await choice) {
            this.output.show();
        }
    }
}

function describe(source: Interpreter['source']): string {
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
