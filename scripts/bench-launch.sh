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
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/ensure-packages.sh --servers
swift build -c release --scratch-path .build-release --product labgate

work=$(mktemp -d "${TMPDIR:-/tmp}/labgate-bench.XXXXXX")
servers=scripts/test-servers.sh
cleanup() {
    $servers stop mariadb "$work" || true
    $servers stop redis "$work" || true
    rm -rf "$work"
}
trap cleanup EXIT

$servers start mariadb "$work" > /dev/null
$servers start redis "$work" > /dev/null
mariadb_port=$(sed -n 's/^PORT=//p' "$work/mariadb.env")
redis_port=$(sed -n 's/^PORT=//p' "$work/redis.env")
cat > "$work/bench.yaml" <<YAML
database:
  engine: mariadb
  port: $mariadb_port
  poolSize: 16
ephemeral:
  engine: redis
redis:
  port: $redis_port
  poolSize: 16
security:
  secretKeyFile: $work/secret.key
YAML
export LABGATE_DATABASE_PASSWORD LABGATE_REDIS_PASSWORD
LABGATE_DATABASE_PASSWORD=$(sed -n 's/^PASSWORD=//p' "$work/mariadb.env")
LABGATE_REDIS_PASSWORD=$(sed -n 's/^PASSWORD=//p' "$work/redis.env")
labgate=.build-release/release/labgate

if [ -z "$separate" ]; then
    exec $labgate bench launch --config "$work/bench.yaml" "$@"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LABGATE_SERVER_PORT=$port LABGATE_LTI_PUBLIC_URL=http://127.0.0.1:$port LABGATE_LTI_ALLOW_INSECURE_LOOPBACK=true \
    LABGATE_LOG_LEVEL=warning LABGATE_WORKER_IN_PROCESS=false $labgate serve --config "$work/bench.yaml" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null && break
    sleep 0.1
done

seconds=10
args=("$@")
for i in "${!args[@]}"; do [ "${args[$i]}" = "--seconds" ] && seconds=${args[$((i + 1))]}; done
$labgate bench launch --config "$work/bench.yaml" --url "http://127.0.0.1:$port" "$@" > "$work/result" &
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
