#!/usr/bin/env bash
# Installs the PyPI checkers of deploy/ into a private virtual environment when they are
# missing, and prints its bin folder: checkov (security and good practice of the Kubernetes
# manifests and the Containerfile) and kubernetes-validate (the manifests against the
# Kubernetes API's own schemas).
set -euo pipefail

checkov=3.3.30 validate=1.34.1
venv="${XDG_CACHE_HOME:-$HOME/.cache}/labgate/deploy-checkers-$checkov-$validate"
if [ ! -x "$venv/bin/checkov" ] || [ ! -x "$venv/bin/kubernetes-validate" ]; then
    echo "Installing checkov $checkov and kubernetes-validate $validate into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$checkov" "kubernetes-validate==$validate" >&2
fi
echo "$venv/bin"
