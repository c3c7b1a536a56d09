#!/usr/bin/env bash
# Real attack tools through `rampart gateway`, against the demo bank on loopback, while several
# hundred simulated customers use the bank through the same gateway.
#
#   * the demo bank API (`rampart-demo serve --mode flawed`) on a free 127.0.0.1 port;
#   * `rampart gateway` in front of it, behavioural detection on its defaults, trusting
#     127.0.0.1 as a proxy so that every client is told apart by its X-Forwarded-For; alerts,
#     tap and access log written to $BENCH_DIR/attacks/;
#   * benign traffic: `rampart-demo traffic --forwarded-for` (each simulated customer its own
#     address) through a pacing relay (BENIGN_RATE requests a second in all), in bounded runs one
#     after the other, from WARMUP seconds before the first tool to after the last;
#   * then, one after the other, each bounded by `timeout`, each from its own address
#     (198.18.N.10, RFC 2544's benchmarking network, one /24 per run): hydra (credential stuffing
#     on POST /oauth/token), sqlmap (GET /v2/accounts/{id}/transactions?q=), ffuf (ID enumeration
#     of /v1/customers/{id}), bench/scraper.py (pages through every list), gobuster (dir with a
#     common word list); hydra, sqlmap, ffuf and gobuster a second time with a browser's user
#     agent, and the scraper a second time paced under the volumetric ceiling (informational).
#
# For each run: requests sent, requests forwarded before the first refusal by a detection
# decision, the alert (detector) behind it, and whether the block held (no request forwarded
# after it, and a probe at the end still refused). For the benign clients: alerts that name one
# of them (key or related key) and detection refusals they got; both must be 0. The table is
# printed and written to $BENCH_DIR/attacks.md. Exit status 1 when a run was not blocked or a
# benign client was alerted on or refused.
#
# Everything listens on 127.0.0.1, every load is bounded in requests and time, and the processes
# started here are stopped by PID on exit.
#
# Usage: bench/attacks.sh     (env: BENCH_DIR, CARGO_TARGET_DIR, CUSTOMERS=300, WARMUP=330,
#                              TOOL_TIME=180, BENIGN_RATE=40, BENIGN_CHUNK=20000,
#                              LOGIN_RATE_LIMIT=0)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"
BENCH_DIR="${BENCH_DIR:-/var/tmp/rampart-bench}"
WORK="$BENCH_DIR/attacks"
RAMPART="$CARGO_TARGET_DIR/release/rampart"
DEMO="$CARGO_TARGET_DIR/release/rampart-demo"
SEED=42
CUSTOMERS="${CUSTOMERS:-300}"
# Seconds of benign traffic before the first tool: the volumetric and global-ratio baselines
# need 5 minutes (`warmup_minutes`) before they are trusted.
WARMUP="${WARMUP:-330}"
# Wall-clock bound of each tool run.
TOOL_TIME="${TOOL_TIME:-180}"
# Benign requests a second (all customers together), requests per benign run, the most runs,
# and the time bound of each.
BENIGN_RATE="${BENIGN_RATE:-40}"
BENIGN_CHUNK="${BENIGN_CHUNK:-20000}"
BENIGN_MAX_RUNS="${BENIGN_MAX_RUNS:-6}"
BENIGN_RUN_SECONDS="${BENIGN_RUN_SECONDS:-900}"
# 1 keeps the gateway's built-in login rate limit (5 POSTs a minute per IP on login paths) on.
# It is off by default so that what stops the credential attacks is detection, not that rule.
LOGIN_RATE_LIMIT="${LOGIN_RATE_LIMIT:-0}"
# Whole-script bound.
MAX_SECONDS="${MAX_SECONDS:-3600}"

BROWSER_UA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

PIDS=()
BENIGN_PID=""

log() { echo "== $*" >&2; }
die() { echo "error: $*" >&2; exit 2; }

# The benign run in progress (started by the benign loop, a child of this script).
stop_benign_run() {
  if [ -n "$WORK" ] && [ -s "$WORK/benign.pid" ]; then
    kill -TERM "$(cat "$WORK/benign.pid")" 2>/dev/null || true
  fi
}

cleanup() {
  local status=$?
  local pid
  touch "$WORK/benign.stop" 2>/dev/null || true
  stop_benign_run
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM



wait_http() {
  local url="$1" pid="$2" what="$3"
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || die "$what exited (see $WORK)"
    if curl -s -o /dev/null --max-time 1 "$url"; then
      return 0
    fi
    sleep 0.1
  done
  die "$what does not answer at $url after 30 s"
}

# ---------------------------------------------------------------------------------------------
# Tools, binaries, directories.
# ---------------------------------------------------------------------------------------------
watchdog "$MAX_SECONDS"
missing=()
for tool in hydra sqlmap ffuf gobuster; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -f /usr/share/dirb/wordlists/common.txt ] || missing+=(dirb)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null
fi
for tool in hydra sqlmap ffuf gobuster curl python3 timeout; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done

log "building release rampart and rampart-demo (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
cargo build --release -q -p rampart-cli -p rampart-demo

rm -rf "$WORK"
mkdir -p "$WORK"
API_PORT="$(free_port)"
GW_PORT="$(free_port)"
ADMIN_PORT="$(free_port)"
while [ "$GW_PORT" = "$API_PORT" ]; do GW_PORT="$(free_port)"; done
while [ "$ADMIN_PORT" = "$API_PORT" ] || [ "$ADMIN_PORT" = "$GW_PORT" ]; do ADMIN_PORT="$(free_port)"; done
API="http://127.0.0.1:$API_PORT"
GW="http://127.0.0.1:$GW_PORT"

# ---------------------------------------------------------------------------------------------
# The bank and the gateway.
# ---------------------------------------------------------------------------------------------
log "demo bank (flawed, $CUSTOMERS customers) on $API"
"$DEMO" serve --listen "127.0.0.1:$API_PORT" --mode flawed --customers "$CUSTOMERS" --seed "$SEED" \
  >"$WORK/bank.log" 2>&1 &
BANK_PID=$!
PIDS+=("$BANK_PID")
wait_http "$API/.well-known/jwks.json" "$BANK_PID" "the demo bank"

login_rule=false
[ "$LOGIN_RATE_LIMIT" = 1 ] && login_rule=true
cat >"$WORK/gateway.toml" <<EOF
# Written by bench/attacks.sh.
listen = "127.0.0.1:$GW_PORT"
admin_listen = "127.0.0.1:$ADMIN_PORT"

[[routes]]
name = "bank"
path_prefix = "/"
upstream = "$API"

# The benign traffic generator and the tools all connect from 127.0.0.1 and say who they are
# in X-Forwarded-For: trusting loopback as a proxy makes each of them its own client.
[forwarding]
trusted_proxies = ["127.0.0.1/32"]

[tap]
file = "$WORK/tap.jsonl"

[blocklist]
# The bank's own operations network (the demo's ops user, its monitoring probe): never alerted
# on nor blocked, as a bank configures it — staff bulk reads are their job, and they are not
# customers. Customers, the partner and every tool stay analysed.
allow = ["10.20.0.0/16"]

[rate_limits]
# The built-in rule (5 login POSTs a minute per IP) would stop a credential attack before
# detection does; LOGIN_RATE_LIMIT=1 keeps it.
builtin_auth_rule = $login_rule

# [detect]: the defaults.
EOF
log "rampart gateway on $GW (admin on 127.0.0.1:$ADMIN_PORT), detection on its defaults"
"$RAMPART" gateway --config "$WORK/gateway.toml" --alerts "$WORK/alerts.jsonl" \
  >"$WORK/access.jsonl" 2>"$WORK/gateway.log" &
GW_PID=$!
PIDS+=("$GW_PID")
wait_http "http://127.0.0.1:$ADMIN_PORT/metrics" "$GW_PID" "the gateway"
wait_http "$GW/.well-known/jwks.json" "$GW_PID" "the gateway"

# ---------------------------------------------------------------------------------------------
# What the attackers have: the demo's two published customers and its ops key (from
# `rampart-demo identities`), and a user list (the bank's own admin list, read once directly
# from the bank, standing in for a leaked one).
# ---------------------------------------------------------------------------------------------
"$DEMO" identities --seed "$SEED" --customers "$CUSTOMERS" >"$WORK/identities.toml"
python3 - "$WORK/identities.toml" "$API" "$WORK" <<'EOF'
import json, random, sys, tomllib, urllib.request
ids_path, api, work = sys.argv[1:]
with open(ids_path, "rb") as f:
    ids = tomllib.load(f)["identity"]
customers = [i for i in ids if i.get("role") == "user"]
ops_key = next(i["api_key"]["value"] for i in ids if "api_key" in i)
form = customers[0]["login"]["form"]
creds = {
    "client_id": form["client_id"], "client_secret": form["client_secret"],
    "alice": [customers[0]["login"]["username"], customers[0]["login"]["password"]],
    "bob": [customers[1]["login"]["username"], customers[1]["login"]["password"]],
}
users = []
customer_ids = []
page = 1
while True:
    req = urllib.request.Request(f"{api}/internal/admin/users?page={page}&page_size=200", headers={"X-API-Key": ops_key})
    doc = json.load(urllib.request.urlopen(req, timeout=10))
    users += [u["username"] for u in doc["data"] if u.get("customerId")]
    customer_ids += [(u["username"], u["customerId"]) for u in doc["data"] if u.get("customerId")]
    if page >= doc["meta"]["totalPages"]:
        break
    page += 1
rng = random.Random(7)
real = rng.sample(sorted(set(users) - {creds["alice"][0], creds["bob"][0]}), 40)
first = ["wei", "jun", "mei", "raj", "priya", "arjun", "li", "hui", "siti", "ahmad", "kumar", "tan", "lee", "wong", "nur", "anil"]
last = ["lim", "tan", "ng", "chan", "wong", "lee", "kumar", "singh", "rahman", "ismail", "chen", "zhang", "ho", "goh", "teo"]
fake = set()
while len(fake) < 258:
    name = f"{rng.choice(first)}.{rng.choice(last)}{rng.randint(1, 99):02d}"
    if name not in users:
        fake.add(name)
leaked = ["123456", "password", "Password1", "qwerty123", "Welcome1!", "Summer2024!", "Singapore1", "iloveyou",
          "Passw0rd!", "abc12345", "Letmein1", "Dragon2023", "Sunshine1", "Monkey123!", "P@ssw0rd", "Aa123456"]
pairs = [(u, rng.choice(leaked)) for u in real + sorted(fake)]
# Two pairs of the combo list are right: alice's and bob's published passwords.
pairs += [tuple(creds["alice"]), tuple(creds["bob"])]
rng.shuffle(pairs)
with open(f"{work}/combos.txt", "w") as f:
    f.writelines(f"{u}:{p}\n" for u, p in pairs)
json.dump(creds, open(f"{work}/creds.json", "w"))
# Customer i's id is 10000000 + 7i + k (k < 7): the report names the accounts alerts are about.
json.dump({u: (int(cid) - 10_000_000) // 7 for u, cid in customer_ids}, open(f"{work}/customers.json", "w"))
print(f"{len(users)} usernames listed; combo list of {len(pairs)} pairs (40 real usernames, 2 right passwords)", file=sys.stderr)
EOF
CLIENT_ID="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$WORK/creds.json")"
CLIENT_SECRET="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$WORK/creds.json")"
cred() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][int(sys.argv[3])])' "$WORK/creds.json" "$1" "$2"; }
ALICE_USER="$(cred alice 0)"; ALICE_PASS="$(cred alice 1)"
BOB_USER="$(cred bob 0)"; BOB_PASS="$(cred bob 1)"

# ---------------------------------------------------------------------------------------------
# Benign traffic. The generator is sequential with no think time: straight at the gateway it
# sends over 2,000 requests a second on two cores, its busiest customers 20 a second each,
# which no person does (and the volumetric detector rightly rate-limits). It goes through a
# pacing relay instead: at most BENIGN_RATE requests a second in all, so that the busiest
# customers (the generator gives 25 of them 40% of its journeys) make about 45 requests a
# minute and a typical one about 5. The relay connects from 127.0.0.1 and passes the
# generator's X-Forwarded-For on, so the gateway still sees each customer's own address.
# Bounded runs, back to back, until the attack phase is over.
# ---------------------------------------------------------------------------------------------
cat >"$WORK/relay.py" <<'PY'
import http.client, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, upstream_port, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
lock = threading.Lock()
next_slot = [time.monotonic()]
local = threading.local()
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "content-length"}

def wait_for_slot():
    with lock:
        now = time.monotonic()
        slot = max(next_slot[0], now)
        next_slot[0] = slot + 1.0 / rate
    time.sleep(max(0.0, slot - time.monotonic()))

class Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms.
    disable_nagle_algorithm = True

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        wait_for_slot()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        for attempt in range(2):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                local.conn = None
                if attempt:
                    self.send_error(502)
                    return
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = relay

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", port), Relay).serve_forever()
PY
RELAY_PORT="$(free_port)"
python3 "$WORK/relay.py" "$RELAY_PORT" "$GW_PORT" "$BENIGN_RATE" 2>"$WORK/relay.log" &
RELAY_PID=$!
PIDS+=("$RELAY_PID")
wait_http "http://127.0.0.1:$RELAY_PORT/.well-known/jwks.json" "$RELAY_PID" "the pacing relay"

benign_loop() {
  local run=0
  while [ "$run" -lt "$BENIGN_MAX_RUNS" ] && [ ! -e "$WORK/benign.stop" ]; do
    run=$((run + 1))
    timeout "$BENIGN_RUN_SECONDS" "$DEMO" traffic --target "http://127.0.0.1:$RELAY_PORT" --forwarded-for \
      --customers "$CUSTOMERS" --seed "$SEED" --requests "$BENIGN_CHUNK" >>"$WORK/benign.log" 2>&1 &
    echo "$!" >"$WORK/benign.pid"
    wait "$!" || echo "benign run $run: exit $?" >>"$WORK/benign.log"
    rm -f "$WORK/benign.pid"
    echo "$run" >"$WORK/benign.runs"
  done
}
log "benign traffic: $CUSTOMERS customers, runs of $BENIGN_CHUNK requests at $BENIGN_RATE/s, through the gateway"
benign_loop &
BENIGN_PID=$!
PIDS+=("$BENIGN_PID")
log "warm-up: ${WARMUP}s of benign traffic before the first tool"
sleep "$WARMUP"

# ---------------------------------------------------------------------------------------------
# The tools. Each run: NAME, ADDRESS (X-Forwarded-For), command. Logs in $WORK/NAME.log.
# ---------------------------------------------------------------------------------------------
RUNS=()
# Waits (bounded: 10 s) until the detection thread has taken every request the gateway had
# answered when this was called (analysed, allowlisted, or dropped by a full tap queue): what the
# detectors made of a run is then in the alerts file, rather than hoped to be after a pause.
wait_detection_caught_up() {
  local target seen
  target="$(curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^rampart_requests_total/ {s += $2} END {print s + 0}')"
  for _ in $(seq 200); do
    seen="$(curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" |
      awk '/^rampart_detect_exchanges_total|^rampart_detect_allowlisted_total|^rampart_tap_dropped_total/ {s += $2} END {print s + 0}')"
    [ "$seen" -ge "$target" ] && return 0
    sleep 0.05
  done
  log "warning: detection had not caught up with the gateway after 10 s ($seen of $target)"
}

run_tool() {
  local name="$1" ip="$2"
  shift 2
  log "$name from $ip: $(printf '%s ' "$@" | tr '\n' ' ' | sed -E 's/Bearer [A-Za-z0-9._-]+/Bearer <token>/g')"
  RUNS+=("$name $ip")
  date -u +%s.%N >"$WORK/$name.start"
  local status=0
  # In $WORK: hydra leaves its restore file in the working directory.
  (cd "$WORK" && exec timeout --kill-after=10 "$TOOL_TIME" "$@") >"$WORK/$name.log" 2>&1 </dev/null || status=$?
  date -u +%s.%N >"$WORK/$name.end"
  echo "$status" >"$WORK/$name.exit"
  log "$name ended (exit $status)"
  # The run's tap and alerts land before the next one.
  wait_detection_caught_up
}

token_for() {
  local user="$1" pass="$2" ip="$3"
  # Logged in through the gateway, from the tool's own address, as its user would.
  curl -s --max-time 10 -H "X-Forwarded-For: $ip" -H "User-Agent: $BROWSER_UA" \
    --data-urlencode grant_type=password --data-urlencode "username=$user" --data-urlencode "password=$pass" \
    --data-urlencode "client_id=$CLIENT_ID" --data-urlencode "client_secret=$CLIENT_SECRET" \
    --data-urlencode "scope=accounts payments cards profile" "$GW/oauth/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
first_account() {
  local token="$1" ip="$2"
  curl -s --max-time 10 -H "X-Forwarded-For: $ip" -H "User-Agent: $BROWSER_UA" -H "Authorization: Bearer $token" \
    "$GW/v2/accounts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["accountId"])'
}

# (a) Credential stuffing: hydra, combo list (login:password) on the OAuth password grant.
# A success is an answer with an access token. Hydra 9.4 wants the condition after the headers
# once a header escapes a colon.
HYDRA_FORM="/oauth/token:grant_type=password&username=^USER^&password=^PASS^&client_id=$CLIENT_ID&client_secret=$CLIENT_SECRET&scope=accounts"
run_tool hydra 198.18.1.10 \
  hydra -I -C "$WORK/combos.txt" -s "$GW_PORT" -o "$WORK/hydra.found" 127.0.0.1 http-post-form \
  "$HYDRA_FORM:H=X-Forwarded-For\\: 198.18.1.10:S=access_token"
run_tool hydra-browser-ua 198.18.2.10 \
  hydra -I -C "$WORK/combos.txt" -s "$GW_PORT" -o "$WORK/hydra-browser-ua.found" 127.0.0.1 http-post-form \
  "$HYDRA_FORM:H=X-Forwarded-For\\: 198.18.2.10:H=User-Agent\\: ${BROWSER_UA//:/\\:}:S=access_token"

# (b) SQL injection: sqlmap on the transaction search, with a customer's bearer token.
for variant in sqlmap:198.18.3.10 sqlmap-random-agent:198.18.4.10; do
  name="${variant%%:*}"
  ip="${variant#*:}"
  token="$(token_for "$ALICE_USER" "$ALICE_PASS" "$ip")"
  account="$(first_account "$token" "$ip")"
  extra=()
  [ "$name" = sqlmap-random-agent ] && extra=(--random-agent)
  run_tool "$name" "$ip" \
    sqlmap -u "$GW/v2/accounts/$account/transactions?q=coffee" \
    --headers="Authorization: Bearer $token
X-Forwarded-For: $ip" \
    --batch --flush-session --output-dir="$WORK/$name-out" "${extra[@]}"
done

# (c) ID enumeration: ffuf over customer ids (the bank's ids are 10000000 + 7n + k), logged in.
seq 10000000 10002200 >"$WORK/ids.txt"
ip=198.18.5.10
token="$(token_for "$ALICE_USER" "$ALICE_PASS" "$ip")"
run_tool ffuf "$ip" \
  ffuf -u "$GW/v1/customers/FUZZ" -w "$WORK/ids.txt" -H "Authorization: Bearer $token" \
  -H "X-Forwarded-For: $ip" -mc 200 -o "$WORK/ffuf.json" -of json -s
ip=198.18.10.10
token="$(token_for "$ALICE_USER" "$ALICE_PASS" "$ip")"
run_tool ffuf-browser-ua "$ip" \
  ffuf -u "$GW/v1/customers/FUZZ" -w "$WORK/ids.txt" -H "Authorization: Bearer $token" \
  -H "X-Forwarded-For: $ip" -H "User-Agent: $BROWSER_UA" -mc 200 -o "$WORK/ffuf-browser-ua.json" -of json -s

# (d) Scraping: bench/scraper.py, logged in as bob, pages through every list.
run_tool scraper 198.18.6.10 \
  python3 "$ROOT/bench/scraper.py" --base "$GW" --username "$BOB_USER" --password "$BOB_PASS" \
  --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" --xff 198.18.6.10 \
  --max-requests 4000 --max-seconds "$((TOOL_TIME - 5))"

# (d') The same scraper paced under the volumetric ceiling (4 requests a second): what the
# scraping detector alone does. Informational: it does not count towards the verdict.
run_tool scraper-paced 198.18.9.10 \
  python3 "$ROOT/bench/scraper.py" --base "$GW" --username "$BOB_USER" --password "$BOB_PASS" \
  --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" --xff 198.18.9.10 \
  --max-requests 4000 --max-seconds "$((TOOL_TIME - 5))" --delay 0.25

# (e) Forced browsing: gobuster dir with dirb's common word list.
WORDLIST=/usr/share/dirb/wordlists/common.txt
run_tool gobuster 198.18.7.10 \
  gobuster dir -u "$GW" -w "$WORDLIST" -H "X-Forwarded-For: 198.18.7.10" -q -z --no-error \
  -o "$WORK/gobuster.found"
run_tool gobuster-random-agent 198.18.8.10 \
  gobuster dir -u "$GW" -w "$WORDLIST" -H "X-Forwarded-For: 198.18.8.10" --random-agent -q -z --no-error \
  -o "$WORK/gobuster-random-agent.found"

# ---------------------------------------------------------------------------------------------
# Stop the benign traffic, probe every tool's address once more, collect.
# ---------------------------------------------------------------------------------------------
touch "$WORK/benign.stop"
log "attack phase over: stopping the benign run in progress"
stop_benign_run
wait "$BENIGN_PID" 2>/dev/null || true

# Is each decision still in force? Up to 40 quick requests from the tool's address (a block
# refuses the first; a rate-limit decision the one over its rate); the first refusal is kept.
python3 - "$GW" "$BROWSER_UA" "${RUNS[@]}" >"$WORK/probes.jsonl" <<'PY'
import json, sys, urllib.error, urllib.request
gw, agent = sys.argv[1], sys.argv[2]
for run in sys.argv[3:]:
    name, ip = run.split(" ", 1)
    result = None
    for attempt in range(1, 41):
        req = urllib.request.Request(f"{gw}/v2/customers/me?bench_probe=1",
                                     headers={"X-Forwarded-For": ip, "User-Agent": agent})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read()
        result = {"run": name, "ip": ip, "attempts": attempt, "status": status, "body": body.decode(errors="replace")[:2000]}
        if status in (403, 429) and b'"reason"' in body:
            break
    print(json.dumps(result))
PY
wait_detection_caught_up
curl -s --max-time 10 "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/metrics.txt" || true
log "stopping the gateway (it flushes the tap and the alerts)"
kill -TERM "$GW_PID" 2>/dev/null || true
for _ in $(seq 300); do
  kill -0 "$GW_PID" 2>/dev/null || break
  sleep 0.1
done
wait "$GW_PID" 2>/dev/null || true

{
  dpkg-query -W -f='${Package} ${Version} (Debian)\n' hydra sqlmap ffuf gobuster dirb 2>/dev/null || true
  echo "$(python3 --version 2>&1) (bench/scraper.py)"
} >"$WORK/versions.txt"

# ---------------------------------------------------------------------------------------------
# The report.
# ---------------------------------------------------------------------------------------------
status=0
python3 - "$WORK" "$CUSTOMERS" "${RUNS[@]}" >"$BENCH_DIR/attacks.md" <<'EOF' || status=$?
import ipaddress, json, os, sys
from collections import Counter, defaultdict
from datetime import datetime

work, customers = sys.argv[1], int(sys.argv[2])
runs = [tuple(r.split(" ", 1)) for r in sys.argv[3:]]
tool_ips = {ip: name for name, ip in runs}
DETECTION = {"blocked-ip", "blocked-identity", "blocked-token", "rate-limited-by-decision"}

def ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

def read_jsonl(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out

access = [r for r in read_jsonl(f"{work}/access.jsonl") if "client_ip" in r]
access.sort(key=lambda r: r["ts"])
alerts_raw = read_jsonl(f"{work}/alerts.jsonl")
alerts = {}
for a in alerts_raw:  # the last state of each alert
    alerts[a["id"]] = a
opened = {a["id"]: a for a in alerts_raw if a.get("state") == "open"}
probes = {p["ip"]: p for p in read_jsonl(f"{work}/probes.jsonl")}

# Who the benign clients are: the traffic generator's callers (crates/rampart-demo/src/traffic.rs).
def customer_ip(i):
    return str(ipaddress.IPv4Address(bytes([[203, 198, 192][i % 3], [0, 51, 0][i % 3], [113, 100, 2][i % 3], i * 37 % 250 + 3])))
customer_of = {}
for i in range(customers):
    customer_of.setdefault(customer_ip(i), i)
GUESSER = "203.0.113.250"  # the generator's planted password-guessing episode
VICTIM = customer_ip(7 % customers)  # the customer whose account it guesses

# Alerts show usernames masked as `w***#` + the first 3 bytes of SHA-256 (rampart-detect's
# `masked_username`): unmask the bank's own customers.
import hashlib
def masked(username):
    username = username.lower()
    return f"{username[:1]}***#{hashlib.sha256(username.encode()).hexdigest()[:6]}"
try:
    customer_by_username = json.load(open(f"{work}/customers.json"))
except (OSError, ValueError):
    customer_by_username = {}
unmask = {masked(u): (u, i) for u, i in customer_by_username.items()}
VICTIM_USER = next((m for m, (u, i) in unmask.items() if i == 7 % customers), None)
SNOOPER = customer_ip(5 % customers)  # the generator's planted snooping customer
others = {"198.51.100.77": "partner", "10.20.4.17": "ops user", "10.20.0.2": "monitoring probe", "10.20.4.99": "ops (no key)"}

def is_probe(r):
    return "bench_probe" in (r.get("query_params") or [])

def refused_by_detection(r):
    return r.get("decision") == "block" and bool(DETECTION & set(r.get("reasons") or []))

def keys_of(a):
    return [a["key"]] + list(a.get("related") or [])

def key_ips(key):
    kind, value = key.get("kind"), key.get("value")
    if kind == "ip":
        return {"ip": value}
    if kind == "prefix":
        return {"prefix": value}
    return {kind: value}

def alert_touches(a, ips):
    for key in keys_of(a):
        if key.get("kind") == "ip" and key.get("value") in ips:
            return True
        if key.get("kind") == "prefix":
            net = ipaddress.ip_network(key["value"], strict=False)
            if any(ipaddress.ip_address(ip) in net for ip in ips):
                return True
    return False

# Token fingerprints and identities per client address, from the tap: an alert keyed on a token
# or an identity is mapped back to whoever used it.
token_users = defaultdict(set)
identity_users = defaultdict(set)
for ex in read_jsonl(f"{work}/tap.jsonl"):
    client = ex.get("client") or {}
    ip = client.get("ip")
    if client.get("credential"):
        token_users[client["credential"]].add(ip)
    if client.get("identity"):
        identity_users[client["identity"]].add(ip)

def alert_ips(a):
    ips = set()
    for key in keys_of(a):
        kind, value = key.get("kind"), key.get("value")
        if kind == "ip":
            ips.add(value)
        elif kind == "token":
            ips |= token_users.get(value, set())
        elif kind == "identity":
            ips |= identity_users.get(value, set())
    for s in a.get("samples") or []:
        if s.get("ip"):
            ips.add(s["ip"])
    return ips

by_ip = defaultdict(list)
for r in access:
    by_ip[r["client_ip"]].append(r)

def fmt_secs(x):
    return f"{x:.1f} s" if x is not None else "—"

rows = []
failures = []
INFO_RUNS = {"scraper-paced"}  # informational: not part of the verdict
RACE = 0.010  # seconds

def window(name):
    try:
        return float(open(f"{work}/{name}.start").read()), float(open(f"{work}/{name}.end").read())
    except (OSError, ValueError):
        return 0.0, float("inf")

def action_of(a):
    return (a.get("action") or {}).get("action")

def tool_says(name):
    """The tool's own conclusion, from its output."""
    log = open(f"{work}/{name}.log", errors="replace").read() if os.path.exists(f"{work}/{name}.log") else ""
    if name.startswith("hydra"):
        found = [l.strip() for l in log.splitlines() if "valid password" in l]
        return found[-1] if found else "no summary"
    if name.startswith("sqlmap"):
        lines = [l.split("] ", 2)[-1].split(". Try")[0].strip() for l in log.splitlines()
                 if "WAF/IPS" in l and "CRITICAL" in l or "injectable" in l and ("ERROR" in l or "INFO" in l)]
        return "; ".join(dict.fromkeys(lines)) or "no summary"
    if name.startswith("ffuf"):
        try:
            results = json.load(open(f"{work}/{name}.json"))["results"]
            return f"{len(results)} customer ids answered 200: {', '.join(r['input']['FUZZ'] for r in results[:5])}"
        except (OSError, ValueError, KeyError):
            return "no results file"
    if name.startswith("gobuster"):
        found = open(f"{work}/{name}.found", errors="replace").read().splitlines() if os.path.exists(f"{work}/{name}.found") else []
        real = [l.split()[0] for l in found if "(Status: 403)" not in l and "(Status: 429)" not in l]
        return f"{len(found)} paths listed, {len(found) - len(real)} of them only the gateway's 403/429; others: {', '.join(real[:8]) or 'none'}"
    if name.startswith("scraper"):
        for line in reversed(log.splitlines()):
            if line.startswith("{"):
                d = json.loads(line)
                return f"{d['passes']} passes, answers {d['statuses']}"
    return ""

for name, ip in runs:
    # The tool's own requests: not the login that fetched its token, nor the probe at the end.
    start, end = window(name)
    reqs = [r for r in by_ip.get(ip, []) if not is_probe(r) and start - 0.5 <= ts(r["ts"]) <= end + 0.5]
    total = len(reqs)
    first = next((i for i, r in enumerate(reqs) if refused_by_detection(r)), None)
    # Requests that started within RACE of the first refusal were in flight beside it (the
    # access log has millisecond times, and parallel tools start many at once): they count as
    # before the block, not as getting past it.
    cut = ts(reqs[first]["ts"]) + RACE if first is not None else float("inf")
    before = [r for r in reqs if ts(r["ts"]) <= cut]
    after = [r for r in reqs if ts(r["ts"]) > cut]
    through = sum(1 for r in before if r.get("decision") != "block")
    forwarded_after = sum(1 for r in after if r.get("decision") != "block")
    mine = sorted((a for a in alerts.values() if alert_touches(a, {ip})), key=lambda a: a["first_seen"])
    deciding = [a for a in mine if not a.get("monitor_only") and action_of(a) in ("block", "rate_limit")]
    # What stopped it: the first decision made before its first refusal.
    stopped_by = None
    if first is not None:
        cut = ts(reqs[first]["ts"]) + 1.0
        before = [a for a in deciding if ts(a["first_seen"]) <= cut]
        stopped_by = (before or deciding or [None])[0]
    probe = probes.get(ip, {})
    try:
        probe_body = json.loads(probe.get("body") or "{}")
    except ValueError:
        probe_body = {}
    probe_refused = probe.get("status") in (403, 429) and probe_body.get("reason") in DETECTION
    at_end = probe_body.get("decision") if probe_refused else None
    reason = sorted(DETECTION & set(reqs[first].get("reasons") or []))[0] if first is not None else None
    secs_to_block = ts(reqs[first]["ts"]) - ts(reqs[0]["ts"]) if first is not None else None
    refusals_after = Counter(x for r in after for x in (r.get("reasons") or []) if x in DETECTION)
    if first is None:
        held = "not blocked"
    elif reason == "rate-limited-by-decision":
        # A rate-limit decision lets `rate_limit_per_minute` (30) through each minute.
        minutes = (ts(after[-1]["ts"]) - ts(after[0]["ts"])) / 60.0 + 1 if after else 1
        if forwarded_after <= 30 * minutes + 1 and probe_refused:
            held = f"yes (rate limit: {forwarded_after} of {len(after)} let through after)"
        else:
            held = (f"NO: {forwarded_after} of {len(after)} forwarded after the first refusal; "
                    f"end probe {probe.get('status')} {probe_body.get('reason', 'from the bank')}")
    elif forwarded_after == 0 and probe_refused and probe_body.get("reason") != "rate-limited-by-decision":
        held = "yes"
    else:
        downgraded = refusals_after.get("rate-limited-by-decision", 0)
        held = (f"NO: {forwarded_after} of {len(after)} forwarded after the first refusal"
                + (f" (the block was replaced by a rate limit: {downgraded} refusals were 429s)" if downgraded else "")
                + f"; end probe {probe.get('status')} {probe_body.get('reason', 'from the bank')}"
                + (f" after {probe.get('attempts')} requests" if probe.get("attempts", 1) > 1 else ""))
    got = sum(1 for r in reqs if r.get("decision") != "block" and 200 <= r.get("status", 0) < 300)
    rows.append({
        "run": name, "ip": ip, "sent": total, "through": through, "got": got, "says": tool_says(name), "first": (first + 1) if first is not None else None,
        "secs": secs_to_block, "stopped_by": stopped_by["id"] if stopped_by else None, "reason": reason,
        "at_end": at_end, "held": held, "refusals_after": dict(refusals_after),
        "alerts": sorted({a["detector"] for a in mine}),
    })
    if name in INFO_RUNS:
        continue
    if first is None:
        failures.append(f"{name} ({ip}) was not blocked")
    elif not held.startswith("yes"):
        failures.append(f"{name} ({ip}): the block did not hold")

# Benign clients.
benign_ips = {ip for ip in by_ip if ip not in tool_ips and ip != "127.0.0.1"}
shared = {GUESSER} & benign_ips
strict_benign = benign_ips - shared
benign_alerts = []
episode_alerts = []
global_alerts = []
for a in alerts.values():
    if alert_touches(a, {ip for ip in tool_ips}) and not alert_touches(a, strict_benign):
        continue
    touched = alert_ips(a) & benign_ips
    keys = [k.get("kind") for k in keys_of(a)]
    if a["key"] == {"kind": "username", "value": VICTIM_USER} and touched <= {VICTIM} | shared:
        # The guessed account's owner logging in after the guesser's failures: the alert the
        # episode should raise ("check with the customer"), about the account, not the owner.
        episode_alerts.append(a)
    elif a["detector"] == "bola-enumeration" and a["key"] == {"kind": "ip", "value": SNOOPER}:
        # The generator's other planted episode: customer 5 reading others' accounts on /v1.
        episode_alerts.append(a)
    elif alert_touches(a, strict_benign) or (touched & strict_benign):
        benign_alerts.append(a)
    elif touched & shared or alert_touches(a, shared):
        episode_alerts.append(a)
    elif all(k in ("endpoint", "global", "username", "device") for k in keys):
        global_alerts.append(a)
    else:
        benign_alerts.append(a)
benign_refused = [r for ip in strict_benign for r in by_ip[ip] if refused_by_detection(r)]
shared_refused = [r for ip in shared for r in by_ip[ip] if refused_by_detection(r)]
benign_requests = sum(len(by_ip[ip]) for ip in benign_ips)
benign_other_refusals = Counter(x for ip in benign_ips for r in by_ip[ip] if r.get("decision") == "block" and not refused_by_detection(r) for x in (r.get("reasons") or ["?"]))
customers_seen = {ip for ip in strict_benign if ip in customer_of}
if benign_alerts:
    failures.append(f"{len(benign_alerts)} alert(s) name a benign client")
if benign_refused:
    failures.append(f"{len(benign_refused)} detection refusal(s) to benign clients")

def who(ip):
    if ip == GUESSER:
        return f"{ip} (planted password guesser, shared with customer {customer_of.get(ip)})"
    if ip in customer_of:
        extra = ", the planted snooper" if ip == SNOOPER else ""
        return f"{ip} (customer {customer_of[ip]}{extra})"
    return f"{ip} ({others.get(ip, 'other')})"

def key_text(k):
    text = f"{k.get('kind')}:{k.get('value', '')}"
    if k.get("kind") == "username" and k.get("value") in unmask:
        user, index = unmask[k["value"]]
        text += f" (customer {index}, {user})"
    return text

def alert_line(a):
    keys = ", ".join(key_text(k) for k in keys_of(a))
    touched = sorted(alert_ips(a) & benign_ips)
    m = ", ".join(f"{k}={v:g}" for k, v in sorted((a.get("measures") or {}).items()))
    act = (a.get("action") or {}).get("action")
    return (f"- `{a['id']}` ({a['state']}, {a['confidence']}, action {act}{' monitor-only' if a.get('monitor_only') else ''}): "
            f"keys {keys}; {a.get('summary', '')}; measures {m}; count {a.get('count')}; "
            f"endpoints {', '.join(a.get('endpoints') or [])}" + (f"; clients {', '.join(who(ip) for ip in touched)}" if touched else ""))

versions = open(f"{work}/versions.txt").read().strip().splitlines() if os.path.exists(f"{work}/versions.txt") else []
benign_runs = open(f"{work}/benign.runs").read().strip() if os.path.exists(f"{work}/benign.runs") else "?"
metrics = {}
if os.path.exists(f"{work}/metrics.txt"):
    for line in open(f"{work}/metrics.txt"):
        if line.startswith("rampart_tap_dropped_total") or line.startswith("rampart_detect_exchanges_total") or line.startswith("rampart_detect_decisions_applied_total"):
            k, v = line.rsplit(" ", 1)
            metrics[k] = v.strip()

out = []
out.append("# Attack tools through `rampart gateway` (bench/attacks.sh)\n")
out.append(f"Tools: {'; '.join(versions)}. Detection on its defaults; benign traffic: {customers} simulated customers, "
           f"{benign_runs} runs, {benign_requests} requests from {len(benign_ips)} addresses ({len(customers_seen)} customers).\n")
out.append("| run | address | sent | reached the bank before the block | first refusal at request | time to it | stopped by (decision) | reason | block held | decision in force at the end | 2xx from the bank | alerts on the address |")
out.append("|---|---|---:|---:|---:|---:|---|---|---|---|---:|---|")
for r in rows:
    after = ", ".join(f"{k} ×{v}" for k, v in r["refusals_after"].items())
    note = " (informational)" if r["run"] in INFO_RUNS else ""
    out.append(f"| {r['run']}{note} | {r['ip']} | {r['sent']} | {r['through']} | {r['first'] or '—'} | {fmt_secs(r['secs'])} | "
               f"`{r['stopped_by'] or '—'}` | {r['reason'] or '—'} | {r['held']}" + (f" (refusals: {after})" if after else "") +
               f" | `{r['at_end'] or 'none'}` | {r['got']} | {', '.join(r['alerts']) or 'none'} |")
out.append("")
out.append(f"Requests that started within {RACE * 1000:.0f} ms of the first refusal were in flight beside it "
           "and count as before the block. \"After\" counts are of the requests that started later.")
out.append("")
out.append("What the tools themselves concluded:")
out += [f"- {r['run']}: {r['says']}" for r in rows]
out.append("")
out.append(f"Benign clients: **{len(benign_alerts)} alerts** naming one of them, **{len(benign_refused)} detection refusals** "
           f"(of {benign_requests} requests); other gateway refusals: {dict(benign_other_refusals) or 'none'}.")
out.append(f"Planted episode of the traffic generator (not benign): the password guesser at {GUESSER}, an address it "
           f"shares with customer {customer_of.get(GUESSER)}, guessing customer {7 % customers}'s password: {len(episode_alerts)} alert(s), "
           f"{len(shared_refused)} refusal(s) on that address. Alerts with no client key (endpoint, global, username): {len(global_alerts)}.")
out.append(f"Gateway: {', '.join(f'{k} {v}' for k, v in metrics.items())}.\n")
if benign_alerts:
    out.append("Alerts naming benign clients:")
    out += [alert_line(a) for a in sorted(benign_alerts, key=lambda a: a["first_seen"])]
    out.append("")
if benign_refused:
    out.append("Detection refusals to benign clients (first 20):")
    for r in benign_refused[:20]:
        out.append(f"- {r['ts']} {who(r['client_ip'])} {r['method']} {r['path']} → {r['status']} {r.get('reasons')}")
    out.append("")
if episode_alerts or global_alerts:
    out.append("Other alerts:")
    out += [alert_line(a) for a in sorted(episode_alerts + global_alerts, key=lambda a: a["first_seen"])]
    out.append("")
out.append("Alerts on the tools' addresses:")
for name, ip in runs:
    for a in sorted((a for a in alerts.values() if alert_touches(a, {ip})), key=lambda a: a["first_seen"]):
        out.append(alert_line(a))
out.append("")
out.append("Verdict: " + ("PASS" if not failures else "FAIL — " + "; ".join(failures)))
print("\n".join(out))
sys.exit(1 if failures else 0)
EOF
cat "$BENCH_DIR/attacks.md"
log "report: $BENCH_DIR/attacks.md; raw files: $WORK"
exit "$status"
