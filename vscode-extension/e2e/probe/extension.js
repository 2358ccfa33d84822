// Test-only extension for tests/vscode/test_vscode_e2e.py. On startup it opens the seed file, waits for the
// kerasls diagnostics, asks for the quick fixes of the first one and writes all that to
// <out>/diagnostics.json. Once the test has taken its screenshots it creates <out>/go; the probe then applies
// the preferred fix, waits for the diagnostics of that code to go away and writes <out>/result.json.
// Any failure goes to <out>/error.json. Inert without an output folder.
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const SEVERITY = ['error', 'warning', 'information', 'hint'];

function activate() {
    const config = vscode.workspace.getConfiguration('keraslsProbe');
    const out = process.env.KERASLS_PROBE_OUT || config.get('outputDir');
    if (!out) {
        return;
    }
    fs.mkdirSync(out, { recursive: true });
    run(out, config.get('file')).catch((error) => write(out, 'error.json', { error: String((error && error.stack) || error) }));
}

async function run(out, file) {
    const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
    if (!folder) {
        throw new Error('no workspace folder is open');
    }
    const uri = vscode.Uri.joinPath(folder.uri, file);
    const document = await vscode.workspace.openTextDocument(uri);
    const record = { vscodeVersion: vscode.version, uri: uri.toString(), started: Date.now() };

    const diagnostics = await waitFor('kerasls diagnostics', 180000, () => {
        const found = keraslsDiagnostics(uri);
        return found.length ? found : undefined;
    });
    record.diagnosticsAfterMs = Date.now() - record.started;
    record.diagnostics = diagnostics.map(describe);
    const extension = vscode.extensions.getExtension('kerasls.kerasls');
    record.extension = extension && { id: extension.id, version: extension.packageJSON.version, isActive: extension.isActive };

    const first = [...diagnostics].sort((a, b) => a.range.start.compareTo(b.range.start))[0];
    const target = codeOf(first);
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, first.range, undefined, 20);
    record.fixTarget = describe(first);
    record.codeActions = (actions || []).map((action) => ({
        title: action.title,
        kind: action.kind && action.kind.value,
        isPreferred: Boolean(action.isPreferred),
        hasEdit: Boolean(action.edit),
        command: action.command && (action.command.command || action.command),
        diagnostics: (action.diagnostics || []).map(codeOf),
    }));
    write(out, 'diagnostics.json', record);

    await waitFor('the go file', 600000, () => fs.existsSync(path.join(out, 'go')));
    const preferred = (actions || []).find((action) => action.isPreferred);
    if (!preferred) {
        throw new Error(`no preferred quick fix for ${target}`);
    }
    record.applied = { title: preferred.title };
    if (preferred.edit) {
        record.applied.applyEdit = await vscode.workspace.applyEdit(preferred.edit);
    }
    if (preferred.command) {
        await vscode.commands.executeCommand(preferred.command.command, ...(preferred.command.arguments || []));
        record.applied.command = preferred.command.command;
    }
    record.fixedLine = document.lineAt(first.range.start.line).text;
    await waitFor(`the ${target} diagnostics to clear`, 120000, () =>
        keraslsDiagnostics(uri).every((d) => codeOf(d) !== target) ? true : undefined,
    );
    record.diagnosticsAfterFix = keraslsDiagnostics(uri).map(describe);
    record.finished = Date.now();
    write(out, 'result.json', record);
}

function keraslsDiagnostics(uri) {
    return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kerasls' || /^KLS/.test(codeOf(d) || ''));
}

function codeOf(diagnostic) {
    const code = diagnostic.code;
    return code && typeof code === 'object' ? String(code.value) : code === undefined ? undefined : String(code);
}

function describe(d) {
    return {
        line: d.range.start.line + 1,
        character: d.range.start.character,
        endLine: d.range.end.line + 1,
        endCharacter: d.range.end.character,
        code: codeOf(d),
        href: d.code && typeof d.code === 'object' && d.code.target ? d.code.target.toString(true) : undefined,
        message: d.message,
        severity: SEVERITY[d.severity],
        source: d.source,
        related: (d.relatedInformation || []).length,
    };
}

// Polls `check` until it returns something other than undefined/false.
async function waitFor(what, timeoutMs, check) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value !== undefined && value !== false) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

// Write-then-rename, so that the test never reads half a file.
function write(out, name, data) {
    const file = path.join(out, name);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 2));
    fs.renameSync(`${file}.tmp`, file);
}

module.exports = { activate, deactivate() {} };
