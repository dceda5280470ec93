#!/usr/bin/env bash
# Sourced by the benchmark scripts: a release build of `labgate`, private MariaDB and Redis
# servers on loopback (stopped on exit), $work/bench.yaml pointing at them, and
# start_gateway, which runs a `labgate serve` of its own and waits until it answers.
# Set LABGATE_BENCH_BUILD=debug to use the debug build instead (quicker to build, slower to run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/swift-env.sh

scripts/ensure-packages.sh --servers
if [ "${LABGATE_BENCH_BUILD:-release}" = debug ]; then
    swift build --product labgate
    labgate=.build/debug/labgate
else
    swift build -c release --scratch-path .build-release --product labgate
    labgate=.build-release/release/labgate
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/labgate-bench.XXXXXX")
servers=scripts/test-servers.sh
gateways=()
cleanup() {
    for pid in "${gateways[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${gateways[@]}"; do wait "$pid" 2>/dev/null || true; done
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

# free_port: a loopback port nothing listens on now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for_answer URL WHAT: waits up to 30 s for URL to answer 2xx.
wait_for_answer() {
    for _ in $(seq 300); do
        python3 -c "import urllib.request; urllib.request.urlopen('$1', timeout=1)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$2 at $1 did not become ready" >&2
    return 1
}

# start_gateway: a `labgate serve` on a free loopback port, without a worker (launches are
# measured, not provisioning); sets gateway_url and gateway_pid.
start_gateway() {
    local port
    port=$(free_port)
    LABGATE_SERVER_PORT=$port LABGATE_LTI_PUBLIC_URL=http://127.0.0.1:$port LABGATE_LTI_ALLOW_INSECURE_LOOPBACK=true \
        LABGATE_LOG_LEVEL=warning LABGATE_WORKER_IN_PROCESS=false $labgate serve --config "$work/bench.yaml" &
    gateway_pid=$!
    gateways+=("$gateway_pid")
    gateway_url=http://127.0.0.1:$port
    wait_for_answer "$gateway_url/readyz" "the gateway"
}
