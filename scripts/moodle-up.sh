#!/usr/bin/env bash
# A real Moodle 4.3 on loopback, from ../shared/moodle/moodle-4.3.tar.xz, for trying LabGate
# against it: PHP 8.2 and MariaDB from Debian packages (installed when missing), a private
# MariaDB, Moodle installed with its own CLI, a course "LAB101" with a teacher and three
# students. Everything lives in DIR (default: a new folder under /tmp), stopped with
# `scripts/moodle-up.sh stop DIR`.
#
#   scripts/moodle-up.sh [DIR]       prints DIR/moodle.env: URL, admin and users' passwords
#   scripts/moodle-up.sh stop DIR
# MOODLE_PUBLIC_URL (e.g. https://moodle.lab.test:8443) names the site when a TLS proxy in
# front of PHP's server serves it (scripts/moodle-e2e.sh); by default it is PHP's server itself.
set -euo pipefail
# Passwords land in files here (config.php, moodle.env): readable by this account only.
umask 077
cd "$(dirname "$0")/.."
root=$PWD

if [ "${1:-}" = "stop" ]; then
    dir=${2:?the folder moodle-up.sh printed}
    # PHP's server forks its workers (PHP_CLI_SERVER_WORKERS); they do not end with their parent.
    if [ -f "$dir/php.pid" ]; then
        pkill -P "$(cat "$dir/php.pid")" 2>/dev/null || true
        kill "$(cat "$dir/php.pid")" 2>/dev/null || true
    fi
    scripts/test-servers.sh stop mariadb "$dir"
    exit 0
fi

tarball=${LABGATE_MOODLE_TARBALL:-$root/../shared/moodle/moodle-4.3.tar.xz}
[ -f "$tarball" ] || { echo "error: $tarball is missing (see ../shared/moodle/README.md)" >&2; exit 1; }

php_packages=(php8.2-cli php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-zip php8.2-gd php8.2-intl
    php8.2-soap php8.2-opcache php8.2-bcmath)
missing=()
for p in "${php_packages[@]}" mariadb-server mariadb-client curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing missing Debian packages: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/labgate-moodle.XXXXXX")}
mkdir -p "$dir"
chmod 700 "$dir"
dir=$(cd "$dir" && pwd)

if [ ! -f "$dir/moodle/version.php" ]; then
    echo "Unpacking Moodle into $dir/moodle" >&2
    tar -xJf "$tarball" -C "$dir"
fi

scripts/test-servers.sh start mariadb "$dir" > /dev/null
. "$dir/mariadb.env"
db_port=$PORT db_password=$PASSWORD
mariadb --no-defaults -h 127.0.0.1 -P "$db_port" -ulabgate -p"$db_password" \
    -e "CREATE DATABASE IF NOT EXISTS moodle DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

# One port for the site, kept with the folder: Moodle's wwwroot is written into its database.
[ -f "$dir/web.port" ] || python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' > "$dir/web.port"
web_port=$(cat "$dir/web.port")
url=${MOODLE_PUBLIC_URL:-http://127.0.0.1:$web_port}
sslproxy=false
[[ $url == https://* ]] && sslproxy=true
[ -f "$dir/admin.password" ] || head -c 12 /dev/urandom | base64 | tr -d '+/=' | sed 's/$/Aa1!/' > "$dir/admin.password"
admin_password=$(cat "$dir/admin.password")

mkdir -p "$dir/moodledata"
cat > "$dir/moodle/config.php" <<PHP
<?php
unset(\$CFG);
global \$CFG;
\$CFG = new stdClass();
\$CFG->dbtype = 'mariadb';
\$CFG->dblibrary = 'native';
\$CFG->dbhost = '127.0.0.1';
\$CFG->dbname = 'moodle';
\$CFG->dbuser = 'labgate';
\$CFG->dbpass = '$db_password';
\$CFG->prefix = 'mdl_';
\$CFG->dboptions = ['dbport' => $db_port, 'dbcollation' => 'utf8mb4_unicode_ci'];
\$CFG->wwwroot = '$url';
\$CFG->dataroot = '$dir/moodledata';
\$CFG->admin = 'admin';
\$CFG->directorypermissions = 0700;
// Behind a proxy that terminates TLS, PHP's server sees http on a port of its own.
\$CFG->sslproxy = $sslproxy;
\$CFG->reverseproxy = $sslproxy;
// Moodle refuses outbound requests to loopback and to ports other than 80 and 443 by
// default; LabGate runs on loopback here (Dynamic Registration, its key set).
\$CFG->curlsecurityblockedhosts = '';
\$CFG->curlsecurityallowedport = '';
\$CFG->debugdisplay = 0;
require_once(__DIR__ . '/lib/setup.php');
PHP
chmod 600 "$dir/moodle/config.php"

php=(php -d max_input_vars=5000 -d memory_limit=512M)
if ! mariadb --no-defaults -h 127.0.0.1 -P "$db_port" -ulabgate -p"$db_password" moodle -e "SELECT 1 FROM mdl_config LIMIT 1" > /dev/null 2>&1; then
    echo "Installing Moodle (about a minute)" >&2
    "${php[@]}" "$dir/moodle/admin/cli/install_database.php" --agree-license --lang=en --adminuser=admin \
        --adminpass="$admin_password" --adminemail=admin@example.edu --fullname="LabGate test site" --shortname=labgate > "$dir/install.log"
    "${php[@]}" "$root/scripts/moodle/populate.php" "$dir/moodle" > "$dir/users.env"
fi

if ! { [ -f "$dir/php.pid" ] && kill -0 "$(cat "$dir/php.pid")" 2>/dev/null; }; then
    PHP_CLI_SERVER_WORKERS=4 nohup "${php[@]}" -S "127.0.0.1:$web_port" -t "$dir/moodle" > "$dir/php.log" 2>&1 &
    echo $! > "$dir/php.pid"
fi
for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$web_port/login/index.php" 2>/dev/null && break
    sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$web_port/login/index.php" || { echo "error: Moodle does not answer at port $web_port; see $dir/php.log" >&2; exit 1; }

{
    echo "MOODLE_URL=$url"
    echo "MOODLE_DIR=$dir"
    echo "MOODLE_ADMIN=admin"
    echo "MOODLE_ADMIN_PASSWORD=$admin_password"
    cat "$dir/users.env"
} > "$dir/moodle.env"
chmod 600 "$dir/moodle.env"
echo "$dir/moodle.env"
