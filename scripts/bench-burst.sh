#!/usr/bin/env bash
# The burst benchmark as quoted in the docs: a release build of `labgate simulate burst`,
# the real provisioning code against PVESim (no servers needed: a throw-away SQLite
# database and the in-process queue). Arguments go to `labgate simulate burst`; the
# default is the issue's scenario, 300 students within 10 s on 4 nodes × 4 clones of 8 s.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/ensure-packages.sh
swift build -c release --scratch-path .build-release --product labgate
if [ $# -eq 0 ]; then
    set -- --students 300 --within 10 --nodes 4 --clone-seconds 8 --clones-per-node 4
fi
exec .build-release/release/labgate simulate burst "$@"
