// Test-only extension for tests/vscode/test_vscode_e2e.py. Inert without an output folder.
//
// On startup it opens `keraslsProbe.file` (a Python file, or a notebook when it ends in .ipynb), waits until
// the kerasls diagnostics include every code of `keraslsProbe.expect`, asks for the quick fixes of the first
// `keraslsProbe.fixCode` diagnostic and writes all that to <out>/diagnostics.json. Once the test has taken its
// screenshots it creates <out>/go; the probe then applies the preferred fix, waits for the diagnostics of that
// code to go away (in that file, or in that cell) and writes <out>/result.json; for a notebook it then waits
// for every cell to show what the test expects (<out>/expect-after-fix.json) and writes <out>/settled.json.
// Any failure goes to <out>/error.json.
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const SEVERITY = ['error', 'warning', 'information', 'hint'];
const NOTEBOOK_FIX_ALL = 'notebook.source.fixAll.kerasls';

function activate() {
    const config = vscode.workspace.getConfiguration('keraslsProbe');
    const out = process.env.KERASLS_PROBE_OUT || config.get('outputDir');
    if (!out) {
        return;
    }
    fs.mkdirSync(out, { recursive: true });
    const options = {
        file: config.get('file'),
        fixCode: config.get('fixCode'),
        expect: config.get('expect') || [],
    };
    const scenario = options.file.endsWith('.ipynb') ? runNotebook : runTextFile;
    scenario(out, options).catch((error) => write(out, 'error.json', { error: String((error && error.stack) || error) }));
}

function fileUri(file) {
    const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
    if (!folder) {
        throw new Error('no workspace folder is open');
    }
    return vscode.Uri.joinPath(folder.uri, file);
}

function extensionInfo() {
    const extension = vscode.extensions.getExtension('kerasls.kerasls');
    return extension && { id: extension.id, version: extension.packageJSON.version, isActive: extension.isActive };
}

async function runTextFile(out, { file, fixCode, expect }) {
    const uri = fileUri(file);
    const document = await vscode.workspace.openTextDocument(uri);
    const record = { vscodeVersion: vscode.version, uri: uri.toString(), started: Date.now() };

    const wanted = [...new Set([...expect, fixCode])];
    const diagnostics = await waitFor(`kerasls diagnostics ${wanted.join(', ')}`, 180000, () => {
        const found = keraslsDiagnostics(uri);
        return hasCodes(found, wanted) ? found : undefined;
    });
    record.diagnosticsAfterMs = Date.now() - record.started;
    record.diagnostics = diagnostics.map(describe);
    record.extension = extensionInfo();

    const target = sortByStart(diagnostics).find((d) => codeOf(d) === fixCode);
    const actions = await codeActions(uri, target.range);
    record.fixTarget = describe(target);
    record.codeActions = actions.map(describeAction);
    write(out, 'diagnostics.json', record);

    await waitForGo(out);
    record.applied = await applyPreferred(actions, fixCode);
    record.fixedLine = document.lineAt(target.range.start.line).text;
    await waitFor(`the ${fixCode} diagnostics to clear`, 120000, () =>
        keraslsDiagnostics(uri).every((d) => codeOf(d) !== fixCode) ? true : undefined,
    );
    record.diagnosticsAfterFix = keraslsDiagnostics(uri).map(describe);
    record.finished = Date.now();
    write(out, 'result.json', record);
}

async function runNotebook(out, { file, fixCode, expect }) {
    const uri = fileUri(file);
    const record = { vscodeVersion: vscode.version, uri: uri.toString(), started: Date.now() };
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    const editor = await vscode.window.showNotebookDocument(notebook, { preserveFocus: false });
    record.notebookType = notebook.notebookType;
    record.shownAfterMs = Date.now() - record.started;
    const cells = notebook.getCells();
    record.cells = cells.map((cell) => ({
        index: cell.index,
        kind: cell.kind === vscode.NotebookCellKind.Code ? 'code' : 'markup',
        language: cell.document.languageId,
        uri: cell.document.uri.toString(),
    }));
    const perCell = () => cells.map((cell) => keraslsDiagnostics(cell.document.uri));

    const wanted = [...new Set([...expect, fixCode])];
    await waitFor(`kerasls diagnostics ${wanted.join(', ')} on the cells`, 180000, () =>
        hasCodes(perCell().flat(), wanted) ? true : undefined,
    );
    record.diagnosticsAfterMs = Date.now() - record.started;
    record.cellDiagnostics = perCell().map((found) => found.map(describe));
    record.extension = extensionInfo();

    const targetIndex = perCell().findIndex((found) => found.some((d) => codeOf(d) === fixCode));
    const cell = cells[targetIndex];
    const target = sortByStart(keraslsDiagnostics(cell.document.uri)).find((d) => codeOf(d) === fixCode);
    record.fixTarget = { cell: targetIndex, ...describe(target) };
    // Bring the cell into view (for the test's screenshot) and put the cursor on the squiggle.
    editor.selections = [new vscode.NotebookRange(targetIndex, targetIndex + 1)];
    editor.revealRange(new vscode.NotebookRange(targetIndex, targetIndex + 1), vscode.NotebookEditorRevealType.InCenter);

    const actions = await codeActions(cell.document.uri, target.range);
    record.codeActions = actions.map(describeAction);
    // The notebook-wide fix-all kind, as VS Code asks for it on save (notebook.codeActionsOnSave).
    const fullRange = new vscode.Range(0, 0, cell.document.lineCount, 0);
    const fixAll = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', cell.document.uri, fullRange, NOTEBOOK_FIX_ALL);
    record.fixAllActions = (fixAll || []).map(describeAction);
    record.cellTextsBefore = cells.map((c) => c.document.getText());
    write(out, 'diagnostics.json', record);

    await waitForGo(out);
    record.applied = await applyPreferred(actions, fixCode);
    record.fixedLine = cell.document.lineAt(target.range.start.line).text;
    await waitFor(`the ${fixCode} diagnostics to clear from cell ${targetIndex}`, 120000, () =>
        keraslsDiagnostics(cell.document.uri).every((d) => codeOf(d) !== fixCode) ? true : undefined,
        () => `; the cell now reads ${JSON.stringify(record.fixedLine)} on line ${target.range.start.line + 1}`
            + ` (cell version ${cell.document.version}, notebook version ${notebook.version}) and still has `
            + JSON.stringify(keraslsDiagnostics(cell.document.uri).map(describe).map(({ code, line, character }) => ({ code, line, character }))),
    );
    record.cellDiagnosticsAfterFix = perCell().map((found) => found.map(describe));
    record.cellTextsAfter = notebook.getCells().map((c) => c.document.getText());
    record.notebookDirty = notebook.isDirty;
    record.finished = Date.now();
    write(out, 'result.json', record);

    // Then every cell, not only the edited one, should come to show what `kerasls check` reports for the
    // edited notebook: the test writes that to <out>/expect-after-fix.json. The outcome goes to settled.json.
    const expectFile = path.join(out, 'expect-after-fix.json');
    await waitFor('expect-after-fix.json', 600000, () => fs.existsSync(expectFile));
    const expected = JSON.parse(fs.readFileSync(expectFile, 'utf8')).cells;
    const key = (found) => found.map((d) => `${d.code}@${d.line}:${d.character}`).sort().join(' ');
    const current = () => perCell().map((found) => found.map(describe));
    const waitStarted = Date.now();
    const matched = await waitFor('the cells to match kerasls check', 60000, () =>
        current().every((found, index) => key(found) === key(expected[index] || [])) ? true : undefined,
    ).then(() => true, () => false);
    write(out, 'settled.json', { matched, waitedMs: Date.now() - waitStarted, expected, cellDiagnostics: current() });
}

async function codeActions(uri, range) {
    return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, undefined, 20)) || [];
}

async function waitForGo(out) {
    await waitFor('the go file', 600000, () => fs.existsSync(path.join(out, 'go')));
}

async function applyPreferred(actions, code) {
    const preferred = actions.find((action) => action.isPreferred);
    if (!preferred) {
        throw new Error(`no preferred quick fix for ${code}`);
    }
    const applied = { title: preferred.title };
    if (preferred.edit) {
        applied.applyEdit = await vscode.workspace.applyEdit(preferred.edit);
    }
    if (preferred.command) {
        await vscode.commands.executeCommand(preferred.command.command, ...(preferred.command.arguments || []));
        applied.command = preferred.command.command;
    }
    return applied;
}

function describeAction(action) {
    return {
        title: action.title,
        kind: action.kind && action.kind.value,
        isPreferred: Boolean(action.isPreferred),
        hasEdit: Boolean(action.edit),
        editUris: action.edit ? action.edit.entries().map(([uri]) => uri.toString()) : [],
        command: action.command && (action.command.command || action.command),
        diagnostics: (action.diagnostics || []).map(codeOf),
    };
}

function keraslsDiagnostics(uri) {
    return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kerasls' || /^KLS/.test(codeOf(d) || ''));
}

function hasCodes(diagnostics, codes) {
    const present = new Set(diagnostics.map(codeOf));
    return codes.every((code) => present.has(code));
}

function sortByStart(diagnostics) {
    return [...diagnostics].sort((a, b) => a.range.start.compareTo(b.range.start));
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
        related: (d.relatedInformation || []).map((r) => ({ uri: r.location.uri.toString(), line: r.location.range.start.line + 1 })),
    };
}

// Polls `check` until it returns something other than undefined/false; `explain` adds to the timeout error.
async function waitFor(what, timeoutMs, check, explain = () => '') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value !== undefined && value !== false) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain()}`);
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
