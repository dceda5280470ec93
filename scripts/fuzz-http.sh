#!/usr/bin/env bash
# Malformed requests at volume against a running LabGate: a `labgate serve` on private MariaDB
# and Redis servers (scripts/bench-servers.sh), a platform registered for the fuzzer, whose key
# set it serves on loopback, and an admin API token. scripts/fuzz/fuzz_http.py then sends
# broken id_tokens after real login initiations, forms with invalid UTF-8 and repeated or
# missing fields, oversized bodies and headers, wrong content types, random paths and methods
# and the API with random JSON, and prints one line:
#
#   fuzz: requests=… crashes=… server_errors=… cut_connections=… statuses=2xx:…,3xx:…,4xx:…
#         held_connections=… rss_start_mb=… rss_warm_mb=… rss_end_mb=… seconds=… seed=…
#
# It exits 1 on a crash, on any 5xx answer, if the server still holds a connection a few
# seconds after the fuzzer closed all of its own, or if the server's memory grew by more than
# a quarter (and 32 MB) from the first tenth of the run to its end.
#
#   scripts/fuzz-http.sh            100,000 requests on a release build
#   scripts/fuzz-http.sh --short    10,000 on the debug build (the test command's)
#   FUZZ_SEED=n scripts/fuzz-http.sh   the same requests again
#   FUZZ_CASES=launch,api scripts/fuzz-http.sh   only those kinds of request (launch, form,
#                                      oversized, content_type, random_path, api)
set -euo pipefail
requests=${FUZZ_REQUESTS:-100000}
if [ "${1:-}" = --short ]; then
    requests=10000
    export LABGATE_BENCH_BUILD=${LABGATE_BENCH_BUILD:-debug}
fi
. "$(dirname "$0")/bench-servers.sh"

venv=$("$(dirname "$0")/ensure-venv.sh" fuzz-cryptography-46.0.3 cryptography==46.0.3)

export LABGATE_LTI_ALLOW_INSECURE_LOOPBACK=true
jwks_port=$(free_port)
issuer=http://127.0.0.1:$jwks_port
$labgate platform add --config "$work/bench.yaml" --issuer "$issuer" --client-id fuzz-client --deployment-id fuzz-deployment \
    --auth-url "$issuer/auth" --token-url "$issuer/token" --jwks-url "$issuer/jwks" > /dev/null
token=$($labgate token create --config "$work/bench.yaml" --name fuzz --scope admin | grep -o 'lgt_[A-Za-z0-9_-]*' | head -n 1)
[ -n "$token" ] || { echo "no API token was made" >&2; exit 1; }

start_gateway
status=0
"$venv/bin/python" scripts/fuzz/fuzz_http.py --url "$gateway_url" --pid "$gateway_pid" --requests "$requests" \
    --jwks-port "$jwks_port" --issuer "$issuer" --client-id fuzz-client --deployment fuzz-deployment --token "$token" \
    --openapi docs/openapi.yaml ${FUZZ_SEED:+--seed "$FUZZ_SEED"} ${FUZZ_CASES:+--cases "$FUZZ_CASES"} > "$work/fuzz.out" || status=$?
line=$(cat "$work/fuzz.out")
echo "$line"
[ "$status" -eq 0 ] || exit "$status"
warm=$(sed -n 's/.*rss_warm_mb=\([0-9]*\).*/\1/p' <<< "$line")
end=$(sed -n 's/.*rss_end_mb=\([0-9]*\).*/\1/p' <<< "$line")
if [ "$end" -gt $((warm * 5 / 4 + 32)) ]; then
    echo "fuzz: the server's memory grew from $warm MB to $end MB" >&2
    exit 1
fi
