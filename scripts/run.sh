#!/usr/bin/env bash
# The run command: installs what is missing, builds LabGate and runs the demo: LabGate on
# the embedded defaults (SQLite in a temporary folder, in-process store and queue), the
# built-in simulated Proxmox cluster and the test LTI platform, registered with each other.
# Arguments go to `labgate` instead (`scripts/run.sh serve` runs the gateway on
# lti-config/labgate.yaml, or on the embedded defaults under ./var without it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/ensure-packages.sh
swift build --product labgate
[ $# -eq 0 ] && set -- demo
exec "$(swift build --show-bin-path)/labgate" "$@"
