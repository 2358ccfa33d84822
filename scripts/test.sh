#!/usr/bin/env bash
# Install everything the tests need and run the whole suite, fast tier first.
#   ./scripts/test.sh            all tiers: fast, TensorFlow oracle, Neovim, VS Code
#   ./scripts/test.sh fast       only the fast suite (no TensorFlow, no editors)
# Each tier gets what it needs on a fresh machine; installs are reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TIERS=${*:-fast oracle neovim vscode}

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
    *)
      echo "unknown tier: $tier (fast, oracle, neovim, vscode)" >&2
      exit 2
      ;;
  esac
done
echo "=== all tiers passed: $TIERS"
