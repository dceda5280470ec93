#!/usr/bin/env bash
# Installs the Debian packages LabGate needs (with --servers, to test; with --browser, what
# the real Moodle suite needs besides) when they are missing. Building needs none beyond the
# Swift toolchain: LabGate links no C library of the system's. Safe to run again: it only
# calls apt-get for what is absent.
set -euo pipefail

packages=()
case "${1:-}" in
    --servers) packages+=(mariadb-server mariadb-client redis-server redis-sentinel openssl chromium python3 python3-venv) ;;
    # The real Moodle suite: a browser driven by Selenium, and a TLS proxy for its https mode.
    --browser) packages=(chromium chromium-driver python3 python3-venv nginx-light openssl curl) ;;
    # The checks of deploy/: systemd-analyze for the units, promtool for the alert rules.
    --deploy) packages=(systemd prometheus python3 python3-venv) ;;
    # The benchmarks' independent load generator.
    --bench) packages=(wrk) ;;
esac

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# The packages' own service scripts may try to start system-wide servers; the tests
# never use those, so a refusal from policy-rc.d is harmless.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
