#!/usr/bin/env bash
# The real Moodle suite: a Moodle 4.3 (scripts/moodle-up.sh) and a LabGate on the embedded
# defaults, driven through Moodle's own pages in headless Chromium (scripts/moodle/e2e.py).
# It runs in two modes:
#   http   Moodle and LabGate on loopback addresses over plain http (one site);
#   https  as a university deploys them: https://moodle.lab.test and https://labgate.lab.test
#          behind nginx, certificates from a CA this script makes. Chromium maps both names
#          to loopback (--host-resolver-rules); Moodle and LabGate, which call each other,
#          find them in a private /etc/hosts and trust the CA through a private CA bundle.
#
#   scripts/moodle-e2e.sh [http] [https]     both modes when none is named
# Screenshots of each step land in $LABGATE_E2E_SHOTS (default ./.build/moodle-e2e).
# Each mode ends with a line counting its steps; any failure fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(http https)
shots=${LABGATE_E2E_SHOTS:-$root/.build/moodle-e2e}

# The private /etc/hosts and CA bundle need a mount namespace of the suite's own: set up
# outside it what needs the real system (packages, the browser driver, the build), then
# run again inside it.
if [ -z "${LABGATE_E2E_INSIDE:-}" ]; then
    . scripts/swift-env.sh
    scripts/ensure-packages.sh --servers
    scripts/ensure-packages.sh --browser
    selenium=$(scripts/ensure-selenium.sh)
    swift build --product labgate
    export LABGATE_E2E_INSIDE=1 LABGATE_E2E_PYTHON=$selenium LABGATE_E2E_BIN=$(swift build --show-bin-path)/labgate
    if [ "$(id -u)" -eq 0 ]; then
        exec unshare --mount --propagation private "$0" "${modes[@]}"
    fi
    exec unshare --user --map-current-user --mount --propagation private "$0" "${modes[@]}"
fi

labgate=$LABGATE_E2E_BIN
umask 077
work=$(mktemp -d "${TMPDIR:-/tmp}/labgate-e2e.XXXXXX")
# LABGATE_E2E_MOODLE_DIR keeps the installed Moodle between runs (for working on the suite).
moodle_dir=${LABGATE_E2E_MOODLE_DIR:-$work/moodle}
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    scripts/moodle-up.sh stop "$moodle_dir" > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {
    for _ in $(seq 150); do
        curl -fsS -o /dev/null --max-time 2 "$@" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "error: nothing answers at ${*: -1}" >&2
    return 1
}

# Moodle is installed once; each mode starts from the database as it was right after.
echo "Bringing up Moodle 4.3 in $moodle_dir" >&2
scripts/moodle-up.sh "$moodle_dir" > /dev/null
. "$moodle_dir/mariadb.env"
db=(--no-defaults -h 127.0.0.1 -P "$PORT" -ulabgate -p"$PASSWORD")
[ -f "$moodle_dir/installed.sql" ] || mariadb-dump "${db[@]}" --single-transaction moodle > "$moodle_dir/installed.sql"

# Moodle as it was installed, answering at $1.
fresh_moodle() {
    if [ -f "$moodle_dir/php.pid" ]; then
        pkill -P "$(cat "$moodle_dir/php.pid")" 2>/dev/null || true
        kill "$(cat "$moodle_dir/php.pid")" 2>/dev/null || true
        rm -f "$moodle_dir/php.pid"
    fi
    mariadb "${db[@]}" -e "DROP DATABASE moodle; CREATE DATABASE moodle DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    mariadb "${db[@]}" moodle < "$moodle_dir/installed.sql"
    MOODLE_PUBLIC_URL=$1 scripts/moodle-up.sh "$moodle_dir" > /dev/null
    php "$moodle_dir/moodle/admin/cli/purge_caches.php" > /dev/null
}

# A LabGate on the embedded defaults and the built-in Proxmox simulator, at public URL $2,
# listening on port $3; $4 is the extra LTI settings of the mode.
start_labgate() {
    local dir=$1 public=$2 port=$3 lti=$4
    mkdir -p "$dir/environments" "$dir/platforms"
    for name in linux-desktop network-lab; do
        cat > "$dir/environments/$name.yaml" <<YAML
name: $name
title: $([ "$name" = linux-desktop ] && echo "Linux desktop" || echo "Network lab")
vms:
  - template: 9000
    clone: linked
    cores: 2
    memoryMiB: 2048
    cloudInit: {user: student, generatePassword: true}
access: {protocol: rdp, port: 3389}
lifetimeMinutes: 240
idleTimeoutMinutes: 60
YAML
    done
    cat > "$dir/labgate.yaml" <<YAML
server: {host: 127.0.0.1, port: $port}
log: {level: info, format: json}
database: {path: $dir/labgate.sqlite}
security: {secretKeyFile: $dir/secret.key}
provisioning: {environmentsDirectory: $dir/environments}
lti:
  publicUrl: $public
  platformsDirectory: $dir/platforms
$lti
YAML
    "$labgate" serve --config "$dir/labgate.yaml" > "$dir/labgate.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/readyz"
}

# Runs the browser suite, then reads LabGate's log: Moodle's GET of the launch URL (its
# cartridge check) must have been answered, and nothing may have been logged as a warning.
drive() {
    local dir=$1 public=$2
    shift 2
    "$labgate" platform invite --config "$dir/labgate.yaml" --expires 1h > "$dir/invitation" 2> /dev/null
    local status=0
    "$LABGATE_E2E_PYTHON" scripts/moodle/e2e.py "$moodle_dir/moodle.env" "$public" "$dir/invitation" "$shots/$mode" "$@" || status=$?
    # The logs go with the screenshots: LabGate's names no secret, PHP's only requests.
    cp "$dir/labgate.log" "$moodle_dir/php.log" "$shots/$mode/"
    [ "$status" -eq 0 ] || return "$status"
    python3 - "$dir/labgate.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
checks = [l for l in lines if l.get("path") == "/lti/launch" and l.get("method") == "GET"]
loud = [l for l in lines if l.get("level") in ("warning", "error", "critical")]
print(f"LabGate's log: {len(checks)} cartridge checks answered {sorted({l['status'] for l in checks})}, {len(loud)} warnings")
for l in loud:
    print("  ", json.dumps(l)[:300])
sys.exit(0 if checks and all(l["status"] == "200" for l in checks) and not loud else 1)
PY
}

run_http() {
    local port dir=$work/http
    port=$(free_port)
    fresh_moodle ""
    start_labgate "$dir" "http://127.0.0.1:$port" "$port" "  allowInsecureLoopback: true
  allowPrivateAddresses: true"
    drive "$dir" "http://127.0.0.1:$port" --mode http
}

run_https() {
    local dir=$work/https tls=$work/https/tls port labgate_port web_port
    mkdir -p "$tls"
    # A CA, and one certificate per site under it.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=LabGate e2e CA" \
        -keyout "$tls/ca.key" -out "$tls/ca.pem" 2> /dev/null
    openssl genrsa -out "$tls/site.key" 2048 2> /dev/null
    for site in moodle labgate; do
        openssl req -new -key "$tls/site.key" -subj "/CN=$site.lab.test" -out "$tls/$site.csr" 2> /dev/null
        openssl x509 -req -in "$tls/$site.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
            -extfile <(printf 'subjectAltName=DNS:%s.lab.test\nextendedKeyUsage=serverAuth\n' "$site") \
            -out "$tls/$site.pem" 2> /dev/null
    done
    { cat /etc/hosts; echo "127.0.0.1 moodle.lab.test labgate.lab.test"; } > "$tls/hosts"
    { cat /etc/ssl/certs/ca-certificates.crt; cat "$tls/ca.pem"; } > "$tls/ca-bundle.crt"
    chmod 644 "$tls/hosts" "$tls/ca-bundle.crt"
    mount --bind "$tls/hosts" /etc/hosts
    mount --bind "$tls/ca-bundle.crt" /etc/ssl/certs/ca-certificates.crt

    port=$(free_port) labgate_port=$(free_port) web_port=$(cat "$moodle_dir/web.port")
    cat > "$tls/nginx.conf" <<NGINX
pid $tls/nginx.pid;
error_log $tls/nginx-error.log;
events {}
http {
    access_log off;
    client_body_temp_path $tls/body;
    proxy_temp_path $tls/proxy;
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto https;
    client_max_body_size 20m;
    client_body_buffer_size 1m;
    server {
        listen 127.0.0.1:$port ssl;
        server_name moodle.lab.test;
        ssl_certificate $tls/moodle.pem;
        ssl_certificate_key $tls/site.key;
        location / { proxy_pass http://127.0.0.1:$web_port; }
    }
    server {
        listen 127.0.0.1:$port ssl;
        server_name labgate.lab.test;
        ssl_certificate $tls/labgate.pem;
        ssl_certificate_key $tls/site.key;
        location / { proxy_pass http://127.0.0.1:$labgate_port; }
    }
}
NGINX
    nginx -e "$tls/nginx-error.log" -c "$tls/nginx.conf" -g 'daemon off;' &
    pids+=($!)
    fresh_moodle "https://moodle.lab.test:$port"
    wait_for "https://moodle.lab.test:$port/login/index.php"
    # Every address is loopback here, which LabGate refuses for URLs from outside unless told.
    start_labgate "$dir" "https://labgate.lab.test:$port" "$labgate_port" "  allowPrivateAddresses: true"
    drive "$dir" "https://labgate.lab.test:$port" --mode https --resolve moodle.lab.test,labgate.lab.test \
        --certificate "$tls/labgate.pem"
}

mkdir -p "$shots"
for mode in "${modes[@]}"; do
    rm -rf "${shots:?}/$mode"
    echo "--- Moodle end to end, $mode" >&2
    "run_$mode"
done
