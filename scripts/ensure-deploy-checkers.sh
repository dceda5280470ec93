#!/usr/bin/env bash
# Installs the PyPI checkers of deploy/ into a private virtual environment when they are
# missing, and prints its bin folder: checkov (security and good practice of the Kubernetes
# manifests and the Containerfile) and kubernetes-validate (the manifests against the
# Kubernetes API's own schemas).
set -euo pipefail

checkov=3.3.30 validate=1.34.1
venv=$("$(dirname "$0")/ensure-venv.sh" "deploy-checkers-$checkov-$validate" "checkov==$checkov" "kubernetes-validate==$validate")
echo "$venv/bin"
