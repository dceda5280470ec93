#!/usr/bin/env bash
# ensure-venv.sh NAME PACKAGE==VERSION…: a private virtual environment of PyPI packages, in
# ~/.cache/labgate/NAME, made (again) unless it holds every package at its version; prints
# its path. The ensure-*.sh scripts and the fuzzer get their Python tools through it.
set -euo pipefail

name=$1
shift
venv="${XDG_CACHE_HOME:-$HOME/.cache}/labgate/$name"
installed=$("$venv/bin/pip" freeze --disable-pip-version-check 2> /dev/null || true)
for spec in "$@"; do
    if ! grep -qixF "$spec" <<< "$installed"; then
        echo "Installing $* into $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
        break
    fi
done
echo "$venv"
