#!/usr/bin/env bash
# The run command: installs what is missing, builds LabGate and starts it on the
# embedded defaults (SQLite under ./var, in-process store and queue), or on the
# configuration in lti-config/labgate.yaml when that file exists.
# Arguments go to `labgate`; with none it runs `labgate serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/ensure-packages.sh
swift build --product labgate
[ $# -eq 0 ] && set -- serve
exec "$(swift build --show-bin-path)/labgate" "$@"
