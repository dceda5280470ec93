#!/usr/bin/env bash
# The launch benchmark as quoted in the docs: a release build of `labgate bench launch`
# against private MariaDB and Redis servers on loopback (started here, stopped after), whose
# CPU it reports per launch. Arguments go to `labgate bench launch` (e.g. --concurrency 64).
#
# With --separate-server first, LabGate runs as its own `labgate serve` process, so that the
# gateway's CPU per login and per launch is told apart from the load generator's.
set -euo pipefail
separate=
if [ "${1:-}" = "--separate-server" ]; then separate=1; shift; fi
. "$(dirname "$0")/bench-servers.sh"

storage=(--storage-pid "$(cat "$work/mariadb.pid")" --storage-pid "$(cat "$work/redis.pid")")
if [ -z "$separate" ]; then
    $labgate bench launch --config "$work/bench.yaml" "${storage[@]}" "$@"
    exit
fi
start_gateway
$labgate bench launch --config "$work/bench.yaml" --url "$gateway_url" --server-pid "$gateway_pid" "${storage[@]}" "$@"
