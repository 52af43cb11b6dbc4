#!/usr/bin/env bash
# Property-based tests of the JSON API from its own OpenAPI document with schemathesis
# (PyPI), signed in with an API token of a national administrator: exits non-zero when any
# request answers a server error (5xx) or the run could not be made.
#
#   bash bench/schemathesis.sh [--max-examples N] [--max-time SECONDS]
#
# It builds nothing: H2H_BIN names the binary (default target/release/h2h). It installs
# schemathesis (pinned) into a virtual environment (SCHEMATHESIS_VENV, default
# ~/.cache/h2h-schemathesis) when it is not there, loads the demo into a new SQLite file,
# serves it on 127.0.0.1, makes the account and token with `h2h users add` and
# `h2h users token`, and runs the not_a_server_error check against every operation.
# The reports (JUnit XML, and a pytest file reproducing any failure) go to
# SCHEMATHESIS_REPORT_DIR (default a temporary folder, removed at the end).
set -euo pipefail

version=4.32.5
bin="${H2H_BIN:-target/release/h2h}"
venv="${SCHEMATHESIS_VENV:-$HOME/.cache/h2h-schemathesis}"
max_examples=50
max_time=150

while [ $# -gt 0 ]; do
    case "$1" in
        --max-examples) max_examples="$2"; shift 2 ;;
        --max-time) max_time="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ ! -x "$bin" ]; then
    echo "no h2h binary at $bin: build it (cargo build --release -p h2h) or set H2H_BIN" >&2
    exit 2
fi
if [ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $version" ]; then
    echo "installing schemathesis $version into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

work="$(mktemp -d /tmp/h2h-schemathesis.XXXXXX)"
report_dir="${SCHEMATHESIS_REPORT_DIR:-$work/report}"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

db="sqlite://$work/h2h.db"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
H2H_DEMO_PASSWORD="${H2H_DEMO_PASSWORD:-schemathesis-demo-password}" \
    "$bin" --db "$db" demo --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
    if curl -fs -o /dev/null "$base/api/v1/openapi.json"; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "h2h demo stopped:" >&2; tail -20 "$work/server.log" >&2; exit 2
    fi
    sleep 0.5
done

export H2H_FUZZ_PASSWORD="schemathesis-fuzz-password"
"$bin" --db "$db" users add fuzz --role national_admin --password-env H2H_FUZZ_PASSWORD >/dev/null
token="$("$bin" --db "$db" users token fuzz --label schemathesis | tail -1)"
if [ "${token#h2h_}" = "$token" ]; then
    echo "h2h users token printed no token" >&2; exit 2
fi

status=0
"$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error \
    --max-examples "$max_examples" \
    --max-time "$max_time" \
    --seed 7 \
    --workers 2 \
    --request-timeout 10 \
    --no-color \
    --report junit,pytest --report-dir "$report_dir" \
    --generation-database none || status=$?

if grep -q ' panicked\|ERROR' "$work/server.log"; then
    echo "the server logged errors during the run:" >&2
    grep ' panicked\|ERROR' "$work/server.log" | head -20 >&2
    [ "$status" -ne 0 ] || status=1
fi
exit "$status"
