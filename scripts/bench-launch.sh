#!/usr/bin/env bash
# The launch benchmark as quoted in the docs: a release build of `labgate bench launch`
# against private MariaDB and Redis servers on loopback (started here, stopped after).
# Arguments go to `labgate bench launch` (e.g. --concurrency 64 --seconds 20).
#
# With --separate-server first, LabGate runs as its own `labgate serve` process and the
# script also prints the CPU that process used while under load, so the gateway's own
# cost per launch can be told apart from the load generator's (which signs every id_token).
set -euo pipefail
separate=
if [ "${1:-}" = "--separate-server" ]; then separate=1; shift; fi
. "$(dirname "$0")/bench-servers.sh"

if [ -z "$separate" ]; then
    $labgate bench launch --config "$work/bench.yaml" "$@"
    exit
fi

start_gateway
server=$gateway_pid

seconds=10
args=("$@")
for i in "${!args[@]}"; do [ "${args[$i]}" = "--seconds" ] && seconds=${args[$((i + 1))]}; done
$labgate bench launch --config "$work/bench.yaml" --url "$gateway_url" "$@" > "$work/result" &
bench=$!
# Sample the CPU of the server and of the load generator (the test platform signing every
# id_token, and the browsers) over the middle of the measured window (after set-up and warm-up).
sleep 3
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
server_start=$(ticks $server)
bench_start=$(ticks $bench)
window=$((seconds - 2))
sleep "$window"
server_used=$(( $(ticks $server) - server_start ))
bench_used=$(( $(ticks $bench) - bench_start ))
wait $bench
cat "$work/result"
rate=$(sed -n 's/.*launches_per_s=\([0-9]*\).*/\1/p' "$work/result")
python3 -c "
hz, window, rate = $(getconf CLK_TCK), $window, $rate
gateway, generator = $server_used / hz / window, $bench_used / hz / window
print(f'gateway_cpu_cores={gateway:.2f} launches_per_gateway_cpu_s={rate / gateway:.0f} '
      f'generator_cpu_cores={generator:.2f} generator_cpu_ms_per_launch={1000 * generator / rate:.2f}')"
