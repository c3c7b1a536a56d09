#!/usr/bin/env bash
# Whole-system benchmark of `rampart gateway`, against baselines measured in the same run:
#   * upstream: nginx serving a real `/v2/accounts` body of the demo bank (captured once with a
#     valid token) as static JSON at the bank's own paths;
#   * nginx as a plain reverse proxy in front of it (keep-alive upstream pool);
#   * rampart gateway with everything on: spec validation (block mode), JWT verification against
#     the demo bank's JWKS, an identity-keyed rate limit (high quota: evaluated, never throttles),
#     a blocklist entry, injection detection, masking of `iban` and `card-number`, and the tap
#     writing JSONL to a file (max_body_bytes 4096; the file is deleted at the end).
# Peak throughput: wrk (closed loop, same settings and Authorization header for all three).
# Latency at half load: crates/rampart-gateway/examples/loadgen.rs (open loop, fixed rate) at half
# of Rampart's measured peak, against all three.
# Everything listens on 127.0.0.1 (ports 18081-18089), runs bounded in time, and every process
# started here is stopped by PID on exit.
#
# Usage: bench/gateway.sh          (env: BENCH_SECONDS=15 BENCH_CONNECTIONS=64 PERF=auto|1|0
#                                   NO_RESULTS=1 to skip appending to bench/RESULTS.md,
#                                   DETECT=off to run the gateway without behavioural detection,
#                                   SERVE=1 to run `rampart serve` instead: the same gateway with the
#                                   analysis pipeline, the store and the control plane attached)
# bench/soak.sh sources this file for the setup functions (nothing runs when sourced).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"
RAMPART="$CARGO_TARGET_DIR/release/rampart"
DEMO="$CARGO_TARGET_DIR/release/rampart-demo"
LOADGEN="$CARGO_TARGET_DIR/release/examples/loadgen"
OUT_DIR="${BENCH_DIR:-/var/tmp/rampart-bench}"

UPSTREAM_PORT=18081 # nginx, static JSON
NGINX_PROXY_PORT=18082 # nginx, plain reverse proxy to 18081
RAMPART_PORT=18083 # rampart gateway to 18081
BANK_PORT=18084 # demo bank: mints the token, serves the JWKS
ADMIN_PORT=18089 # rampart admin (metrics)
CUSTOMERS=40
SEED=42

PIDS=()
WORK=""

log() { echo "== $*" >&2; }
die() { echo "error: $*" >&2; exit 1; }

cleanup() {
  local status=$?
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$WORK" ] && [ -d "$WORK" ]; then
    rm -rf "$WORK"
  fi
  exit "$status"
}


setup_common() {
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    log "installing nginx and wrk"
    apt-get install -y nginx wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y nginx wrk >/dev/null; }
  fi
  for tool in nginx wrk curl python3; do
    command -v "$tool" >/dev/null || die "$tool is needed"
  done
  log "building release binaries (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
  cargo build --release -q -p rampart-cli -p rampart-demo
  cargo build --release -q -p rampart-gateway --example loadgen
  for port in $UPSTREAM_PORT $NGINX_PROXY_PORT $RAMPART_PORT $BANK_PORT $ADMIN_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port is already in use on 127.0.0.1"
    fi
  done
  WORK="$(mktemp -d /var/tmp/rampart-gw-bench.XXXXXX)"
  chmod 755 "$WORK" # nginx workers run as nobody
  mkdir -p "$WORK/www" "$WORK/nginx-tmp" "$OUT_DIR"
}

# Waits until an HTTP server answers on the port.
wait_http() {
  local port="$1" pid="$2"
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || die "the process on port $port exited (see $WORK)"
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
      return 0
    fi
    sleep 0.1
  done
  die "nothing answers on port $port after 30 s"
}

start_bank() {
  log "demo bank on 127.0.0.1:$BANK_PORT (mints the token, serves the JWKS)"
  "$DEMO" serve --listen "127.0.0.1:$BANK_PORT" --customers "$CUSTOMERS" --seed "$SEED" \
    >"$WORK/bank.log" 2>&1 &
  BANK_PID=$!
  PIDS+=("$BANK_PID")
  wait_http "$BANK_PORT" "$BANK_PID"
  # The demo's own traffic generator knows the customers' passwords; its HAR holds a
  # successful password grant to copy the form from.
  timeout 120 "$DEMO" traffic --target "http://127.0.0.1:$BANK_PORT" --customers "$CUSTOMERS" --seed "$SEED" \
    --requests 600 --har "$WORK/creds.har" >/dev/null 2>&1
  python3 - "$WORK/creds.har" >"$WORK/grants.txt" <<'EOF'
import json, sys, urllib.parse
har = json.load(open(sys.argv[1]))
seen = set()
for entry in har["log"]["entries"]:
    request = entry["request"]
    if request["method"] != "POST" or not request["url"].endswith("/oauth/token"):
        continue
    if entry["response"]["status"] != 200:
        continue
    post = request.get("postData", {})
    text = post.get("text") or urllib.parse.urlencode([(p["name"], p.get("value", "")) for p in post.get("params", [])])
    if "grant_type=password" in text and text not in seen:
        seen.add(text)
        print(text)
if not seen:
    sys.exit("no successful password grant in the demo traffic")
EOF
  # A customer with an IBAN among their accounts, so that masking has something to mask.
  local form
  while IFS= read -r form; do
    printf '%s' "$form" >"$WORK/grant.form"
    TOKEN="$(mint_token)"
    if curl -sf --max-time 10 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$BANK_PORT/v2/accounts" |
      grep -q '"iban"'; then
      return 0
    fi
  done <"$WORK/grants.txt"
  die "no customer of the demo traffic has an account with an IBAN"
}

# Prints a fresh access token (password grant, 15 minutes).
mint_token() {
  curl -s --max-time 10 -X POST -H 'content-type: application/x-www-form-urlencoded' \
    --data-binary "@$WORK/grant.form" "http://127.0.0.1:$BANK_PORT/oauth/token" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("access_token") or sys.exit(f"no token: {d}"))'
}

# Captures real responses of the bank, then serves them from nginx (upstream + plain proxy).
start_nginx() {
  TOKEN="$(mint_token)"
  [ -n "$TOKEN" ] || die "no token from the demo bank"
  curl -sf --max-time 10 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$BANK_PORT/v2/accounts" \
    >"$WORK/www/accounts.json" || die "GET /v2/accounts on the demo bank failed"
  ACCOUNT_ID="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["data"][0]["accountId"])' "$WORK/www/accounts.json")"
  curl -sf --max-time 10 -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$BANK_PORT/v2/accounts/$ACCOUNT_ID" \
    >"$WORK/www/account.json" || die "GET /v2/accounts/$ACCOUNT_ID on the demo bank failed"
  chmod 644 "$WORK"/www/*.json
  cat >"$WORK/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  etag off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;

  # The upstream: the bank's real responses as static files, at the bank's real paths.
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    types { }
    default_type application/json;
    location = /v2/accounts { alias $WORK/www/accounts.json; }
    location = /v2/accounts/$ACCOUNT_ID { alias $WORK/www/account.json; }
    location / { return 404 '{"title":"Not Found","status":404}'; }
  }

  # The baseline: a plain reverse proxy with a keep-alive pool.
  upstream bank_static {
    server 127.0.0.1:$UPSTREAM_PORT;
    keepalive 256;
  }
  server {
    listen 127.0.0.1:$NGINX_PROXY_PORT;
    location / {
      proxy_pass http://bank_static;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF
  log "nginx: static upstream on :$UPSTREAM_PORT, plain proxy on :$NGINX_PROXY_PORT ($(nginx -v 2>&1))"
  nginx -p "$WORK" -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_http "$UPSTREAM_PORT" "$NGINX_PID"
  wait_http "$NGINX_PROXY_PORT" "$NGINX_PID"
}

# Rampart with every check on. $1: tap file (default a file in the work dir).
start_rampart() {
  TAP_FILE="${1:-$WORK/tap.jsonl}"
  cat >"$WORK/rampart.toml" <<EOF
listen = "127.0.0.1:$RAMPART_PORT"
admin_listen = "127.0.0.1:$ADMIN_PORT"

[[routes]]
name = "bank-v2"
path_prefix = "/v2"
upstream = "http://127.0.0.1:$UPSTREAM_PORT"
mode = "block"
auth = "required"

[[routes]]
name = "bank"
path_prefix = "/"
upstream = "http://127.0.0.1:$UPSTREAM_PORT"
mode = "block"

# One JSON line per request on stdout is off, as nginx's access_log is off.
[access_log]
enabled = false

[tap]
file = "$TAP_FILE"
max_body_bytes = 4096

[masking]
types = ["iban", "card-number"]

[auth.jwt]
issuers = ["https://auth.demo-bank.example"]
audiences = ["https://api.demo-bank.example"]
jwks_url = "http://127.0.0.1:$BANK_PORT/.well-known/jwks.json"

# Evaluated on every authenticated request, never reached.
[[rate_limits.rules]]
name = "per-identity"
key = "identity"
rate = 1000000
per = "second"
burst = 1000000

[[blocklist.entries]]
kind = "ip"
value = "127.0.0.2"
reason = "benchmark: a blocklist that is consulted"
until = "2099-01-01T00:00:00Z"

[injection]
enabled = true
EOF
  log "rampart gateway on :$RAMPART_PORT, everything on (spec: examples/bank-api.openapi.yaml, tap: $TAP_FILE)"
  # Behavioural detection runs on the tap (its cost is part of the measure) but in monitor mode:
  # wrk from one address at tens of thousands of requests a second is a flood by any measure, and
  # enforcing would answer 429s instead of proxying. DETECT=off measures without it.
  local detect_flag="--monitor"
  [ "${DETECT:-monitor}" = off ] && detect_flag="--no-detect"
  if [ "${SERVE:-0}" = 1 ]; then
    # The same gateway inside `rampart serve`: every exchange also goes through discovery,
    # sensitive-data classification and posture (the pipeline), results saved to SQLite.
    rm -f "$WORK/serve.db" "$WORK/serve.db-wal" "$WORK/serve.db-shm"
    cat >>"$WORK/rampart.toml" <<EOF

[validate]
specs = ["$ROOT/examples/bank-api.openapi.yaml"]

[detect]
enabled = $([ "${DETECT:-monitor}" = off ] && echo false || echo true)
monitor = true

[server]
listen = "127.0.0.1:$(free_port)"

[store]
path = "$WORK/serve.db"

[pipeline]
specs = ["$ROOT/examples/bank-api.openapi.yaml"]
EOF
    "$RAMPART" serve --config "$WORK/rampart.toml" >"$WORK/rampart.out" 2>"$WORK/rampart.err" &
  else
    "$RAMPART" gateway --config "$WORK/rampart.toml" --spec "$ROOT/examples/bank-api.openapi.yaml" "$detect_flag" \
      >"$WORK/rampart.out" 2>"$WORK/rampart.err" &
  fi
  RAMPART_PID=$!
  PIDS+=("$RAMPART_PID")
  for _ in $(seq 300); do
    kill -0 "$RAMPART_PID" 2>/dev/null || { cat "$WORK/rampart.err" >&2; die "rampart gateway exited"; }
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$ADMIN_PORT/readyz" && break
    sleep 0.1
  done
  curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$ADMIN_PORT/readyz" || die "rampart is not ready after 30 s"
}

# Refuses to measure unless Rampart answers 200 to the token, masks, and refuses without it.
check_rampart() {
  local status
  status="$(curl -s -o "$WORK/through.json" -w '%{http_code}' --max-time 5 -H "authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$RAMPART_PORT/v2/accounts")"
  if [ "$status" != 200 ]; then
    cat "$WORK/through.json" >&2
    die "rampart answered $status to GET /v2/accounts with the token (expected 200; route mode is block)"
  fi
  status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$RAMPART_PORT/v2/accounts")"
  [ "$status" = 401 ] || die "rampart answered $status without a token (expected 401)"
  python3 - "$WORK/www/accounts.json" "$WORK/through.json" <<'EOF' || die "masking did not happen"
import json, sys
original, through = (json.load(open(p)) for p in sys.argv[1:3])
def ibans(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k.lower() == "iban" and isinstance(v, str):
                yield v
            else:
                yield from ibans(v)
    elif isinstance(value, list):
        for v in value:
            yield from ibans(v)
before, after = list(ibans(original)), list(ibans(through))
if not before:
    sys.exit("the captured body holds no iban to mask")
if before == after:
    sys.exit("the ibans came through unmasked")
print(f"masking: {before[0]} -> {after[0]}", file=sys.stderr)
EOF
  curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | grep -q 'rampart_decisions_total{reason="masked"}' ||
    die "no masked decision in rampart's metrics"
}

# CPU time (user + system, clock ticks) used so far by the given processes.
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}

# The serving processes of a target: nginx's workers (they serve both the static upstream and the
# plain proxy), plus rampart for rampart.
serving_pids() {
  pgrep -P "$NGINX_PID" | tr '\n' ' '
  [ "$1" = rampart ] && echo "$RAMPART_PID"
  return 0
}

# wrk output → "rps p50_ms p99_ms non2xx errors"
parse_wrk() {
  python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"{rps:.0f} {p50:.3f} {p99:.3f} {non2xx.group(1) if non2xx else 0} {errors.group(0).replace(' ', '') if errors else 'none'}")
EOF
}

# loadgen JSON → one field
json_field() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# Appends a markdown block at the end of bench/RESULTS.md's "## Gateway" section (made when missing).
append_results() {
    python3 - "$ROOT/bench/RESULTS.md" "$1" <<'EOF'
import sys
path, block = sys.argv[1], open(sys.argv[2]).read().rstrip() + "\n"
text = open(path).read()
heading = "## Gateway"
intro = ("Measured with `bench/gateway.sh` (peak throughput with wrk, latency at half load with the open-loop\n"
         "`crates/rampart-gateway/examples/loadgen.rs`) and `bench/soak.sh` (memory under steady load).\n"
         "Goals (issue 4): Rampart with everything on ≥ 0.8× nginx plain-proxy throughput; ≤ 1 ms added p99\n"
         "at half of its peak load.\n")
lines = text.split("\n")
starts = [i for i, line in enumerate(lines) if line.strip() == heading]
if not starts:
    text = text.rstrip("\n") + f"\n\n{heading}\n\n{intro}\n{block}"
else:
    # Append at the end of the Gateway section (before the next `## ` heading, if any).
    end = next((i for i in range(starts[0] + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    before = "\n".join(lines[:end]).rstrip("\n")
    after = "\n".join(lines[end:])
    text = f"{before}\n\n{block}" + (f"\n{after}" if after.strip() else "")
open(path, "w").write(text)
EOF
}

main() {
  local seconds="${BENCH_SECONDS:-15}" connections="${BENCH_CONNECTIONS:-64}" perf="${PERF:-auto}"
  setup_common
  watchdog 1200
  start_bank
  start_nginx
  start_rampart
  check_rampart
  log "all three answer; token for $(python3 -c 'import sys,json,base64; p=sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4)))["sub"])' "$TOKEN")"

  local -A url=(
    [upstream]="http://127.0.0.1:$UPSTREAM_PORT/v2/accounts"
    [nginx]="http://127.0.0.1:$NGINX_PROXY_PORT/v2/accounts"
    [rampart]="http://127.0.0.1:$RAMPART_PORT/v2/accounts"
  )
  local -A port=([upstream]=$UPSTREAM_PORT [nginx]=$NGINX_PROXY_PORT [rampart]=$RAMPART_PORT)
  local -A rps p50 p99 bad cpu
  local target ticks_before ticks_after
  local hz
  hz="$(getconf CLK_TCK)"
  for target in upstream nginx rampart; do
    log "wrk -t1 -c$connections -d${seconds}s --latency: $target (after a 3 s warm-up)"
    timeout 60 wrk -t1 -c"$connections" -d3s -H "Authorization: Bearer $TOKEN" "${url[$target]}" >/dev/null
    # shellcheck disable=SC2046
    ticks_before="$(cpu_ticks $(serving_pids "$target"))"
    timeout $((seconds + 60)) wrk -t1 -c"$connections" -d"${seconds}s" --latency \
      -H "Authorization: Bearer $TOKEN" "${url[$target]}" >"$WORK/wrk-$target.txt"
    # shellcheck disable=SC2046
    ticks_after="$(cpu_ticks $(serving_pids "$target"))"
    read -r rps[$target] p50[$target] p99[$target] bad[$target] _ < <(parse_wrk "$WORK/wrk-$target.txt")
    # CPU µs per request of the serving processes (the upstream's share included).
    cpu[$target]="$(python3 -c "print(round(($ticks_after - $ticks_before) * 1e6 / $hz / (${rps[$target]} * $seconds), 1))")"
    echo "   $target: ${rps[$target]} req/s, p50 ${p50[$target]} ms, p99 ${p99[$target]} ms, non-2xx ${bad[$target]}" >&2
    [ "${bad[$target]}" = 0 ] || die "$target answered ${bad[$target]} non-2xx responses under wrk"
  done
  local ratio rate nginx_cpu rampart_cpu cpu_ratio
  ratio="$(python3 -c "print(f'{${rps[rampart]} / ${rps[nginx]}:.2f}')")"
  # The proxies' own CPU per request: what serving through them costs beyond the upstream alone.
  nginx_cpu="$(python3 -c "print(round(${cpu[nginx]} - ${cpu[upstream]}, 1))")"
  rampart_cpu="$(python3 -c "print(round(${cpu[rampart]} - ${cpu[upstream]}, 1))")"
  cpu_ratio="$(python3 -c "print(f'{$rampart_cpu / max($nginx_cpu, 0.1):.2f}')")"
  rate=$(( ${rps[rampart]} / 2 ))

  local -A lp50 lp90 lp99 lmax lrate lerr
  for target in upstream nginx rampart; do
    log "loadgen at $rate req/s (half of rampart's peak), $connections connections, 2 s warm-up + ${seconds} s: $target"
    timeout $((seconds + 60)) "$LOADGEN" --target "127.0.0.1:${port[$target]}" --path /v2/accounts \
      --header "authorization: Bearer $TOKEN" --rate "$rate" --duration "$seconds" --warmup 2 \
      --connections "$connections" >"$WORK/loadgen-$target.json"
    cat "$WORK/loadgen-$target.json" >&2
    lp50[$target]="$(json_field "$WORK/loadgen-$target.json" p50_ms)"
    lp90[$target]="$(json_field "$WORK/loadgen-$target.json" p90_ms)"
    lp99[$target]="$(json_field "$WORK/loadgen-$target.json" p99_ms)"
    lmax[$target]="$(json_field "$WORK/loadgen-$target.json" max_ms)"
    lrate[$target]="$(json_field "$WORK/loadgen-$target.json" achieved_rate)"
    lerr[$target]="$(json_field "$WORK/loadgen-$target.json" errors)"
  done

  local perf_report=""
  if [ "$perf" = 1 ] || { [ "$perf" = auto ] && python3 -c "import sys; sys.exit(0 if $ratio < 0.8 else 1)"; }; then
    if command -v perf >/dev/null; then
      log "perf record -g on rampart (pid $RAMPART_PID) during a 12 s wrk run"
      timeout 60 wrk -t1 -c"$connections" -d12s -H "Authorization: Bearer $TOKEN" "${url[rampart]}" >/dev/null &
      local wrk_pid=$!
      PIDS+=("$wrk_pid")
      sleep 1
      timeout 60 perf record -F 499 -g -p "$RAMPART_PID" -o "$WORK/perf.data" -- sleep 8 >/dev/null 2>&1 || true
      wait "$wrk_pid" || true
      perf_report="$OUT_DIR/gateway-perf.txt"
      {
        echo "# self time, by symbol"
        perf report -i "$WORK/perf.data" --no-children --stdio --sort symbol --percent-limit 0.7 -g none 2>/dev/null
        echo "# inclusive time (children), by symbol"
        perf report -i "$WORK/perf.data" --children --stdio --sort symbol --percent-limit 4 -g none 2>/dev/null
      } | grep -E '%|^# (self|inclusive)' | sed 's/ *- *- *$//' >"$perf_report" || true
      log "perf profile of rampart (self time, then inclusive) in $perf_report:"
      cut -c1-140 "$perf_report" | head -25 >&2 || true
    fi
  fi

  local tap_lines tap_bytes rss
  tap_lines="$(wc -l <"$TAP_FILE")"
  tap_bytes="$(stat -c %s "$TAP_FILE")"
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$RAMPART_PID/status")"
  # A tap that fell behind drops copies instead of slowing requests: say how many it dropped,
  # so a throughput bought with drops shows.
  local tap_dropped
  tap_dropped="$(curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^rampart_tap_dropped_total/ {print $2}')"
  local pipeline_note=""
  if [ "${SERVE:-0}" = 1 ]; then
    local control token
    control="$(grep -o 'dashboard/API  http://[0-9.:]*' "$WORK/rampart.err" | sed 's|.*http://||')"
    token="$(head -n1 "$WORK/rampart.out")"
    pipeline_note="$(curl -s --max-time 5 -H "Authorization: Bearer $token" "http://$control/api/v1/metrics" | python3 -c '
import json, sys
p = json.load(sys.stdin)["pipeline"]
e, r, d = p["exchanges"], p["analysis_runs"], p["dropped"]
print(f"The pipeline analysed {e:,} exchanges in {r} analyses and dropped {d:,} (queue full; the requests never wait).")' 2>/dev/null || echo "(pipeline metrics not read)")"
  fi

  local date_now machine table verdict
  date_now="$(date -u +%Y-%m-%dT%H:%MZ)"
  machine="$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB; wrk, loadgen, nginx (upstream and proxy, worker_processes auto) and rampart all share them"
  local added_up added_ng
  added_up="$(python3 -c "print(f'{${lp99[rampart]} - ${lp99[upstream]}:+.3f}')")"
  added_ng="$(python3 -c "print(f'{${lp99[rampart]} - ${lp99[nginx]}:+.3f}')")"
  local goal1 goal2
  goal1="$(python3 -c "print('met' if $ratio >= 0.8 else 'NOT met')")"
  goal2="$(python3 -c "print('met' if ${lp99[rampart]} - ${lp99[upstream]} <= 1.0 else 'NOT met')")"
  table="$(cat <<EOF
### $date_now

Machine: $machine. Release build. Token: a password-grant JWT (RS256) from the demo bank, the same
\`Authorization\` header for all three targets; body: the bank's real \`GET /v2/accounts\` answer
($(stat -c %s "$WORK/www/accounts.json") bytes) served by nginx. Rampart: spec validation in block mode, JWT against the
bank's JWKS, identity rate limit (never reached), blocklist, injection, masking of \`iban\` and
\`card-number\`, tap to a file (max_body_bytes 4096; $tap_lines exchanges, ${tap_dropped:-?} dropped by a full queue, $((tap_bytes / 1048576)) MiB written, deleted
after); access logs off on both proxies.

Peak throughput, \`wrk -t1 -c$connections -d${seconds}s --latency\` (closed loop):

| target | requests/s | p50 ms | p99 ms |
|---|---|---|---|
| upstream direct (nginx static) | ${rps[upstream]} | ${p50[upstream]} | ${p99[upstream]} |
| nginx plain proxy | ${rps[nginx]} | ${p50[nginx]} | ${p99[nginx]} |
| rampart$([ "${SERVE:-0}" = 1 ] && echo " serve (gateway + pipeline + store)"), everything on | ${rps[rampart]} | ${p50[rampart]} | ${p99[rampart]} |

Rampart / nginx throughput: **$ratio** (goal ≥ 0.8: $goal1).

CPU per request of the proxy itself (its processes' user + system time during the wrk run, divided
by the requests answered, minus the upstream's own share measured in the direct run): nginx
$nginx_cpu µs, rampart $rampart_cpu µs (**${cpu_ratio}×** nginx's). On this machine the load
generator and the upstream use the same two cores, so every µs a proxy spends is taken from them.

Latency at half of Rampart's peak, open loop (\`loadgen\`, $rate req/s, $connections connections,
${seconds} s after a 2 s warm-up; latency from each request's scheduled time):

| target | achieved req/s | errors | p50 ms | p90 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|
| upstream direct | ${lrate[upstream]} | ${lerr[upstream]} | ${lp50[upstream]} | ${lp90[upstream]} | ${lp99[upstream]} | ${lmax[upstream]} |
| nginx plain proxy | ${lrate[nginx]} | ${lerr[nginx]} | ${lp50[nginx]} | ${lp90[nginx]} | ${lp99[nginx]} | ${lmax[nginx]} |
| rampart, everything on | ${lrate[rampart]} | ${lerr[rampart]} | ${lp50[rampart]} | ${lp90[rampart]} | ${lp99[rampart]} | ${lmax[rampart]} |

p99 added by Rampart: **$added_up ms** vs the upstream direct, $added_ng ms vs nginx (goal ≤ 1 ms added: $goal2).
Rampart RSS after the run: $((rss / 1024)) MiB.
${pipeline_note}
EOF
)"
  echo
  echo "$table"
  echo "$table" >"$OUT_DIR/gateway-last.md"
  if [ -n "$perf_report" ]; then
    echo
    echo "perf profile of rampart under wrk (self time): $perf_report"
  fi
  if [ "${NO_RESULTS:-0}" != 1 ]; then
    append_results "$OUT_DIR/gateway-last.md"
    log "appended to bench/RESULTS.md under \"## Gateway\""
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
