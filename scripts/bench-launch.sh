#!/usr/bin/env bash
# The launch benchmark as quoted in the docs: a release build of `labgate bench launch`
# against private MariaDB and Redis servers on loopback (started here, stopped after).
# Arguments go to `labgate bench launch` (e.g. --concurrency 64 --seconds 20).
set -euo pipefail
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
LABGATE_DATABASE_PASSWORD=$(sed -n 's/^PASSWORD=//p' "$work/mariadb.env") \
LABGATE_REDIS_PASSWORD=$(sed -n 's/^PASSWORD=//p' "$work/redis.env") \
    .build-release/release/labgate bench launch --config "$work/bench.yaml" "$@"
