#!/usr/bin/env bash
# Builds the kerasls wheel from this repository into a folder (default: dist/), replacing the kerasls wheels
# already there, and prints the wheel's path.
#
#   scripts/build_wheel.sh [OUT_DIR]
#
# The build runs on a copy of the files git knows (tracked, plus new files that are not ignored), so that
# leftovers of earlier builds (build/, *.egg-info) and files deleted since never end up in the wheel.
# Outside a git checkout it builds from the folder as it is. Needs a Python with pip (PYTHON, default python3);
# pip fetches the build backend (setuptools) from the package index.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$REPO/dist}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

SOURCE=$REPO
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    SOURCE=$WORK/src
    mkdir -p "$SOURCE"
    # Files that exist (a tracked file deleted in the work tree is left out), the extension's folder too.
    (cd "$REPO" && git ls-files -z --cached --others --exclude-standard -- . ':!vscode-extension' \
        | xargs -0 -I{} sh -c 'test -f "$1" && printf "%s\0" "$1"' _ {} \
        | tar --null -T - -cf -) | tar -xf - -C "$SOURCE"
fi

"$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$WORK/wheel" "$SOURCE" >&2
WHEEL=$(find "$WORK/wheel" -name 'kerasls-*.whl' | head -n 1)
if [[ -z $WHEEL ]]; then
    echo "build_wheel.sh: pip built no kerasls wheel" >&2
    exit 1
fi
rm -f "$OUT"/kerasls-*.whl
cp "$WHEEL" "$OUT/"
echo "$OUT/$(basename "$WHEEL")"
