// What the interpreter reports (kerasls importable, its version, the Python version), and pip's failures.
import assert = require('node:assert/strict');
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { failureReason, INSPECT_SCRIPT, parseInspection } from '../src/python';

describe('parseInspection', () => {
    it('reads an interpreter with kerasls', () => {
        const out = '{"python": "3.11.7", "location": "/v/lib/kerasls/__init__.py", "version": "0.1.0"}\n';
        assert.deepEqual(parseInspection(null, out, ''), { kind: 'ok', python: '3.11.7', version: '0.1.0', location: '/v/lib/kerasls/__init__.py' });
    });

    it('reads one without kerasls, and a Python too old for it', () => {
        const missing = `{"python": "3.12.1", "error": "ModuleNotFoundError: No module named 'kerasls'"}`;
        assert.deepEqual(parseInspection(null, missing, ''), { kind: 'missing', python: '3.12.1', detail: "ModuleNotFoundError: No module named 'kerasls'" });
        const old = `{"python": "3.9.18", "error": "ModuleNotFoundError: No module named 'kerasls'"}`;
        assert.deepEqual(parseInspection(null, old, ''), { kind: 'old-python', python: '3.9.18' });
    });

    it('reports an interpreter that cannot run', () => {
        const enoent = Object.assign(new Error('spawn /x/python ENOENT'), { code: 'ENOENT' });
        assert.deepEqual(parseInspection(enoent, '', ''), { kind: 'no-python', detail: 'no such file or command' });
        assert.deepEqual(parseInspection(new Error('exit 1'), '', 'Fatal Python error'), { kind: 'no-python', detail: 'Fatal Python error' });
    });

    it('runs on a real interpreter', () => {
        let out: string;
        try {
            out = execFileSync('python3', ['-c', INSPECT_SCRIPT], { cwd: '/', encoding: 'utf8' });
        } catch {
            return; // no python3 here
        }
        const result = parseInspection(null, out, '');
        assert.ok(result.kind === 'ok' || result.kind === 'missing' || result.kind === 'old-python', JSON.stringify(result));
    });
});

describe('failureReason', () => {
    it("picks pip's error line", () => {
        const lines = ['Processing /x/kerasls-0.1.0-py3-none-any.whl', 'error: externally-managed-environment', '', '× This environment is externally managed'];
        assert.equal(failureReason(lines), 'error: externally-managed-environment');
        assert.equal(failureReason(['/v/bin/python: No module named pip']), '/v/bin/python: No module named pip');
        assert.equal(failureReason(['a', 'last words ']), 'last words');
        assert.equal(failureReason([]), undefined);
    });
});
