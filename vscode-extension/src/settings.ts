// The `kerasls.*` settings and what the server receives of them.
//
// The server gets a flat object of the `kerasls.*` settings without the prefix, less the ones only the
// extension uses (CLIENT_ONLY_SETTINGS), both as `initializationOptions` and as the answer to
// `workspace/configuration` for section `kerasls`. tests/test_vscode_settings_contract.py (in the repo root)
// reads CLIENT_ONLY_SETTINGS from this file and package.json's defaults, and checks the server accepts them.
// This module must not import `vscode` at run time: the unit tests load it in plain Node.

export const SECTION = 'kerasls';

/** Settings the extension itself uses; never sent to the server. */
export const CLIENT_ONLY_SETTINGS = ['interpreter', 'path', 'serverArgs', 'trace.server'];

/** Settings the server reads; package.json declares exactly these plus CLIENT_ONLY_SETTINGS. */
export const SERVER_SETTINGS = [
    'enable',
    'run',
    'showSyntaxErrors',
    'select',
    'ignore',
    'severity',
    'debounce',
    'inlayHints',
] as const;

/** Changing one of these restarts the server. */
export const RESTART_SETTINGS = ['interpreter', 'path', 'serverArgs', 'enable'];

export type ServerSettingName = (typeof SERVER_SETTINGS)[number];
export type ServerOptions = Record<ServerSettingName, unknown>;

/** The part of `vscode.WorkspaceConfiguration` this module needs (the `kerasls` section). */
export interface ConfigurationLike {
    get<T>(key: string): T | undefined;
}

/** `initializationOptions` / the `workspace/configuration` answer, from the `kerasls` section. */
export function serverOptions(config: ConfigurationLike): ServerOptions {
    const options = {} as ServerOptions;
    for (const key of SERVER_SETTINGS) {
        options[key] = plain(config.get(key));
    }
    return options;
}

/** The same from a raw section object, as `workspace/configuration` gives it (e.g. `{enable, run, trace: {...}}`). */
export function serverOptionsFromObject(section: unknown): ServerOptions | null {
    if (section === null || typeof section !== 'object' || Array.isArray(section)) {
        return null;
    }
    const values = section as Record<string, unknown>;
    return serverOptions({ get: <T>(key: string) => values[key] as T | undefined });
}

/** Does a configuration change event touch a setting that needs a restart? */
export function needsRestart(affects: (section: string) => boolean): boolean {
    return RESTART_SETTINGS.some((key) => affects(`${SECTION}.${key}`));
}

// A JSON copy: VS Code hands out read-only proxies for objects and arrays.
function plain(value: unknown): unknown {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
