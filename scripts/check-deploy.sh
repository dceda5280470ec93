#!/usr/bin/env bash
# Checks the files of deploy/ with the tools their formats come with: systemd-analyze verify
# (the units, with ExecStart pointed at this build's binary), promtool (the alert rules),
# kubernetes-validate (the manifests against the Kubernetes API's schemas) and checkov (the
# manifests' and the Containerfile's security and good practice). Installs what is missing.
# Run by the test command; alone: scripts/check-deploy.sh [path of a labgate binary].
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-$PWD/.build/debug/labgate}
[ -x "$binary" ] || { echo "error: no labgate binary at $binary (build first)" >&2; exit 1; }
scripts/ensure-packages.sh --deploy
bin=$(scripts/ensure-deploy-checkers.sh)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/labgate-deploy.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

echo "systemd units:"
for unit in deploy/systemd/*.service; do
    sed "s#/usr/local/bin/labgate#$binary#g" "$unit" > "$scratch/$(basename "$unit")"
done
# An instance of the template stands for it: verify needs a unit it could start.
cp "$scratch/labgate-worker@.service" "$scratch/labgate-worker@1.service"
(cd "$scratch" && systemd-analyze verify labgate-serve.service labgate-migrate.service labgate-worker@1.service) > "$scratch/verify.out" 2>&1 || true
if [ -s "$scratch/verify.out" ]; then
    cat "$scratch/verify.out" >&2
    echo "error: systemd-analyze verify found the problems above in deploy/systemd" >&2
    exit 1
fi
echo "  $(ls deploy/systemd/*.service | wc -l) units verified"

echo "Prometheus alert rules:"
promtool check rules deploy/prometheus/*.yaml

echo "Grafana dashboard:"
python3 -m json.tool deploy/grafana/labgate-dashboard.json > /dev/null && echo "  valid JSON"

echo "Kubernetes manifests:"
manifests=$(ls deploy/kubernetes/base/*.yaml | grep -v kustomization.yaml)
# shellcheck disable=SC2086
"$bin/kubernetes-validate" --strict --quiet -k 1.34.0 $manifests
echo "  $(echo "$manifests" | wc -l) files valid for Kubernetes 1.34"

# checkov asks its vendor's servers for guidance unless told not to; without a network of its
# own (when the machine allows one) it cannot even try: the tests talk to loopback only.
isolated=()
if unshare -n true 2> /dev/null; then isolated=(unshare -n); fi
cp deploy/container/Containerfile "$scratch/Dockerfile"
export BC_SKIP_MAPPING=TRUE CHECKOV_NO_OUTPUT_STYLE=true
"${isolated[@]}" "$bin/checkov" --quiet --compact --skip-download --framework kubernetes -d deploy/kubernetes/base
"${isolated[@]}" "$bin/checkov" --quiet --compact --skip-download --framework dockerfile -f "$scratch/Dockerfile"
