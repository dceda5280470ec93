#!/usr/bin/env bash
# Installs schemathesis (PyPI), which checks the admin API against docs/openapi.yaml, into a
# private virtual environment when it is missing, and prints the path of its executable.
set -euo pipefail

version=4.32.5
venv="${XDG_CACHE_HOME:-$HOME/.cache}/labgate/schemathesis-$version"
if [ ! -x "$venv/bin/schemathesis" ]; then
    echo "Installing schemathesis $version into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
fi
echo "$venv/bin/schemathesis"
