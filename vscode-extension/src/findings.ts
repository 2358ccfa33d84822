// `kerasls check --format json` output, read and filtered the way the editor's settings say.
// This module must not import `vscode`: the unit tests load it in plain Node.
import * as path from 'node:path';

export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
export type SeverityName = (typeof SEVERITIES)[number];

export interface Position {
    line: number;
    character: number;
}

export interface Range {
    start: Position;
    end: Position;
}

export interface Finding {
    /** Absolute path of the file (the .ipynb for a notebook). */
    path: string;
    code: string;
    name?: string;
    severity: SeverityName;
    message: string;
    /** 0-based, in the file or (with `cell`) in that cell. */
    range: Range;
    /** For a notebook: the 0-based index of the cell among all cells. */
    cell?: number;
    /** The rule's documentation. */
    url?: string;
    related: { message: string; range: Range; cell?: number }[];
}

/** What the editor's kerasls.* settings change in the command line's findings. */
export interface FindingFilter {
    severity?: Record<string, string>;
    showSyntaxErrors?: boolean;
}

/** Parses the JSON list that `kerasls check --format json` prints; paths are taken from `cwd`. Throws when it is no such list. */
export function parseFindings(stdout: string, cwd: string): Finding[] {
    const data: unknown = JSON.parse(stdout);
    if (!Array.isArray(data)) {
        throw new Error('kerasls check printed no JSON list');
    }
    return data.map((item, index) => {
        if (!isObject(item) || typeof item.path !== 'string' || typeof item.code !== 'string' || typeof item.message !== 'string' || !isRange(item.range)) {
            throw new Error(`finding ${index} is not a kerasls finding: ${JSON.stringify(item).slice(0, 200)}`);
        }
        const severity = SEVERITIES.includes(item.severity as SeverityName) ? (item.severity as SeverityName) : 'warning';
        const related = Array.isArray(item.related) ? item.related.filter((r) => isObject(r) && typeof r.message === 'string' && isRange(r.range)) : [];
        return {
            path: path.resolve(cwd, item.path),
            code: item.code,
            name: typeof item.name === 'string' ? item.name : undefined,
            severity,
            message: item.message,
            range: item.range,
            cell: typeof item.cell === 'number' ? item.cell : undefined,
            url: typeof item.url === 'string' ? item.url : undefined,
            related: related.map((r) => ({ message: r.message, range: r.range, cell: typeof r.cell === 'number' ? r.cell : undefined })),
        } as Finding;
    });
}

/** Applies `kerasls.severity` (by code or rule name, as the server does) and `kerasls.showSyntaxErrors`. */
export function applySettings(findings: Finding[], filter: FindingFilter): Finding[] {
    const overrides = filter.severity ?? {};
    return findings
        .filter((finding) => filter.showSyntaxErrors !== false || finding.code !== 'KLS001')
        .map((finding) => {
            const override = overrides[finding.code] ?? (finding.name ? overrides[finding.name] : undefined);
            return SEVERITIES.includes(override as SeverityName) ? { ...finding, severity: override as SeverityName } : finding;
        });
}

/** The findings per file, each file's in order, duplicates (a file under two workspace folders) once. */
export function byFile(findings: Finding[]): Map<string, Finding[]> {
    const files = new Map<string, Finding[]>();
    const seen = new Set<string>();
    for (const finding of findings) {
        const key = JSON.stringify([finding.path, finding.cell, finding.code, finding.range, finding.message]);
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        const list = files.get(finding.path) ?? [];
        list.push(finding);
        files.set(finding.path, list);
    }
    return files;
}

/** The arguments after `<kerasls>`: `check --format json [--select …] [--ignore …] FOLDER…`. */
export function checkArguments(folders: string[], select: string[] = [], ignore: string[] = []): string[] {
    const args = ['check', '--format', 'json'];
    if (select.length) {
        args.push('--select', select.join(','));
    }
    if (ignore.length) {
        args.push('--ignore', ignore.join(','));
    }
    return [...args, ...folders];
}

function isObject(value: unknown): value is Record<string, any> {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isPosition(value: unknown): value is Position {
    return isObject(value) && Number.isInteger(value.line) && Number.isInteger(value.character);
}

function isRange(value: unknown): value is Range {
    return isObject(value) && isPosition(value.start) && isPosition(value.end);
}
