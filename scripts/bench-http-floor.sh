#!/usr/bin/env bash
# What an HTTP request that does nothing costs on this machine, and where: Debian's `wrk`
# (16 connections, keep-alive) against `GET /healthz` of three servers in turn, rounds times
# (default 3): a SwiftNIO channel handler (NIOFloor), Hummingbird with one route and no
# middleware (HummingbirdFloor, both in Benchmarks/HTTPFloor), and a release `labgate serve` on
# private MariaDB and Redis. Prints each server's CPU per request (from /proc, apart from
# wrk's), then the medians' ratios. Usage: scripts/bench-http-floor.sh [rounds] [seconds]
set -euo pipefail
rounds=${1:-3}
seconds=${2:-8}
. "$(dirname "$0")/bench-servers.sh"
scripts/ensure-packages.sh --bench
(cd Benchmarks/HTTPFloor && swift build -c release --scratch-path ../../.build-floor > /dev/null)

# start_floor NAME: runs .build-floor/release/NAME on a free port; sets floor_url and floor_pid.
start_floor() {
    local port
    port=$(free_port)
    ".build-floor/release/$1" "$port" &
    floor_pid=$!
    gateways+=("$floor_pid")
    floor_url=http://127.0.0.1:$port
    wait_for_answer "$floor_url/healthz" "$1"
}

# cpu_ticks PID: the process's user and system time so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure PID URL: prints "CPU-ms-per-request requests-per-second" of a wrk run against URL.
measure() {
    local before after output
    before=$(cpu_ticks "$1")
    output=$(wrk -t2 -c16 -d"${seconds}s" "$2/healthz")
    after=$(cpu_ticks "$1")
    echo "$output" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v seconds="$seconds" \
        '/requests in/ { printf "%.4f %.0f\n", ticks * 1000 / hz / $1, $1 / seconds }'
}

start_gateway
start_floor NIOFloor; nio_url=$floor_url; nio_pid=$floor_pid
start_floor HummingbirdFloor; hummingbird_url=$floor_url; hummingbird_pid=$floor_pid

results=()
for round in $(seq "$rounds"); do
    read -r nio nio_rps < <(measure "$nio_pid" "$nio_url")
    read -r hummingbird hummingbird_rps < <(measure "$hummingbird_pid" "$hummingbird_url")
    read -r labgate labgate_rps < <(measure "$gateway_pid" "$gateway_url")
    echo "round=$round nio_cpu_ms=$nio hummingbird_cpu_ms=$hummingbird labgate_cpu_ms=$labgate nio_rps=$nio_rps hummingbird_rps=$hummingbird_rps labgate_rps=$labgate_rps"
    results+=("$nio $hummingbird $labgate")
done
printf '%s\n' "${results[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin]
nio, hummingbird, labgate = (statistics.median(column) for column in zip(*rows))
print(f"medians: nio_cpu_ms={nio:.4f} hummingbird_cpu_ms={hummingbird:.4f} labgate_cpu_ms={labgate:.4f} "
      f"hummingbird_over_nio={hummingbird / nio:.2f} labgate_over_hummingbird={labgate / hummingbird:.2f}")'
