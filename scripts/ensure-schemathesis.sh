#!/usr/bin/env bash
# Installs schemathesis (PyPI), which checks the admin API against docs/openapi.yaml, into a
# private virtual environment when it is missing, and prints the path of its executable.
set -euo pipefail

version=4.32.5
echo "$("$(dirname "$0")/ensure-venv.sh" "schemathesis-$version" "schemathesis==$version")/bin/schemathesis"
