// What an interpreter has (its version, kerasls or not), and what pip's output says went wrong.
// This module must not import `vscode`: the unit tests load it in plain Node.

/** The oldest Python kerasls runs on (pyproject.toml's requires-python). */
export const MINIMUM_PYTHON: [number, number] = [3, 10];

/** What `<python>` has: its version, and kerasls (importable or not, which version). */
export type PythonCheck =
    | { kind: 'ok'; python: string; version?: string; location?: string }
    | { kind: 'missing'; python: string; detail: string }
    | { kind: 'old-python'; python: string }
    | { kind: 'no-python'; detail: string };

/** `<python> -c INSPECT_SCRIPT` prints one line of JSON; it runs on any Python (even 2.7). */
export const INSPECT_SCRIPT = `
import json, sys
r = {"python": "%d.%d.%d" % tuple(sys.version_info[:3])}
try:
    import kerasls
except Exception as e:
    r["error"] = "%s: %s" % (type(e).__name__, e)
else:
    r["location"] = getattr(kerasls, "__file__", None)
    try:
        from importlib.metadata import version
        r["version"] = version("kerasls")
    except Exception:
        r["version"] = getattr(kerasls, "__version__", None)
print(json.dumps(r))
`;

/** Reads what INSPECT_SCRIPT printed (or why it could not run). */
export function parseInspection(error: (Error & { code?: unknown }) | null, stdout: string, stderr: string): PythonCheck {
    const line = stdout.trim().split('\n').pop() ?? '';
    let report: { python?: string; error?: string; version?: string | null; location?: string | null } | undefined;
    try {
        report = JSON.parse(line);
    } catch {
        report = undefined;
    }
    if (!report?.python) {
        const detail = error?.code === 'ENOENT' ? 'no such file or command' : stderr.trim() || error?.message || stdout.trim();
        return { kind: 'no-python', detail };
    }
    const [major, minor] = report.python.split('.').map(Number);
    const tooOld = major < MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor < MINIMUM_PYTHON[1]);
    if (report.error !== undefined) {
        return tooOld ? { kind: 'old-python', python: report.python } : { kind: 'missing', python: report.python, detail: report.error };
    }
    return { kind: 'ok', python: report.python, version: report.version ?? undefined, location: report.location ?? undefined };
}

/** The most telling line of pip's output: its first `ERROR:`/`error:` line, else the last line. */
export function failureReason(lines: string[]): string | undefined {
    const error = lines.find((line) => /^\s*(ERROR:|error:|\S+: No module named pip)/.test(line));
    return (error ?? lines[lines.length - 1])?.trim();
}
