#!/usr/bin/env bash
# Starts and stops private MariaDB and Redis servers for the tests: loopback only,
# data in a folder the caller names, a free port and a random password each.
#
#   test-servers.sh start mariadb|redis DIR   prints the port; DIR/<name>.env holds the rest
#   test-servers.sh stop  mariadb|redis DIR   stops it (data stays, so start resumes it)
#
# Tests that take a server down and bring it back (fault tests) call it themselves
# on a folder of their own, so they never disturb the shared servers.
set -euo pipefail

action=${1:?start or stop}
name=${2:?mariadb or redis}
dir=${3:?data folder}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# A port below the kernel's ephemeral range, so that no outgoing connection and no
# bind to port 0 (the tests' own servers) can take it while a server is down for a restart.
free_port() {
    local port low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$low" -gt 12000 ] || low=32768
    for _ in $(seq 1 200); do
        port=$((10000 + RANDOM % (low - 10000)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free loopback port found" >&2
    return 1
}

# Port and password are chosen once per folder and kept, so a restart comes back
# at the same address, as a real server would.
remember() {
    local file="$dir/$name.env"
    if [ ! -f "$file" ]; then
        printf 'PORT=%s\nPASSWORD=%s\n' "$(free_port)" "$(head -c 18 /dev/urandom | base64 | tr -d '+/=')" > "$file"
    fi
    # shellcheck disable=SC1090
    . "$file"
}

wait_until() {
    local what=$1; shift
    for _ in $(seq 1 300); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "$what did not become ready; see $dir" >&2
    return 1
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() {
    local pidfile=$1
    pid_alive "$pidfile" || return 0
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

# A certificate authority of the folder's own and a certificate it signs for 127.0.0.1 and
# localhost (or the subjectAltName in LABGATE_TEST_CERT_NAMES), so that MariaDB and Redis offer
# TLS as production servers would: DIR/tls/ca.pem is what a client checks them against (the
# tests' LABGATE_TEST_CA).
make_certificates() {
    local tls="$dir/tls"
    [ -f "$tls/server.pem" ] && return 0
    mkdir -p "$tls"
    chmod 700 "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
        -subj "/CN=LabGate test authority" -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$tls/server-key.pem" -out "$tls/server.csr" 2>/dev/null
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial \
        -days 30 -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "${LABGATE_TEST_CERT_NAMES:-IP:127.0.0.1,DNS:localhost}") \
        -out "$tls/server.pem" 2>/dev/null
}

start_mariadb() {
    remember
    local data="$dir/mariadb-data" sock="$dir/mariadb.sock"
    if pid_alive "$dir/mariadb.pid"; then echo "$PORT"; return 0; fi
    make_certificates
    if [ ! -d "$data/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" \
            --auth-root-authentication-method=socket --skip-test-db > "$dir/mariadb-install.log" 2>&1
        local fresh=1
    fi
    mariadbd --no-defaults --datadir="$data" --socket="$sock" --port="$PORT" \
        --bind-address=127.0.0.1 --user="$(id -un)" --pid-file="$dir/mariadb.pid" \
        --log-error="$dir/mariadb.err" --skip-name-resolve --skip-log-bin \
        --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
        --innodb-flush-log-at-trx-commit=2 --max-connections=500 \
        --ssl-ca="$dir/tls/ca.pem" --ssl-cert="$dir/tls/server.pem" \
        --ssl-key="$dir/tls/server-key.pem" > /dev/null 2>&1 &
    wait_until "MariaDB" mariadb-admin --no-defaults --socket="$sock" -uroot ping
    if [ "${fresh:-0}" = 1 ]; then
        # Tests create a database of their own each, so the user may create databases.
        mariadb --no-defaults --socket="$sock" -uroot <<SQL
CREATE USER 'labgate'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'labgate'@'127.0.0.1';
CREATE DATABASE labgate CHARACTER SET utf8mb4;
SQL
    fi
    echo "$PORT"
}

start_redis() {
    remember
    if pid_alive "$dir/redis.pid"; then echo "$PORT"; return 0; fi
    make_certificates
    # The same data in TLS on a port of its own (DIR/redis.env's TLS_PORT).
    [ -n "${TLS_PORT:-}" ] || { TLS_PORT=$(free_port); echo "TLS_PORT=$TLS_PORT" >> "$dir/redis.env"; }
    # appendonly: a job enqueued before a restart survives it. fsync once a second, like
    # MariaDB's flush-log-at-trx-commit=2 above: only a crash of the machine loses that second.
    redis-server --port "$PORT" --bind 127.0.0.1 --dir "$dir" --requirepass "$PASSWORD" \
        --tls-port "$TLS_PORT" --tls-cert-file "$dir/tls/server.pem" --tls-key-file "$dir/tls/server-key.pem" \
        --tls-ca-cert-file "$dir/tls/ca.pem" --tls-auth-clients no \
        --appendonly yes --appendfsync everysec --save '' --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" > /dev/null
    wait_until "Redis" redis-cli -p "$PORT" -a "$PASSWORD" --no-auth-warning ping
    echo "$PORT"
}

case "$action:$name" in
    start:mariadb) start_mariadb ;;
    start:redis) start_redis ;;
    stop:mariadb) stop_pid "$dir/mariadb.pid" ;;
    stop:redis) stop_pid "$dir/redis.pid" ;;
    *) echo "usage: $0 start|stop mariadb|redis DIR" >&2; exit 64 ;;
esac
