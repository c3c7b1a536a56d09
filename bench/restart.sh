#!/usr/bin/env bash
# `rampart serve` killed with SIGKILL under heavy traffic, and started again on the same database:
# how soon the gateway answers again, and whether anything committed was lost.
#
#   * the demo bank (`rampart-demo serve`, 300 customers) on a free 127.0.0.1 port;
#   * `rampart serve` in front of it (release build), trusting 127.0.0.1 as a proxy, the bank's
#     spec declared, the store in $BENCH_DIR/restart/;
#   * baseline, measured in the same run: a cold start on an empty database, ROUNDS times — the
#     time from exec to the first 200 through the gateway;
#   * then ROUNDS times: LOAD_SECONDS of unpaced traffic from GENERATORS traffic generators (each
#     simulated customer its own address), `kill -9` while it flows, restart at once, the time
#     from exec to the first 200 through the gateway, and the API's counts (endpoints, findings,
#     alerts, decisions, audit entries) read just before the kill against those after the
#     restart has reloaded (must not be lower), plus one decision added through the API before
#     each kill, which must be enforced (403) right after the restart.
#
# The figures go to $BENCH_DIR/restart.md and stdout; exit 1 when something committed was lost or
# a decision was not enforced after a restart. Everything listens on 127.0.0.1; every load is
# bounded; what the script starts is stopped by PID on exit.
#
# Usage: bench/restart.sh   (env: BENCH_DIR, CARGO_TARGET_DIR, ROUNDS=5, LOAD_SECONDS=20, GENERATORS=2)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"
BENCH_DIR="${BENCH_DIR:-/var/tmp/rampart-bench}"
WORK="$BENCH_DIR/restart"
RAMPART="$CARGO_TARGET_DIR/release/rampart"
DEMO="$CARGO_TARGET_DIR/release/rampart-demo"
ROUNDS="${ROUNDS:-5}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
GENERATORS="${GENERATORS:-2}"
PIDS=()
SERVE_PID=""

cleanup() {
  local pid
  [ -n "$SERVE_PID" ] && kill -TERM "$SERVE_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
watchdog 1800

echo "== building (release)" >&2
cargo build --release -q -p rampart-cli -p rampart-demo
rm -rf "$WORK" && mkdir -p "$WORK"

BANK_PORT=$(free_port)
"$DEMO" serve --listen "127.0.0.1:$BANK_PORT" --customers 300 >"$WORK/bank.log" 2>&1 &
PIDS+=("$!")
GATEWAY_PORT=$(free_port)
CONTROL_PORT=$(free_port)
ADMIN_PORT=$(free_port)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$BANK_PORT/.well-known/jwks.json" >/dev/null && break; sleep 0.1; done

write_config() {
  cat >"$WORK/rampart.toml" <<EOF
listen = "127.0.0.1:$GATEWAY_PORT"
admin_listen = "127.0.0.1:$ADMIN_PORT"

[[routes]]
upstream = "http://127.0.0.1:$BANK_PORT"

[forwarding]
trusted_proxies = ["127.0.0.1/32"]

[access_log]
enabled = false

[server]
listen = "127.0.0.1:$CONTROL_PORT"

[store]
path = "$1"

[pipeline]
interval_ms = 1000
specs = ["$ROOT/examples/bank-api.openapi.yaml"]
EOF
}

now_ms() { date +%s%3N; }

# Starts rampart serve; sets SERVE_PID, and ELAPSED to the milliseconds until the gateway answered 200.
start_and_time() {
  local started answered
  started=$(now_ms)
  "$RAMPART" serve --config "$WORK/rampart.toml" >>"$WORK/serve.out" 2>>"$WORK/serve.err" &
  SERVE_PID=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$GATEWAY_PORT/.well-known/jwks.json"; do
    kill -0 "$SERVE_PID" 2>/dev/null || { echo "error: rampart serve exited; see $WORK/serve.err" >&2; exit 2; }
    sleep 0.005
  done
  answered=$(now_ms)
  ELAPSED=$((answered - started))
}

api() { curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$CONTROL_PORT$1"; }
total() { api "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
counts() {
  echo "$(total '/api/v1/endpoints?limit=500') $(total '/api/v1/findings?limit=500') $(total '/api/v1/alerts?limit=500') $(total '/api/v1/decisions?active=false') $(total '/api/v1/audit-log')"
}

echo "== baseline: cold starts on an empty database" >&2
COLD=()
for round in $(seq "$ROUNDS"); do
  write_config "$WORK/cold-$round.db"
  start_and_time
  COLD+=("$ELAPSED")
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
done

echo "== kill -9 under traffic, then restart" >&2
write_config "$WORK/rampart.db"
: >"$WORK/serve.out"
start_and_time
for _ in $(seq 100); do [ -s "$WORK/serve.out" ] && break; sleep 0.05; done
TOKEN=$(head -n1 "$WORK/serve.out")
RESTART=()
LOST=0
ROWS=""
for round in $(seq "$ROUNDS"); do
  GEN=()
  for g in $(seq "$GENERATORS"); do
    timeout "$((LOAD_SECONDS + 30))" "$DEMO" traffic --target "http://127.0.0.1:$GATEWAY_PORT" --customers 300 \
      --forwarded-for --continuous --rate 0 --requests 2000 >"$WORK/traffic-$round-$g.log" 2>&1 &
    GEN+=("$!"); PIDS+=("$!")
  done
  sleep "$LOAD_SECONDS"
  blocked="192.0.2.$round"
  curl -fs -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"kind\":\"ip\",\"value\":\"$blocked\",\"action\":\"block\",\"reason\":\"bench round $round\",\"expires_in_seconds\":3600}" \
    "http://127.0.0.1:$CONTROL_PORT/api/v1/decisions"
  before=$(counts)
  pipeline=$(api /api/v1/metrics | python3 -c 'import json,sys; m=json.load(sys.stdin); p=m["pipeline"]; print(m["gateway"]["requests"], "requests,", p["exchanges"], "analysed,", p["dropped"], "dropped")')
  kill -KILL "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
  start_and_time
  ms=$ELAPSED
  RESTART+=("$ms")
  enforced=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $blocked" "http://127.0.0.1:$GATEWAY_PORT/.well-known/jwks.json")
  for g in "${GEN[@]}"; do kill -TERM "$g" 2>/dev/null || true; wait "$g" 2>/dev/null || true; done
  # The restarted analysis reloads beside the gateway: wait until the inventory is back.
  want_endpoints=${before%% *}
  for _ in $(seq 200); do
    [ "$(total '/api/v1/endpoints?limit=500' 2>/dev/null || echo 0)" -ge "$want_endpoints" ] && break
    sleep 0.05
  done
  after=$(counts)
  read -r -a b <<<"$before"; read -r -a a <<<"$after"
  verdict="kept"
  for i in 0 1 2 3 4; do [ "${a[$i]}" -ge "${b[$i]}" ] || { verdict="LOST"; LOST=1; }; done
  [ "$enforced" = "403" ] || { verdict="$verdict, decision NOT enforced ($enforced)"; LOST=1; }
  ROWS+="| $round | $pipeline | $ms | ${b[*]} | ${a[*]} | $verdict, decision $enforced |"$'\n'
  echo "round $round: gateway answered ${ms} ms after the restart; before: $before; after: $after; $verdict" >&2
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
COLD_MEDIAN=$(median "${COLD[@]}")
RESTART_MEDIAN=$(median "${RESTART[@]}")
RATIO=$(python3 -c "print(f'{$RESTART_MEDIAN / max($COLD_MEDIAN, 1):.2f}')")
{
  echo "## Restart after kill -9 under traffic ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "Cold start on an empty database (baseline): ${COLD[*]} ms, median ${COLD_MEDIAN} ms."
  echo "Restart after kill -9, ${GENERATORS} unpaced generators for ${LOAD_SECONDS} s each round: ${RESTART[*]} ms, median ${RESTART_MEDIAN} ms (${RATIO}x the cold start)."
  echo
  echo "| round | before the kill (this process) | ms to first 200 | before kill: endpoints findings alerts decisions audit | after restart | |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$ROWS"
} | tee "$BENCH_DIR/restart.md"
exit "$LOST"
