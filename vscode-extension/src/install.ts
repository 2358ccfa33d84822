// Installing the bundled kerasls wheel into the interpreter: `<python> -m pip install <wheel>`, with a
// cancellable progress notification and pip's output in the KerasLS output channel.
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { failureReason } from './python';
import { describeCommand } from './server';

export interface InstallResult {
    ok: boolean;
    /** pip's exit code, or undefined when it could not start or was cancelled. */
    exitCode?: number;
    cancelled?: boolean;
    /** The line that says what went wrong (pip's `ERROR: ...` or `error: ...`), for the notification. */
    reason?: string;
}

export function runInstall(command: string[], title: string, output: vscode.LogOutputChannel): Thenable<InstallResult> {
    return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) =>
            new Promise<InstallResult>((resolve) => {
                output.info(`Running ${describeCommand(command)}`);
                const lines: string[] = [];
                const [file, ...args] = command;
                const child = spawn(file, args, { env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' } });
                const collect = (chunk: Buffer) => {
                    for (const line of chunk.toString().split(/\r?\n/)) {
                        if (line.trim()) {
                            lines.push(line);
                            output.info(`pip: ${line}`);
                            const match = /^\s*(Collecting|Downloading|Installing collected packages|Successfully installed)\b.*/.exec(line);
                            if (match) {
                                progress.report({ message: match[0].slice(0, 80) });
                            }
                        }
                    }
                };
                child.stdout.on('data', collect);
                child.stderr.on('data', collect);
                const cancel = token.onCancellationRequested(() => {
                    output.warn('The install was cancelled.');
                    child.kill();
                });
                child.on('error', (error) => {
                    cancel.dispose();
                    resolve({ ok: false, reason: String(error) });
                });
                child.on('close', (exitCode) => {
                    cancel.dispose();
                    if (token.isCancellationRequested) {
                        resolve({ ok: false, cancelled: true });
                    } else if (exitCode === 0) {
                        resolve({ ok: true, exitCode });
                    } else {
                        resolve({ ok: false, exitCode: exitCode ?? undefined, reason: failureReason(lines) });
                    }
                });
            }),
    );
}
