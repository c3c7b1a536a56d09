#!/usr/bin/env bash
# Soak test of `rampart gateway` with everything on (the same setup as bench/gateway.sh: nginx
# serving the demo bank's real responses, the demo bank minting tokens and serving the JWKS):
# steady open-loop load at a fixed rate for SOAK_SECONDS, a mix of good requests and bad ones so
# every code path runs (good token, forged JWT, no token, SQL injection, unknown paths, a login
# burst the built-in rate limit refuses), while the gateway's RSS (VmRSS) is sampled every 10 s.
# Prints the RSS series and last / first-after-warm-up; exits 1 if that ratio exceeds
# SOAK_MAX_GROWTH (1.5), or if a request class did not get its expected answer.
#
# Usage: SOAK_SECONDS=600 bench/soak.sh
#   env: SOAK_SECONDS (600), SOAK_RATE (req/s; default 40% of a 5 s wrk peak measured first),
#        SOAK_WARMUP (min(60, SOAK_SECONDS/4) s), SOAK_MAX_GROWTH (1.5), SOAK_CONNECTIONS (64),
#        SOAK_TAP (a file in the work dir, deleted at the end; /dev/null to spare the disk),
#        NO_RESULTS=1 to skip appending a line to bench/RESULTS.md.
set -euo pipefail
# shellcheck source=bench/gateway.sh
source "$(dirname "${BASH_SOURCE[0]}")/gateway.sh"

SOAK_SECONDS="${SOAK_SECONDS:-600}"
SOAK_WARMUP="${SOAK_WARMUP:-$(( SOAK_SECONDS / 4 < 60 ? SOAK_SECONDS / 4 : 60 ))}"
SOAK_MAX_GROWTH="${SOAK_MAX_GROWTH:-1.5}"
SOAK_CONNECTIONS="${SOAK_CONNECTIONS:-64}"
ROUND_SECONDS=300 # tokens live 15 minutes: a fresh one for every round
[ "$SOAK_SECONDS" -ge 30 ] || die "SOAK_SECONDS must be at least 30"
[ "$SOAK_SECONDS" -le 86400 ] || die "SOAK_SECONDS must be at most 86400"

# The request mix for one round, with a fresh token.
write_mix() {
  local token="$1" file="$2"
  python3 - "$token" "$ACCOUNT_ID" >"$file" <<'EOF'
import base64, json, sys
token, account = sys.argv[1], sys.argv[2]
head, signature = token.rsplit(".", 1)
header, payload = head.split(".")
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
claims["sub"] = "someone-else"
forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
forged = f"{header}.{forged_payload}.{signature}"
bearer = {"authorization": f"Bearer {token}"}
sqli = json.dumps({"fromAccountId": account, "amount": {"value": "10.00", "currency": "SGD"},
                   "reference": "1' OR '1'='1' --"})
mix = [
    {"name": "good-accounts", "weight": 80, "path": "/v2/accounts", "headers": bearer},
    {"name": "good-account", "weight": 10, "path": f"/v2/accounts/{account}", "headers": bearer},
    {"name": "forged-jwt", "weight": 3, "path": "/v2/accounts", "headers": {"authorization": f"Bearer {forged}"}},
    {"name": "garbage-jwt", "weight": 1, "path": "/v2/accounts", "headers": {"authorization": "Bearer not.a.jwt"}},
    {"name": "no-token", "weight": 1, "path": "/v2/accounts"},
    {"name": "sqli-body", "weight": 2, "method": "POST", "path": "/v2/payments",
     "headers": {**bearer, "content-type": "application/json", "idempotency-key": "soak-1"}, "body": sqli},
    {"name": "sqli-query", "weight": 1, "path": "/v2/accounts?q=1%27%20OR%20%271%27%3D%271", "headers": bearer},
    {"name": "unknown-path", "weight": 1, "path": "/v2/nope", "headers": bearer},
    {"name": "unknown-root", "weight": 1, "path": "/wp-admin/setup.php"},
    {"name": "login-burst", "weight": 1, "method": "POST", "path": "/oauth/token",
     "headers": {"content-type": "application/x-www-form-urlencoded"},
     "body": "grant_type=password&client_id=x&client_secret=y&username=u&password=p"},
]
print(json.dumps(mix))
EOF
}

soak_main() {
  setup_common
  watchdog $((SOAK_SECONDS + 900))
  start_bank
  start_nginx
  start_rampart "${SOAK_TAP:-}"
  check_rampart

  local rate="${SOAK_RATE:-}"
  if [ -z "$rate" ]; then
    timeout 30 wrk -t1 -c"$SOAK_CONNECTIONS" -d5s --latency -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$RAMPART_PORT/v2/accounts" >"$WORK/wrk-peak.txt"
    local peak
    read -r peak _ < <(parse_wrk "$WORK/wrk-peak.txt")
    rate=$(( peak * 40 / 100 ))
    log "rampart peak (wrk, 5 s): $peak req/s; soak rate: $rate req/s (40%)"
  fi

  # RSS every 10 s, from the start of the load.
  local samples="$WORK/rss.txt" started
  started=$(date +%s)
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleeper=""
    while kill -0 "$RAMPART_PID" 2>/dev/null; do
      echo "$(( $(date +%s) - started )) $(awk '/VmRSS/ {print $2}' "/proc/$RAMPART_PID/status")"
      sleep 10 &
      sleeper=$!
      wait "$sleeper"
    done
  ) >"$samples" &
  PIDS+=("$!")

  log "soak: $SOAK_SECONDS s at $rate req/s, $SOAK_CONNECTIONS connections, warm-up $SOAK_WARMUP s, mix of good and bad requests"
  local left=$SOAK_SECONDS round=0 this
  while [ "$left" -gt 0 ]; do
    this=$(( left < ROUND_SECONDS ? left : ROUND_SECONDS ))
    round=$((round + 1))
    write_mix "$(mint_token)" "$WORK/mix.json"
    timeout $((this + 60)) "$LOADGEN" --target "127.0.0.1:$RAMPART_PORT" --host api.demo-bank.example \
      --mix "$WORK/mix.json" --rate "$rate" --duration "$this" --connections "$SOAK_CONNECTIONS" \
      >"$WORK/soak-$round.json"
    left=$((left - this))
  done
  sleep 1
  echo "$(( $(date +%s) - started )) $(awk '/VmRSS/ {print $2}' "/proc/$RAMPART_PID/status")" >>"$samples"
  curl -s --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" >"$WORK/metrics.txt" || true

  local tap_size
  tap_size="$(stat -c %s "$TAP_FILE" 2>/dev/null || echo 0)"
  local status=0
  python3 - "$samples" "$SOAK_WARMUP" "$SOAK_MAX_GROWTH" "$WORK/metrics.txt" "$tap_size" "$TAP_FILE" \
    "$rate" "$SOAK_SECONDS" "$OUT_DIR/soak-last.md" "$WORK"/soak-*.json <<'EOF' || status=$?
import json, re, sys
samples_path, warmup, limit, metrics_path, tap_size, tap_file, rate, seconds, out = sys.argv[1:10]
rounds = sys.argv[10:]
warmup, limit = float(warmup), float(limit)
samples = [tuple(map(int, line.split())) for line in open(samples_path) if len(line.split()) == 2]
print("RSS of rampart (s since load start: MiB):")
print("  " + "  ".join(f"{t}s:{kb / 1024:.1f}" for t, kb in samples))
after = [(t, kb) for t, kb in samples if t >= warmup]
first, last = after[0][1], after[-1][1]
ratio = last / first
peak = max(kb for _, kb in samples)

# What each kind of request got, over all rounds.
expected = {
    "good-accounts": {"200"}, "good-account": {"200"}, "forged-jwt": {"401"}, "garbage-jwt": {"401"},
    "no-token": {"401"}, "sqli-body": {"403"}, "sqli-query": {"400", "403"}, "unknown-path": {"404"},
    "unknown-root": {"404"}, "login-burst": {"429", "400", "401", "404", "405", "502"},  # 502: the upstream's undeclared 404, replaced
}
statuses, errors, count, achieved, p99 = {}, 0, 0, [], []
for path in rounds:
    report = json.load(open(path))
    errors += report["errors"]
    count += report["count"]
    achieved.append(report["achieved_rate"])
    p99.append(report["p99_ms"])
    for name, seen in report["statuses"].items():
        for status, n in seen.items():
            statuses.setdefault(name, {}).setdefault(status, 0)
            statuses[name][status] += n
problems = []
print("answers by request kind:")
for name, seen in statuses.items():
    print(f"  {name:14} {seen}")
    wrong = {s: n for s, n in seen.items() if s not in expected.get(name, set(seen))}
    if wrong:
        problems.append(f"{name} got {wrong}")
decisions = re.findall(r'rampart_decisions_total\{reason="([^"]+)"\} (\d+)', open(metrics_path).read())
print("decisions counted: " + ", ".join(f"{r}={n}" for r, n in decisions))
tap = re.search(r"rampart_tap_dropped_total (\d+)", open(metrics_path).read())
print(f"requests answered: {count}, transport errors: {errors}, achieved rate per round: {achieved}, p99 ms per round: {p99}")
print(f"tap: {tap_file} ({int(tap_size) / 1048576:.0f} MiB){', dropped ' + tap.group(1) if tap else ''}")
verdict = "PASS" if ratio <= limit and not problems and errors == 0 else "FAIL"
print(f"RSS first after {warmup:.0f}s warm-up: {first / 1024:.1f} MiB, last: {last / 1024:.1f} MiB, "
      f"peak: {peak / 1024:.1f} MiB, ratio last/first: {ratio:.3f} (limit {limit}) -> {verdict}")
for problem in problems:
    print(f"unexpected answers: {problem}")
with open(out, "w") as f:
    f.write(
        f"Soak (`SOAK_SECONDS={seconds} bench/soak.sh`): {seconds} s at {rate} req/s open loop, a mix of 90% good "
        f"requests and 10% bad ones (forged/garbage/missing JWT, SQLi in body and query, unknown paths, a "
        f"login burst), {count} answers, {errors} transport errors. Rampart RSS "
        f"{first / 1024:.1f} MiB after the {warmup:.0f} s warm-up, {last / 1024:.1f} MiB at the end (peak "
        f"{peak / 1024:.1f} MiB): ratio **{ratio:.3f}** (limit {limit}): {verdict}. RSS series (MiB, every "
        f"10 s): {', '.join(f'{kb / 1024:.0f}' for _, kb in samples)}.\n")
sys.exit(0 if verdict == "PASS" else 1)
EOF
  if [ "${NO_RESULTS:-0}" != 1 ]; then
    append_results "$OUT_DIR/soak-last.md"
  fi
  return $status
}

soak_main "$@"
