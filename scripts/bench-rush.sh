#!/usr/bin/env bash
# A class clicking at once, as quoted in the docs: two `labgate serve` processes (release
# build) on private MariaDB and Redis servers on loopback, and `labgate bench rush` sending
# every student's launch to them in turn, in one course with a quota.
# Arguments go to `labgate bench rush` (default --students 500 --quota 30).
set -euo pipefail
. "$(dirname "$0")/bench-servers.sh"

start_gateway
first_url=$gateway_url first_pid=$gateway_pid
start_gateway
$labgate bench rush --config "$work/bench.yaml" --url "$first_url" --url "$gateway_url" \
    --server-pid "$first_pid" --server-pid "$gateway_pid" "$@"
