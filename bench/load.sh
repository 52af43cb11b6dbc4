#!/usr/bin/env bash
# Load test of the web application with wrk on loopback, per store, against the bar of
# issue #7: p95 under 100 ms and no errors for 50 concurrent users on the demo data.
#
#   bash bench/load.sh [--postgres URL] [--seconds N] [--users N] [--threads N] [--no-sqlite]
#
# For each store (a new SQLite file; a new database on the PostgreSQL server of URL, or of
# TEST_POSTGRES_URL, when one is given) it runs `h2h demo` on 127.0.0.1 with
# H2H_DEMO_PASSWORD, signs in as the demo analyst with curl, checks that every page answers
# 200 with the session cookie, then runs wrk with bench/load.lua rotating over the pages,
# and the same load on the static stylesheet as the peer. It prints one line per store:
#
#   store=sqlite users=50 seconds=30 requests=... rps=... p50_ms=... p95_ms=... p99_ms=...
#   errors=0 peer_rps=... peer_p95_ms=... p95_ratio=... bar=met
#
# errors counts answers other than 200 and socket errors (connect, read, write, timeout).
# It builds nothing: H2H_BIN names the binary (default target/release/h2h). It installs
# wrk with apt-get when it is missing. Exit 0 when every store met the bar, 1 when one did
# not, 2 when the test could not run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${H2H_BIN:-target/release/h2h}"
seconds="${LOAD_SECONDS:-30}"
users="${LOAD_USERS:-50}"
threads="${LOAD_THREADS:-2}"
postgres="${TEST_POSTGRES_URL:-}"
sqlite=1
password="${H2H_DEMO_PASSWORD:-load-test-password-1}"

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) postgres="$2"; shift 2 ;;
        --seconds) seconds="$2"; shift 2 ;;
        --users) users="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --no-sqlite) sqlite=0; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ ! -x "$bin" ]; then
    echo "no h2h binary at $bin: build it (cargo build --release -p h2h) or set H2H_BIN" >&2
    exit 2
fi
if ! command -v wrk >/dev/null; then
    echo "installing wrk" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

work="$(mktemp -d /tmp/h2h-load.XXXXXX)"
server=""
pg_database=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    if [ -n "$pg_database" ]; then psql -q "$postgres" -c "DROP DATABASE IF EXISTS $pg_database" >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The pages measured: one of each kind a signed-in analyst reaches (the plan's id is read
# from the plans page), the same mix as `h2h bench web`.
pages=(
    /
    /framework
    /framework/metrics/cdof.h5_drug_misuse_deaths
    "/areas?kind=upper_tier"
    /areas/E06000047
    /areas/E06000047/metrics/cdof.h5_drug_misuse_deaths
    /areas/E12000001
    /areas/W15000002/scorecard
    /partnerships/CDP-DURHAM-DARLINGTON
    /plans
    "/api/v1/areas?kind=pfa"
    /api/v1/metrics
)
peer=/assets/govuk-frontend.min.css
status=0

# measure NAME URL: serves the demo over the store at URL and prints its line.
measure() {
    local name="$1" url="$2" port base cookie plan line peer_line
    port="$(free_port)"
    base="http://127.0.0.1:$port"
    H2H_DEMO_PASSWORD="$password" "$bin" --db "$url" demo --addr "127.0.0.1:$port" \
        >"$work/$name-server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 600); do
        if curl -fs -o /dev/null "$base/login"; then break; fi
        if ! kill -0 "$server" 2>/dev/null; then
            echo "store=$name: h2h demo stopped:" >&2; tail -20 "$work/$name-server.log" >&2; exit 2
        fi
        sleep 0.5
    done
    curl -s -o /dev/null -D "$work/headers" -X POST \
        --data-urlencode username=analyst --data-urlencode "password=$password" \
        --data-urlencode next=/ "$base/login"
    cookie="$(grep -i '^set-cookie: h2h_session=' "$work/headers" | head -1 | sed -E 's/^[Ss]et-[Cc]ookie: (h2h_session=[^;]*).*/\1/' | tr -d '\r')"
    if [ -z "$cookie" ]; then
        echo "store=$name: signing in as analyst gave no session cookie" >&2; cat "$work/headers" >&2; exit 2
    fi
    plan="$(curl -fs -H "Cookie: $cookie" "$base/plans" | grep -oE 'href="/plans/[0-9]+"' | head -1 | sed -E 's/href="(.*)"/\1/')"
    local paths=("${pages[@]}")
    if [ -n "$plan" ]; then paths+=("$plan"); fi
    for path in "${paths[@]}" "$peer"; do
        local code
        code="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base$path")"
        if [ "$code" != 200 ]; then
            echo "store=$name: $path answered $code before the load" >&2; exit 2
        fi
    done
    line="$(LOAD_PATHS="${paths[*]}" LOAD_COOKIE="$cookie" \
        wrk -t "$threads" -c "$users" -d "${seconds}s" --timeout 5s -s "$here/load.lua" "$base" | tail -1)"
    peer_line="$(LOAD_PATHS="$peer" LOAD_COOKIE="$cookie" \
        wrk -t "$threads" -c "$users" -d "${seconds}s" --timeout 5s -s "$here/load.lua" "$base" | tail -1)"
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
    python3 - "$name" "$users" "$seconds" "$line" "$peer_line" <<'EOF' || status=1
import sys
name, users, seconds, line, peer_line = sys.argv[1:]
def fields(text):
    return dict(pair.split("=", 1) for pair in text.split())
try:
    f, p = fields(line), fields(peer_line)
    errors = int(f["non200"]) + int(f["socket_errors"])
    peer_errors = int(p["non200"]) + int(p["socket_errors"])
except (KeyError, ValueError):
    print(f"store={name}: wrk printed no figures: {line!r} {peer_line!r}", file=sys.stderr)
    sys.exit(2)
ratio = float(f["p95_ms"]) / max(float(p["p95_ms"]), 1e-9)
met = float(f["p95_ms"]) < 100 and errors == 0 and peer_errors == 0
print(
    f"store={name} users={users} seconds={seconds} requests={f['requests']} rps={f['rps']} "
    f"p50_ms={f['p50_ms']} p95_ms={f['p95_ms']} p99_ms={f['p99_ms']} errors={errors} "
    f"peer_rps={p['rps']} peer_p95_ms={p['p95_ms']} peer_errors={peer_errors} "
    f"p95_ratio={ratio:.2f} bar={'met' if met else 'NOT_met'}"
)
if errors:
    print(f"store={name}: first answer other than 200: {f['first_non200']}", file=sys.stderr)
sys.exit(0 if met else 1)
EOF
}

echo "load: $users connections, $threads wrk threads, ${seconds}s per run, pages: ${#pages[@]} + a plan; peer $peer" >&2
if [ "$sqlite" = 1 ]; then
    measure sqlite "sqlite://$work/load.db"
fi
if [ -n "$postgres" ]; then
    if ! command -v psql >/dev/null; then
        echo "psql is needed to make a database on $postgres" >&2; exit 2
    fi
    pg_database="h2h_load_$$"
    psql -q "$postgres" -c "CREATE DATABASE $pg_database" >/dev/null
    # The same server and credentials, the new database.
    base_url="${postgres%%\?*}"
    query="${postgres#"$base_url"}"
    measure postgres "${base_url%/*}/$pg_database$query"
fi
exit "$status"
