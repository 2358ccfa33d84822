// `kerasls check --format json` output for "KerasLS: Check Workspace".
import assert = require('node:assert/strict');
import { describe, it } from 'node:test';
import { applySettings, byFile, checkArguments, parseFindings } from '../src/findings';

const range = (line: number, character: number, endCharacter: number) => ({
    start: { line, character },
    end: { line, character: endCharacter },
});

const OUTPUT = JSON.stringify([
    {
        path: 'leaf_species_cnn.py',
        code: 'KLS101',
        name: 'output-units-mismatch-class-count',
        severity: 'error',
        message: 'Dense(1) but 42 classes',
        range: range(47, 4, 30),
        url: 'https://github.com/kerasls/kerasls/blob/main/docs/rules.md#kls101',
        related: [{ message: 'the labels', range: range(20, 0, 10) }],
        fixes: [],
    },
    {
        path: '/abs/nb.ipynb',
        code: 'KLS401',
        name: 'accuracy-resolves-to-binary-accuracy',
        severity: 'warning',
        message: 'accuracy',
        range: range(2, 12, 22),
        cell: 5,
        url: 'https://github.com/kerasls/kerasls/blob/main/docs/rules.md#kls401',
        related: [{ message: 'model', range: range(1, 0, 4), cell: 4 }],
        fixes: [],
    },
    { path: 'broken.py', code: 'KLS001', name: 'syntax-error', severity: 'error', message: 'invalid syntax', range: range(0, 0, 1), related: [] },
]);

describe('parseFindings', () => {
    it('reads path, code, severity, message, range, cell, url and related places; paths from the folder', () => {
        const findings = parseFindings(OUTPUT, '/work/project');
        assert.equal(findings.length, 3);
        assert.deepEqual(findings[0], {
            path: '/work/project/leaf_species_cnn.py',
            code: 'KLS101',
            name: 'output-units-mismatch-class-count',
            severity: 'error',
            message: 'Dense(1) but 42 classes',
            range: range(47, 4, 30),
            cell: undefined,
            url: 'https://github.com/kerasls/kerasls/blob/main/docs/rules.md#kls101',
            related: [{ message: 'the labels', range: range(20, 0, 10), cell: undefined }],
        });
        assert.equal(findings[1].path, '/abs/nb.ipynb');
        assert.equal(findings[1].cell, 5);
        assert.deepEqual(findings[1].related, [{ message: 'model', range: range(1, 0, 4), cell: 4 }]);
        assert.equal(findings[2].url, undefined);
    });

    it('accepts an empty list and rejects what is no list of findings', () => {
        assert.deepEqual(parseFindings('[]\n', '/'), []);
        assert.throws(() => parseFindings('', '/'));
        assert.throws(() => parseFindings('{"path": "x"}', '/'), /no JSON list/);
        assert.throws(() => parseFindings('[{"path": "x", "code": "KLS1"}]', '/'), /finding 0/);
    });
});

describe('applySettings', () => {
    const findings = parseFindings(OUTPUT, '/p');

    it('overrides severities by code or rule name, as the server does', () => {
        const changed = applySettings(findings, { severity: { KLS101: 'hint', 'accuracy-resolves-to-binary-accuracy': 'error', KLS001: 'bogus' } });
        assert.deepEqual(changed.map((f) => f.severity), ['hint', 'error', 'error']);
        assert.equal(findings[0].severity, 'error', 'the input is not changed');
    });

    it('drops syntax errors when showSyntaxErrors is off', () => {
        assert.deepEqual(applySettings(findings, { showSyntaxErrors: false }).map((f) => f.code), ['KLS101', 'KLS401']);
        assert.equal(applySettings(findings, {}).length, 3);
    });
});

describe('byFile', () => {
    it('groups by file and keeps a finding reported twice (a folder inside another) once', () => {
        const findings = parseFindings(OUTPUT, '/p');
        const files = byFile([...findings, findings[0]]);
        assert.deepEqual([...files.keys()], ['/p/leaf_species_cnn.py', '/abs/nb.ipynb', '/p/broken.py']);
        assert.equal(files.get('/p/leaf_species_cnn.py')?.length, 1);
    });
});

describe('checkArguments', () => {
    it('passes select and ignore when set, then the folders', () => {
        assert.deepEqual(checkArguments(['/a', '/b']), ['check', '--format', 'json', '/a', '/b']);
        assert.deepEqual(checkArguments(['/a'], ['KLS1', 'KLS401'], ['KLS403']), [
            'check', '--format', 'json', '--select', 'KLS1,KLS401', '--ignore', 'KLS403', '/a',
        ]);
    });
});
