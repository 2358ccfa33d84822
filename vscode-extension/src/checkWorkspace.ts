// The "KerasLS: Check Workspace" command: `<kerasls> check --format json <workspace folders>`, its findings
// in the Problems panel as their own diagnostic collection (`kerasls-check`). A rerun replaces them. Files open
// in an editor tab (and notebooks) show the language server's live diagnostics instead while it runs, so their
// findings are not shown twice; editing a file drops its findings for good.
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { applySettings, byFile, checkArguments, type Finding, parseFindings, type Range } from './findings';
import { describeCommand, type Kerasls } from './server';
import { SECTION } from './settings';

export const CHECK_COLLECTION = 'kerasls-check';

const SEVERITY = {
    error: vscode.DiagnosticSeverity.Error,
    warning: vscode.DiagnosticSeverity.Warning,
    information: vscode.DiagnosticSeverity.Information,
    hint: vscode.DiagnosticSeverity.Hint,
};

export interface CheckSummary {
    findings: number;
    files: number;
    /** What kerasls said on stderr (files it could not read, configuration errors). */
    problems: string[];
}

export class WorkspaceChecker implements vscode.Disposable {
    private readonly collection = vscode.languages.createDiagnosticCollection(CHECK_COLLECTION);
    /** The last run's findings by absolute file path. */
    private files = new Map<string, Finding[]>();
    private readonly subscriptions: vscode.Disposable[];
    private running: Promise<CheckSummary | undefined> | undefined;
    /** Whether the language server runs: only then do its live diagnostics stand for the open files. */
    private serverRunning = false;

    constructor(private readonly output: vscode.LogOutputChannel) {
        this.subscriptions = [
            vscode.workspace.onDidChangeTextDocument((event) => {
                if (event.contentChanges.length) {
                    this.forget(event.document);
                }
            }),
            vscode.window.tabGroups.onDidChangeTabs((event) => {
                if ([...event.opened, ...event.closed].some((tab) => this.files.has(tabFile(tab) ?? ''))) {
                    this.render();
                }
            }),
        ];
    }

    /** Runs the check (one at a time: a second call while one runs waits for it). */
    run(kerasls: Kerasls, folders: readonly vscode.WorkspaceFolder[], resource: vscode.Uri | undefined): Promise<CheckSummary | undefined> {
        this.running ??= this.check(kerasls, folders, resource).finally(() => {
            this.running = undefined;
        });
        return this.running;
    }

    setServerRunning(running: boolean): void {
        if (running !== this.serverRunning) {
            this.serverRunning = running;
            this.render();
        }
    }

    clear(): void {
        this.files.clear();
        this.collection.clear();
    }

    dispose(): void {
        this.subscriptions.forEach((subscription) => subscription.dispose());
        this.collection.dispose();
    }

    private async check(kerasls: Kerasls, folders: readonly vscode.WorkspaceFolder[], resource: vscode.Uri | undefined): Promise<CheckSummary | undefined> {
        const config = vscode.workspace.getConfiguration(SECTION, resource);
        const paths = folders.map((folder) => folder.uri.fsPath);
        const [file, ...prefix] = kerasls.kerasls;
        const args = [...prefix, ...checkArguments(paths, config.get<string[]>('select', []), config.get<string[]>('ignore', []))];
        const cwd = paths[0];
        this.output.info(`Checking the workspace: ${describeCommand([file, ...args])} (in ${cwd})`);
        const started = Date.now();
        const run = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: 'KerasLS: checking the workspace', cancellable: true },
            (_progress, token) => runProcess(file, args, cwd, token),
        );
        if (run.cancelled) {
            this.output.info('Checking the workspace was cancelled.');
            return undefined;
        }
        const problems = run.stderr.split('\n').map((line) => line.trim()).filter(Boolean);
        problems.forEach((line) => this.output.warn(`kerasls check: ${line}`));
        let findings: Finding[];
        try {
            if (run.error) {
                throw run.error;
            }
            findings = parseFindings(run.stdout, cwd);
        } catch (error) {
            const detail = problems[problems.length - 1] ?? String(error);
            throw new Error(`${describeCommand([file, ...args])} failed (exit code ${run.exitCode ?? 'none'}): ${detail}`);
        }
        findings = applySettings(findings, {
            severity: config.get<Record<string, string>>('severity', {}),
            showSyntaxErrors: config.get<boolean>('showSyntaxErrors', true),
        });
        this.files = byFile(findings);
        this.render();
        const summary = { findings: findings.length, files: this.files.size, problems };
        this.output.info(`Checked the workspace in ${Date.now() - started} ms: ${summary.findings} findings in ${summary.files} files.`);
        return summary;
    }

    /** Drops the findings of an edited file (or of the notebook an edited cell belongs to). */
    private forget(document: vscode.TextDocument): void {
        if (!this.files.size) {
            return;
        }
        const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((cell) => cell.document === document));
        const file = (notebook?.uri ?? document.uri).fsPath;
        if (this.files.delete(file)) {
            this.render();
        }
    }

    /** The collection from `files`, less the files open in an editor tab while the server runs (its live
     * diagnostics cover those). */
    private render(): void {
        const open = new Set(this.serverRunning ? vscode.window.tabGroups.all.flatMap((group) => group.tabs.map(tabFile)) : []);
        const entries: [vscode.Uri, vscode.Diagnostic[]][] = [];
        for (const [file, findings] of this.files) {
            if (open.has(file)) {
                continue;
            }
            const uri = vscode.Uri.file(file);
            entries.push([uri, findings.map((finding) => toDiagnostic(uri, finding))]);
        }
        this.collection.clear();
        this.collection.set(entries);
    }
}

/** The file a tab shows (a text file or a notebook). */
function tabFile(tab: vscode.Tab): string | undefined {
    const input = tab.input;
    if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputNotebook) {
        return input.uri.scheme === 'file' ? input.uri.fsPath : undefined;
    }
    return undefined;
}

function toDiagnostic(uri: vscode.Uri, finding: Finding): vscode.Diagnostic {
    const place = locate(finding.cell, finding.range);
    const diagnostic = new vscode.Diagnostic(place.range, place.prefix + finding.message, SEVERITY[finding.severity]);
    diagnostic.source = 'kerasls';
    // The rule code links to its documentation, as in the server's diagnostics (codeDescription.href).
    diagnostic.code = finding.url ? { value: finding.code, target: vscode.Uri.parse(finding.url) } : finding.code;
    diagnostic.relatedInformation = finding.related.map((related) => {
        const where = locate(related.cell, related.range);
        return new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, where.range), where.prefix + related.message);
    });
    return diagnostic;
}

/** A range in the file; in a (closed) notebook, the cell's lines are no lines of the .ipynb file: the first line,
 * and the message names the cell and line. */
function locate(cell: number | undefined, range: Range) {
    if (cell === undefined) {
        return { range: new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character), prefix: '' };
    }
    return { range: new vscode.Range(0, 0, 0, 0), prefix: `Cell ${cell + 1}, line ${range.start.line + 1}: ` };
}

interface ProcessRun {
    stdout: string;
    stderr: string;
    exitCode?: number;
    error?: Error;
    cancelled?: boolean;
}

function runProcess(file: string, args: string[], cwd: string, token: vscode.CancellationToken): Promise<ProcessRun> {
    return new Promise((resolve) => {
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        const child = spawn(file, args, { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1', NO_COLOR: '1' } });
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        const cancel = token.onCancellationRequested(() => child.kill());
        const finish = (exitCode: number | null, error?: Error) => {
            cancel.dispose();
            resolve({
                stdout: Buffer.concat(stdout).toString(),
                stderr: Buffer.concat(stderr).toString(),
                exitCode: exitCode ?? undefined,
                error,
                cancelled: token.isCancellationRequested,
            });
        };
        child.on('error', (error) => finish(null, error)); // the first of the two settles the promise
        child.on('close', (exitCode) => finish(exitCode));
    });
}
