#!/usr/bin/env bash
# Installs Selenium (PyPI), which drives Chromium through Moodle's pages in
# scripts/moodle-e2e.sh, into a private virtual environment when it is missing, and prints
# the path of that environment's python.
set -euo pipefail

version=4.51.0
echo "$("$(dirname "$0")/ensure-venv.sh" "selenium-$version" "selenium==$version")/bin/python"
