#!/usr/bin/env bash
# The class benchmark as quoted in the docs: a release build of `labgate simulate class`,
# the real provisioning code (preparer, reconciler, worker, lifecycle) against PVESim on a
# throw-away SQLite database, once with the class prepared and once without. Arguments go
# to `labgate simulate class`; the default is the issue's scenario: 300 students arriving
# within 10 s on 4 nodes × 4 clones of 8 s, a class of 60 minutes, 10 % who never come.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/ensure-packages.sh
swift build -c release --scratch-path .build-release --product labgate
if [ $# -eq 0 ]; then
    set -- --students 300 --within 10 --nodes 4 --clone-seconds 8 --clones-per-node 4 --minutes 60 --no-show 0.1 --time-scale 20
fi
exec .build-release/release/labgate simulate class "$@"
