#!/usr/bin/env bash
# Install everything the tests need and run the whole suite, fast tier first.
#   ./scripts/test.sh            all tiers: fast, TensorFlow oracle, Neovim, Emacs, VS Code, JupyterLab
#   ./scripts/test.sh fast       only the fast suite (no TensorFlow, no editors)
# Each tier gets what it needs on a fresh machine; installs are reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TIERS=${*:-fast oracle neovim emacs vscode jupyterlab}
PLAYWRIGHT_VERSION=1.65.2  # the Python package only: it drives Debian's chromium, no browser download

venv() {  # venv DIR EXTRAS
  if [ ! -x "$1/bin/python" ]; then "$PYTHON" -m venv "$1"; fi
  "$1/bin/python" -m pip install -q --disable-pip-version-check -e ".[$2]"
}

APT_UPDATED=""
apt_install() {  # apt_install PACKAGE...: Debian packages, as root or through sudo
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  if [ -z "$APT_UPDATED" ]; then $sudo apt-get -qq update; APT_UPDATED=1; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

has_eglot() {
  command -v emacs >/dev/null && emacs --batch --eval '(kill-emacs (if (locate-library "eglot") 0 1))' 2>/dev/null
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
    emacs)
      # Eglot is built into Emacs 29+; Debian 12's Emacs 28 gets it from elpa-eglot.
      if ! command -v emacs >/dev/null; then apt_install emacs-nox; fi
      if ! has_eglot; then apt_install elpa-eglot; fi
      venv .venv test
      .venv/bin/python -m pytest -q -m emacs
      ;;
    vscode)
      venv .venv test
      .venv/bin/python -m pytest -q -m vscode
      ;;
    jupyterlab)
      # JupyterLab + jupyterlab-lsp in their own environment (the `jupyterlab` extra), driven by Debian's chromium.
      if ! command -v chromium >/dev/null; then apt_install chromium fonts-dejavu-core >/dev/null; fi
      venv .venv-jupyterlab test,jupyterlab
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv-jupyterlab/bin/python -m pip install -q --disable-pip-version-check \
        "playwright==$PLAYWRIGHT_VERSION"
      .venv-jupyterlab/bin/python -m pytest -q -m jupyterlab
      ;;
    *)
      echo "unknown tier: $tier (fast, oracle, neovim, emacs, vscode, jupyterlab)" >&2
      exit 2
      ;;
  esac
done
echo "=== all tiers passed: $TIERS"
