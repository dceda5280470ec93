#!/usr/bin/env bash
# A class's burst while things break: two `labgate serve` and three `labgate worker` processes
# on private MariaDB and Redis servers, PVESim as a process of its own (HTTPS), and
# `labgate bench rush` sending every student's launch to the gateways in turn. While the labs
# are made, a random worker is killed (-9) at a random moment and started again, Redis is
# restarted once, MariaDB once, and a node is taken away for a while. The bench then waits for
# every lab to rest and for the reconciler to destroy what no lab holds (after its grace of a
# minute), and the script prints one line:
#
#   chaos: students=… admitted=… errors=… ready=… failed=… transient=… vms=… duplicates=…
#          stray_vms=… missing_desktops=… dead_letters=… worker_kills=… redis_restarts=1
#          mariadb_restarts=1 node_down_s=… settle_s=…
#
# It exits 1 unless every admitted launch ended ready or failed (with its reason, on standard
# error), with nothing transient, duplicated, stray or dead-lettered.
#
#   scripts/chaos.sh            300 students, 50 kills, a node away for 30 s (release build)
#   scripts/chaos.sh --short    60 students, 12 kills, 10 s (the test command's, on its debug build)
set -euo pipefail
students=300 kills=50 node_down=30
if [ "${1:-}" = --short ]; then
    students=60 kills=12 node_down=10
    export LABGATE_BENCH_BUILD=${LABGATE_BENCH_BUILD:-debug}
fi
. "$(dirname "$0")/bench-servers.sh"

# The cluster: four nodes, linked clones of 8 simulated seconds, 50 times faster.
token_secret=$(head -c 18 /dev/urandom | base64 | tr -d '+/=')
cat > "$work/pve-sim.yaml" <<YAML
timeScale: 50
nodes:
  - { name: pve1, cores: 64, memoryMiB: 524288, subnet: 198.18.1.0/24 }
  - { name: pve2, cores: 64, memoryMiB: 524288, subnet: 198.18.2.0/24 }
  - { name: pve3, cores: 64, memoryMiB: 524288, subnet: 198.18.3.0/24 }
  - { name: pve4, cores: 64, memoryMiB: 524288, subnet: 198.18.4.0/24 }
storages:
  - { id: ceph, shared: true, nodes: [pve1, pve2, pve3, pve4], maxConcurrentClones: 16, linkedCloneSeconds: 8, fullCloneSeconds: 60 }
templates:
  - { vmid: 9000, name: debian-desktop, node: pve1, storage: ceph, cores: 1, memoryMiB: 1024 }
pools: [labgate]
tokens:
  - { id: "labgate@pve!chaos", secret: "$token_secret" }
durations: { start: 3, stop: 2, shutdown: 5, snapshot: 2, rollback: 3, destroy: 2, lockTimeout: 10, agentDelay: 10 }
YAML
chmod 600 "$work/pve-sim.yaml"
$labgate pve-sim --config "$work/pve-sim.yaml" --port 0 --tls-folder "$work/pve" > "$work/pve-sim.out" 2> "$work/pve-sim.err" &
gateways+=("$!")
pve_url=
for _ in $(seq 200); do
    pve_url=$(grep -o 'https://127\.0\.0\.1:[0-9]*' "$work/pve-sim.out" || true)
    [ -n "$pve_url" ] && break
    sleep 0.1
done
[ -n "$pve_url" ] || { echo "PVESim did not start: $(cat "$work/pve-sim.err")" >&2; exit 1; }

cat >> "$work/bench.yaml" <<YAML
proxmox:
  url: $pve_url
  tokenId: "labgate@pve!chaos"
  trust: ca
  caFile: $work/pve/pve-root-ca.pem
provisioning:
  reconcileIntervalSeconds: 5
  orphanGraceMinutes: 1
  stuckAfterMinutes: 1
queue:
  visibilityTimeoutSeconds: 15
YAML
export LABGATE_PROXMOX_TOKEN_SECRET=$token_secret

# The faults PVESim applies from now on (JSON), through its control endpoint.
sim_faults() {
    curl -sS --fail --cacert "$work/pve/pve-root-ca.pem" -X POST -H 'content-type: application/json' \
        --data "$1" "$pve_url/_sim/faults" > /dev/null
}

start_gateway
first_url=$gateway_url
start_gateway
workers=()
start_worker() {
    LABGATE_LOG_LEVEL=notice LABGATE_LOG_FORMAT=json $labgate worker --config "$work/bench.yaml" 2>> "$work/worker-$1.log" &
    workers[$1]=$!
}
for slot in 0 1 2; do start_worker "$slot"; done
stop_workers() {
    for pid in "${workers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${workers[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop_workers; cleanup' EXIT

$labgate bench rush --config "$work/bench.yaml" --students "$students" --quota "$students" \
    --url "$first_url" --url "$gateway_url" --settle-seconds 900 > "$work/bench.out" 2> "$work/bench.err" &
bench=$!

killed=0 redis_restarts=0 mariadb_restarts=0
for round in $(seq 1 "$kills"); do
    kill -0 "$bench" 2>/dev/null || break
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.2, 1.2), 2))')"
    slot=$((RANDOM % 3))
    kill -9 "${workers[$slot]}" 2>/dev/null || true
    wait "${workers[$slot]}" 2>/dev/null || true
    start_worker "$slot"
    killed=$((killed + 1))
    if [ "$round" -eq $((kills / 4)) ]; then
        sim_faults '{"downNodes":["pve3"]}'
        (sleep "$node_down" && sim_faults '{}') &
    fi
    if [ "$round" -eq $((kills / 3)) ]; then
        $servers stop redis "$work" && $servers start redis "$work" > /dev/null
        redis_restarts=$((redis_restarts + 1))
    fi
    if [ "$round" -eq $((2 * kills / 3)) ]; then
        $servers stop mariadb "$work" && $servers start mariadb "$work" > /dev/null
        mariadb_restarts=$((mariadb_restarts + 1))
    fi
done
bench_status=0
wait "$bench" || bench_status=$?
line=$(cat "$work/bench.out")
[ "$bench_status" -eq 0 ] && [ -n "$line" ] || { echo "labgate bench rush failed ($bench_status): $(tail -c 2000 "$work/bench.err")" >&2; exit 1; }
figure() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<< "$line"; }

echo "chaos: students=$(figure students) admitted=$(figure admitted) errors=$(figure errors) ready=$(figure ready)" \
    "failed=$(figure failed) transient=$(figure transient) vms=$(figure vms) duplicates=$(figure duplicates)" \
    "stray_vms=$(figure stray_vms) missing_desktops=$(figure missing_desktops) dead_letters=$(figure dead_letters)" \
    "worker_kills=$killed redis_restarts=$redis_restarts mariadb_restarts=$mariadb_restarts node_down_s=$node_down" \
    "settle_s=$(figure settle_s)"
cat "$work/bench.err" >&2
if [ "$(figure failed)" != 0 ]; then
    # Why, from the workers' logs (their reconcilers and lifecycles), counted by reason with ids and minutes left out.
    echo "chaos: the reasons labs failed for, from the workers' logs:" >&2
    cat "$work"/worker-*.log | python3 -c '
import collections, json, re, sys
reasons = collections.Counter()
for line in sys.stdin:
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("message") in ("lab instance failed", "lab instance abandoned"):
        reasons[entry.get("state", "?") + ": " + re.sub(r"\d+", "N", entry.get("reason", "?"))[:160]] += 1
for reason, count in reasons.most_common(10):
    print(f"  {count:4d}  {reason}")
' >&2 || true
fi
settled=$(($(figure ready) + $(figure failed)))
if [ "$settled" -ne "$(figure admitted)" ] || [ "$(figure transient)" != 0 ] || [ "$(figure duplicates)" != 0 ] \
    || [ "$(figure stray_vms)" != 0 ] || [ "$(figure missing_desktops)" != 0 ] || [ "$(figure dead_letters)" != 0 ] \
    || [ "$redis_restarts" -ne 1 ] || [ "$mariadb_restarts" -ne 1 ]; then
    echo "chaos: not every lab came through; the workers' last warnings:" >&2
    grep -h '"level":"\(warning\|error\)"' "$work"/worker-*.log | tail -n 20 >&2 || true
    exit 1
fi
