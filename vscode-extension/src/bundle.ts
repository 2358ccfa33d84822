// The kerasls wheel that comes inside the .vsix (`bundled/kerasls-<version>-py3-none-any.whl`, built by
// `npm run package` from the repository), and comparing its version with an installed kerasls.
// This module must not import `vscode`: the unit tests load it in plain Node.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BUNDLED_FOLDER = 'bundled';

export interface BundledWheel {
    /** Absolute path of the .whl file. */
    path: string;
    version: string;
}

/** The wheel in `<extension>/bundled/`; the newest if there are several, undefined if there is none. */
export function findBundledWheel(extensionPath: string): BundledWheel | undefined {
    const folder = path.join(extensionPath, BUNDLED_FOLDER);
    let names: string[];
    try {
        names = fs.readdirSync(folder);
    } catch {
        return undefined;
    }
    const wheels = names
        .map((name) => ({ name, version: wheelVersion(name) }))
        .filter((wheel): wheel is { name: string; version: string } => wheel.version !== undefined)
        .sort((a, b) => compareVersions(b.version, a.version));
    return wheels.length ? { path: path.join(folder, wheels[0].name), version: wheels[0].version } : undefined;
}

/** The version in a kerasls wheel's file name (`kerasls-0.1.0-py3-none-any.whl` → `0.1.0`). */
export function wheelVersion(fileName: string): string | undefined {
    return /^kerasls-([^-]+)(?:-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/i.exec(fileName)?.[1];
}

interface ParsedVersion {
    release: number[];
    /** a, b, rc as 0, 1, 2; a final release sorts after them (3), a dev release of it before (-1). */
    pre: [number, number];
    post: number;
    dev: number;
}

/** A PEP 440 version (the usual forms: `1.2`, `1.2.3rc1`, `1.2.post1`, `1.2.dev3`, `1.2+local`); undefined if it is none. */
export function parseVersion(version: string): ParsedVersion | undefined {
    const match = /^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9.]+)?$/i.exec(
        version.trim(),
    );
    if (!match) {
        return undefined;
    }
    const [, release, preLabel, preNumber, post, dev] = match;
    const preRank: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };
    let pre: [number, number] = [3, 0];
    if (preLabel) {
        pre = [preRank[preLabel.toLowerCase()], Number(preNumber || 0)];
    } else if (dev !== undefined && post === undefined) {
        pre = [-1, 0]; // 1.0.dev1 comes before 1.0a1
    }
    return {
        release: release.split('.').map(Number),
        pre,
        post: post === undefined ? -1 : Number(post || 0),
        dev: dev === undefined ? Number.POSITIVE_INFINITY : Number(dev || 0),
    };
}

/** Negative when `a` is older than `b`, positive when newer, 0 when equal or either is no version. */
export function compareVersions(a: string, b: string): number {
    const x = parseVersion(a);
    const y = parseVersion(b);
    if (!x || !y) {
        return 0;
    }
    const length = Math.max(x.release.length, y.release.length);
    for (let i = 0; i < length; i++) {
        const difference = (x.release[i] ?? 0) - (y.release[i] ?? 0);
        if (difference) {
            return Math.sign(difference);
        }
    }
    const pairs: [number, number][] = [
        [x.pre[0], y.pre[0]],
        [x.pre[1], y.pre[1]],
        [x.post, y.post],
        [x.dev, y.dev],
    ];
    for (const [p, q] of pairs) {
        if (p !== q) {
            return p < q ? -1 : 1;
        }
    }
    return 0;
}
