#!/usr/bin/env bash
# Installs Selenium (PyPI), which drives Chromium through Moodle's pages in
# scripts/moodle-e2e.sh, into a private virtual environment when it is missing, and prints
# the path of that environment's python.
set -euo pipefail

version=4.51.0
venv="${XDG_CACHE_HOME:-$HOME/.cache}/labgate/selenium-$version"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import selenium" 2> /dev/null; then
    echo "Installing selenium $version into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "selenium==$version" >&2
fi
echo "$venv/bin/python"
