// The bundled wheel: finding it in the extension's folder, its version, and comparing versions.
import assert = require('node:assert/strict');
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import { describe, it } from 'node:test';
import { compareVersions, findBundledWheel, wheelVersion } from '../src/bundle';

describe('wheelVersion', () => {
    it('reads the version from a kerasls wheel name', () => {
        assert.equal(wheelVersion('kerasls-0.1.0-py3-none-any.whl'), '0.1.0');
        assert.equal(wheelVersion('kerasls-1.2.3rc1-1-py3-none-any.whl'), '1.2.3rc1');
        assert.equal(wheelVersion('kerasls-0.1.0.tar.gz'), undefined);
        assert.equal(wheelVersion('other-0.1.0-py3-none-any.whl'), undefined);
    });
});

describe('compareVersions', () => {
    it('orders releases, pre-releases, post and dev releases as PEP 440 does', () => {
        const ordered = ['0.0.9', '0.1.0.dev1', '0.1.0a1', '0.1.0b2', '0.1.0rc1', '0.1.0', '0.1.0.post1', '0.1.1', '0.10.0', '1.0'];
        for (let i = 0; i < ordered.length; i++) {
            for (let j = 0; j < ordered.length; j++) {
                assert.equal(compareVersions(ordered[i], ordered[j]), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
            }
        }
    });

    it('treats 0.1 and 0.1.0 (and local versions) as equal, and unknown versions as no reason to update', () => {
        assert.equal(compareVersions('0.1', '0.1.0'), 0);
        assert.equal(compareVersions('0.1.0+local.1', '0.1.0'), 0);
        assert.equal(compareVersions('not a version', '0.1.0'), 0);
    });
});

describe('findBundledWheel', () => {
    it('finds the newest kerasls wheel in bundled/', () => {
        const extension = fs.mkdtempSync(path.join(os.tmpdir(), 'kerasls-extension-'));
        assert.equal(findBundledWheel(extension), undefined);
        fs.mkdirSync(path.join(extension, 'bundled'));
        assert.equal(findBundledWheel(extension), undefined);
        for (const name of ['kerasls-0.1.0-py3-none-any.whl', 'kerasls-0.2.0-py3-none-any.whl', 'README.txt']) {
            fs.writeFileSync(path.join(extension, 'bundled', name), '');
        }
        assert.deepEqual(findBundledWheel(extension), {
            path: path.join(extension, 'bundled', 'kerasls-0.2.0-py3-none-any.whl'),
            version: '0.2.0',
        });
    });
});
