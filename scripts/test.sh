#!/usr/bin/env bash
# Install everything the tests need and run the whole suite, fast tier first.
#   ./scripts/test.sh            all tiers: fast, TensorFlow oracle, Neovim, VS Code, JupyterLab
#   ./scripts/test.sh fast       only the fast suite (no TensorFlow, no editors)
# Each tier gets what it needs on a fresh machine; installs are reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TIERS=${*:-fast oracle neovim vscode jupyterlab}
PLAYWRIGHT_VERSION=1.65.2  # the Python package only: it drives Debian's chromium, no browser download

venv() {  # venv DIR EXTRAS
  if [ ! -x "$1/bin/python" ]; then "$PYTHON" -m venv "$1"; fi
  "$1/bin/python" -m pip install -q --disable-pip-version-check -e ".[$2]"
}

for tier in $TIERS; do
  echo "=== kerasls tests: $tier ($(date +%T))"
  case "$tier" in
    fast)
      venv .venv test
      .venv/bin/python -m pytest -q
      ;;
    oracle)
      # TensorFlow lives in its own environment: the fast suite proves kerasls never needs it.
      venv .venv-oracle test,oracle
      .venv-oracle/bin/python -m pytest -q -m oracle
      ;;
    neovim)
      venv .venv test,neovim
      .venv/bin/python -m pytest -q -m neovim
      ;;
    vscode)
      venv .venv test
      .venv/bin/python -m pytest -q -m vscode
      ;;
    jupyterlab)
      # JupyterLab + jupyterlab-lsp in their own environment (the `jupyterlab` extra), driven by Debian's chromium.
      if ! command -v chromium >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
      fi
      venv .venv-jupyterlab test,jupyterlab
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv-jupyterlab/bin/python -m pip install -q --disable-pip-version-check \
        "playwright==$PLAYWRIGHT_VERSION"
      .venv-jupyterlab/bin/python -m pytest -q -m jupyterlab
      ;;
    *)
      echo "unknown tier: $tier (fast, oracle, neovim, vscode, jupyterlab)" >&2
      exit 2
      ;;
  esac
done
echo "=== all tiers passed: $TIERS"
