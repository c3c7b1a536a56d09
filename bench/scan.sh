#!/usr/bin/env bash
# Whole-system benchmark of `rampart scan` beside Schemathesis (PyPI), on the same targets in the
# same run, scored against each target's documented vulnerabilities:
#   * target A, always: the demo bank (`rampart-demo serve --mode flawed`) on a free loopback
#     port, restarted before every tool run so each starts from the same state; ground truth:
#     `scan_planted_flaws()` of crates/rampart-demo/src/lib.rs (hard-coded below, 38 entries);
#   * target B, only when /var/tmp/vampi/run.sh exists: a local VAmPI (never committed), reset
#     with run.sh before every tool run; ground truth: the 9 items of
#     /var/tmp/vampi/VULNERABILITIES.md.
# Tool runs per target:
#   rampart         `rampart scan` as documented (default rate cap 50 requests/s);
#   rampart rate 0  the same without the rate cap (Schemathesis has none);
#   st 1 user       Schemathesis, every check, one customer's bearer token as a header,
#                   --max-examples $ST_EXAMPLES, ends by itself (hard stop after $ST_GUARD s);
#   st 2 users      Schemathesis, every check, two customers' tokens in a Web Fuzzing Commons
#                   auth file, listed as `peers` so that its object_level_authorization (BOLA)
#                   check runs, --max-time $ST_TIME: its best shot in a 5-minute budget.
# Output: a table per target (wall time, requests, documented vulnerabilities found, other
# findings, false positives), the per-vulnerability and per-finding verdicts, printed and
# written to $BENCH_DIR/scan-bench.md. What counts as found is the MAPPING in the scorer below
# (bench/README.md explains it).
# Usage: bench/scan.sh        env: BENCH_DIR (/var/tmp/rampart-bench), CARGO_TARGET_DIR
#        (/var/tmp/rampart-target), ST_EXAMPLES (100), ST_TIME (300), ST_GUARD (420).
# Needs: cargo, python3 3.11+ (tomllib), curl. Loopback only.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(dirname "$0")/.."
ROOT="$PWD"
DIR="${BENCH_DIR:-/var/tmp/rampart-bench}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"
ST_EXAMPLES="${ST_EXAMPLES:-100}"
ST_TIME="${ST_TIME:-300}"
ST_GUARD="${ST_GUARD:-420}"
VAMPI=/var/tmp/vampi
VAMPI_URL=http://127.0.0.1:5002
SPEC="$ROOT/examples/bank-api.openapi.yaml"

DEMO_PID=""
CHILD_PID=""
VAMPI_TOUCHED=0
VAMPI_WAS_UP=0
cleanup() {
  if [ -n "$CHILD_PID" ]; then # a tool run cut short
    kill "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
    CHILD_PID=""
  fi
  if [ -n "$DEMO_PID" ]; then
    kill "$DEMO_PID" 2>/dev/null || true
    wait "$DEMO_PID" 2>/dev/null || true
    DEMO_PID=""
  fi
  if [ "$VAMPI_TOUCHED" = 1 ]; then
    if [ "$VAMPI_WAS_UP" = 1 ]; then
      # It was serving other work before: leave it serving, from a fresh database and run.sh's
      # default token lifetime.
      "$VAMPI/run.sh" >>"$DIR/vampi-reset.log" 2>&1 || true
    elif [ -s "$VAMPI/server.pid" ]; then
      # This script started it: stop it by its recorded PID.
      kill "$(cat "$VAMPI/server.pid")" 2>/dev/null || true
    fi
    VAMPI_TOUCHED=0
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building rampart and rampart-demo (release)"
nice -n 10 cargo build --release -q -p rampart-cli -p rampart-demo
RAMPART="$CARGO_TARGET_DIR/release/rampart"
DEMO="$CARGO_TARGET_DIR/release/rampart-demo"
RAMPART_VERSION="$("$RAMPART" --version | awk '{print $2}')"

ST_VENV="$DIR/st-venv"
if [ ! -x "$ST_VENV/bin/schemathesis" ]; then
  echo "== installing Schemathesis into $ST_VENV"
  python3 -m venv "$ST_VENV"
  "$ST_VENV/bin/pip" install -q schemathesis
fi
ST="$ST_VENV/bin/schemathesis"
ST_VERSION="$("$ST" --version | awk '{print $NF}')"
echo "   rampart $RAMPART_VERSION, schemathesis $ST_VERSION"

# Flags common to both Schemathesis runs. `--checks all` enables every check; max_response_time
# only runs with a limit, so one is set (1 s: both targets answer in milliseconds).
ST_COMMON=(--checks all --max-response-time 1 --request-timeout 10 --seed 1 --generation-database none
  --output-sanitize false --no-color --report junit,json,har,ndjson)

# ---------------------------------------------------------------------------------------------
# helpers

# run_timed OUTFILE CMD...: runs CMD with stdout to OUTFILE; sets ELAPSED (s) and RC.
run_timed() {
  local out="$1" start end
  shift
  start=$(date +%s.%N)
  RC=0
  # In the background and waited for, so that a signal to the script interrupts it at once.
  "$@" >"$out" &
  CHILD_PID=$!
  wait "$CHILD_PID" || RC=$?
  CHILD_PID=""
  end=$(date +%s.%N)
  ELAPSED=$(python3 -c "print(f'{$end - $start:.1f}')")
}

# Reads a file of `[[identity]]` entries and logs identities in at URL: `token NAME URL` prints
# NAME's token; `wfc OUT.json URL` writes a Web Fuzzing Commons auth file holding the tokens of
# the first two identities of role `user` as fixed `Authorization` headers, and prints their
# names, comma-separated. (Fixed headers, not WFC logins: on VAmPI, Schemathesis' own requests
# change the users' passwords early in a run and every later login would fail.)
identity_tool() {
  python3 - "$@" <<'PY'
import json, sys, tomllib, urllib.parse, urllib.request
ids_file, action = sys.argv[1], sys.argv[2]
ids = tomllib.load(open(ids_file, "rb"))["identity"]
def pointer(doc, ptr):
    for part in ptr.strip("/").split("/"):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc
def token(identity, base):
    login = identity["login"]
    if "form" in login:
        body, ctype = urllib.parse.urlencode(login["form"]), "application/x-www-form-urlencoded"
    else:
        body, ctype = json.dumps(login["json"]), "application/json"
    req = urllib.request.Request(base + login["path"], data=body.encode(), method=login.get("method", "POST"),
                                 headers={"Content-Type": ctype})
    return str(pointer(json.load(urllib.request.urlopen(req, timeout=10)), login["token"]))
if action == "token":
    print(token(next(i for i in ids if i["name"] == sys.argv[3]), sys.argv[4]))
else:
    out, base = sys.argv[3], sys.argv[4]
    users = [i for i in ids if "login" in i and i.get("role") == "user"][:2]
    entries = [{"name": i["name"], "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token(i, base)}"}]}
               for i in users]
    json.dump({"auth": entries}, open(out, "w"), indent=1)
    print(",".join(i["name"] for i in users))
PY
}

# st_run NAME URL SPECFILE [extra schemathesis args...]: one Schemathesis run in $DIR/NAME/,
# timed, bounded by $ST_GUARD s; sets ELAPSED and RC.
st_run() {
  local name="$1" url="$2" spec="$3" out
  shift 3
  out="$DIR/$name"
  rm -rf "$out"
  mkdir -p "$out"
  local cfg=()
  if [ -s "$out.toml" ]; then cfg=(--config-file "$out.toml"); fi
  run_timed "$out/stdout.txt" bash -c 'cd "$1" && shift && exec "$@"' _ "$out" \
    timeout "$ST_GUARD" "$ST" "${cfg[@]}" run "$spec" --url "$url" "${ST_COMMON[@]}" \
    --report-junit-path "$out/junit.xml" --report-json-path "$out/report.json" \
    --report-har-path "$out/har.json" --report-ndjson-path "$out/events.ndjson" "$@"
  # Schemathesis exits 1 when it reports failures; 124 means the guard stopped it.
  echo "   $name: ${ELAPSED} s, exit $RC"
}

write_st_config() { # NAME WFC_JSON PEERS(comma-separated)
  local peers
  peers=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1].split(",")))' "$3")
  printf '[auth.wfc]\npath = "%s"\npeers = %s\n' "$2" "$peers" >"$DIR/$1.toml"
}

RUNS_FILE="$DIR/scan-runs.tsv" # target, label, kind, wall s, exit, path, server-side request count
: >"$RUNS_FILE"
record_run() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RUNS_FILE"; }

# ---------------------------------------------------------------------------------------------
# Target A: the demo bank

PORT=$(free_port)
DEMO_URL="http://127.0.0.1:$PORT"
start_demo() {
  "$DEMO" serve --listen "127.0.0.1:$PORT" --mode flawed >>"$DIR/demo.log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null --max-time 1 "$DEMO_URL/.well-known/jwks.json"; then return 0; fi
    kill -0 "$DEMO_PID" 2>/dev/null || { echo "demo bank died, see $DIR/demo.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "demo bank did not answer on $DEMO_URL" >&2
  exit 1
}
stop_demo() {
  kill "$DEMO_PID" 2>/dev/null || true
  wait "$DEMO_PID" 2>/dev/null || true
  DEMO_PID=""
}
: >"$DIR/demo.log"

echo "== target A: demo bank (flawed) on $DEMO_URL"
rm -f "$DIR/rampart.db"
"$RAMPART" discover examples/sample.har --db "$DIR/rampart.db" --quiet >/dev/null
"$DEMO" identities >"$DIR/ids.toml"
SCAN_DEMO=(scan --target "$DEMO_URL" --spec "$SPEC" --from-inventory --db "$DIR/rampart.db"
  --identities "$DIR/ids.toml" --allow-writes --format json)

start_demo
echo "-- rampart scan"
run_timed "$DIR/scan-demo.json" "$RAMPART" "${SCAN_DEMO[@]}" -o "$DIR/scan-demo.sarif"
echo "   ${ELAPSED} s, exit $RC"
record_run demo "rampart" rampart "$ELAPSED" "$RC" "$DIR/scan-demo.json" ""
stop_demo

start_demo
echo "-- rampart scan --rate 0"
run_timed "$DIR/scan-demo-rate0.json" "$RAMPART" "${SCAN_DEMO[@]}" --rate 0
echo "   ${ELAPSED} s, exit $RC"
record_run demo "rampart --rate 0" rampart "$ELAPSED" "$RC" "$DIR/scan-demo-rate0.json" ""
stop_demo

# POST /v1/auth/logout revokes the token it is sent with: a static token would be dead after
# Schemathesis' first call there, so that operation is left out of both Schemathesis runs.
start_demo
echo "-- schemathesis, one customer (alice) as a bearer header"
TOKEN=$(identity_tool "$DIR/ids.toml" token alice "$DEMO_URL")
rm -f "$DIR/st-demo-1user.toml"
st_run st-demo-1user "$DEMO_URL" "$SPEC" -H "Authorization: Bearer $TOKEN" --exclude-path /v1/auth/logout \
  --max-examples "$ST_EXAMPLES"
record_run demo "schemathesis, 1 user" st "$ELAPSED" "$RC" "$DIR/st-demo-1user" ""
stop_demo

start_demo
echo "-- schemathesis, two customers as peers, ${ST_TIME} s budget"
PEERS=$(identity_tool "$DIR/ids.toml" wfc "$DIR/st-demo-wfc.json" "$DEMO_URL")
write_st_config st-demo-2users "$DIR/st-demo-wfc.json" "$PEERS"
st_run st-demo-2users "$DEMO_URL" "$SPEC" --exclude-path /v1/auth/logout \
  --max-examples "$ST_EXAMPLES" --max-time "$ST_TIME"
record_run demo "schemathesis, 2 users, ${ST_TIME} s" st "$ELAPSED" "$RC" "$DIR/st-demo-2users" ""
stop_demo

# ---------------------------------------------------------------------------------------------
# Target B: VAmPI (local copy), when present

if [ -x "$VAMPI/run.sh" ]; then
  echo "== target B: VAmPI on $VAMPI_URL"
  if curl -s -o /dev/null --max-time 2 "$VAMPI_URL/"; then VAMPI_WAS_UP=1; fi
  VAMPI_TOUCHED=1
  # Tokens live 60 s upstream; run.sh passes `tokentimetolive` on to the app.
  reset_vampi() {
    tokentimetolive=600 "$VAMPI/run.sh" >>"$DIR/vampi-reset.log" 2>&1 \
      || { echo "VAmPI reset failed, see $DIR/vampi-reset.log" >&2; exit 1; }
  }
  # Werkzeug logs one line per request: the server-side request count.
  served() { grep -c '^127\.0\.0\.1 - - \[' "$VAMPI/server.log" || true; }
  VSPEC="$VAMPI/openapi_specs/openapi3.yml"
  VIDS="$VAMPI/identities.toml"
  : >"$DIR/vampi-reset.log"

  reset_vampi
  echo "-- rampart scan"
  N0=$(served)
  run_timed "$DIR/scan-vampi.json" "$RAMPART" scan --target "$VAMPI_URL" --spec "$VSPEC" --identities "$VIDS" \
    --allow-writes --format json -o "$DIR/scan-vampi.sarif"
  echo "   ${ELAPSED} s, exit $RC"
  record_run vampi "rampart" rampart "$ELAPSED" "$RC" "$DIR/scan-vampi.json" "$(($(served) - N0))"

  reset_vampi
  echo "-- rampart scan --rate 0"
  N0=$(served)
  run_timed "$DIR/scan-vampi-rate0.json" "$RAMPART" scan --target "$VAMPI_URL" --spec "$VSPEC" \
    --identities "$VIDS" --allow-writes --format json --rate 0
  echo "   ${ELAPSED} s, exit $RC"
  record_run vampi "rampart --rate 0" rampart "$ELAPSED" "$RC" "$DIR/scan-vampi-rate0.json" "$(($(served) - N0))"

  reset_vampi
  echo "-- schemathesis, one user (user1) as a bearer header"
  TOKEN=$(identity_tool "$VIDS" token user1 "$VAMPI_URL")
  rm -f "$DIR/st-vampi-1user.toml"
  N0=$(served)
  st_run st-vampi-1user "$VAMPI_URL" "$VSPEC" -H "Authorization: Bearer $TOKEN" --max-examples "$ST_EXAMPLES"
  record_run vampi "schemathesis, 1 user" st "$ELAPSED" "$RC" "$DIR/st-vampi-1user" "$(($(served) - N0))"

  reset_vampi
  echo "-- schemathesis, two users as peers, ${ST_TIME} s budget"
  PEERS=$(identity_tool "$VIDS" wfc "$DIR/st-vampi-wfc.json" "$VAMPI_URL")
  write_st_config st-vampi-2users "$DIR/st-vampi-wfc.json" "$PEERS"
  N0=$(served)
  st_run st-vampi-2users "$VAMPI_URL" "$VSPEC" --max-examples "$ST_EXAMPLES" --max-time "$ST_TIME"
  record_run vampi "schemathesis, 2 users, ${ST_TIME} s" st "$ELAPSED" "$RC" "$DIR/st-vampi-2users" \
    "$(($(served) - N0))"
else
  echo "== target B skipped: $VAMPI/run.sh not found"
fi

# ---------------------------------------------------------------------------------------------
# Scoring

cat >"$DIR/scan_score.py" <<'PY'
"""Scores each run of bench/scan.sh against the targets' documented vulnerabilities."""
import base64, json, re, sys
from collections import OrderedDict

runs_file, out_md, rampart_version, st_version, header = sys.argv[1:6]

def norm(op):
    """`GET /v2/statements/{date}` and `GET /v2/statements/{yearMonth}` are the same operation."""
    return re.sub(r"\{[^}]*\}", "{}", op.strip())

def path_re(template):
    return re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template)) + "$")

def url_path(url):
    return re.sub(r"^[a-z]+://[^/]+", "", url).split("?")[0] or "/"

# ---- ground truth -------------------------------------------------------------------------
# The demo bank: `scan_planted_flaws()` of crates/rampart-demo/src/lib.rs, one entry per planted
# instance as (OWASP 2023, class, method, template), printed by `rampart-demo planted-flaws`
# (tab-separated) into the file the script passes as DEMO_GROUND_TRUTH; `*` is any path.
import os
with open(os.environ["DEMO_GROUND_TRUTH"], encoding="utf-8") as ground_truth:
    DEMO = [tuple(line.rstrip("\n").split("\t")) for line in ground_truth if line.strip()]

# VAmPI: the README's 9 vulnerabilities as /var/tmp/vampi/VULNERABILITIES.md places them.
VAMPI = [
    ("#1", "vampi-sqli", "GET", "/users/v1/{username}"),
    ("#2", "vampi-password-change", "PUT", "/users/v1/{username}/password"),
    ("#3", "vampi-bola", "GET", "/books/v1/{book_title}"),
    ("#4", "vampi-mass-assignment", "POST", "/users/v1/register"),
    ("#5", "vampi-debug-exposure", "GET", "/users/v1/_debug"),
    ("#6", "vampi-user-enumeration", "POST", "/users/v1/login"),
    ("#7", "vampi-redos", "PUT", "/users/v1/{username}/email"),
    ("#8", "vampi-no-rate-limit", "POST", "/users/v1/login"),
    ("#9", "vampi-jwt-weak-key", "*", "*"),
]
VAMPI_TITLES = {
    "vampi-sqli": "SQLi Injection", "vampi-password-change": "Unauthorized Password Change",
    "vampi-bola": "Broken Object Level Authorization", "vampi-mass-assignment": "Mass Assignment",
    "vampi-debug-exposure": "Excessive Data Exposure through debug endpoint",
    "vampi-user-enumeration": "User and Password Enumeration", "vampi-redos": "RegexDOS",
    "vampi-no-rate-limit": "Lack of Resources & Rate Limiting",
    "vampi-jwt-weak-key": "JWT authentication bypass via weak signing key",
}

# ---- MAPPING: what counts as found -------------------------------------------------------
# rampart: a finding whose rule is one of the class's rules (the demo's from
# crates/rampart-cli/tests/scan_cli.rs `rules_for`) and whose operation is the documented one.
# Token findings (`jwt-*`) name the token's source (`JWT HS256 POST /v1/auth/login`): they
# match the documented operation when that name ends with it or when one of the exchanges the
# finding recorded as proof was sent to it. Templates compare with parameter names ignored.
RAMPART_RULES = {
    "bola-read": ["bola-read", "bola-enumeration"], "bola-write": ["bola-write"],
    "no-auth-sensitive-data": ["sensitive-data-without-auth", "auth-not-enforced"],
    "jwt-weak-secret": ["jwt-weak-secret"], "jwt-alg-none": ["jwt-alg-none-accepted"],
    "jwt-no-expiry": ["jwt-without-expiry"], "login-no-rate-limit": ["login-no-rate-limit"],
    "user-enumeration": ["user-enumeration"], "mass-assignment": ["mass-assignment"],
    "excessive-data-exposure": ["excessive-data-exposure", "full-card-number-exposed"],
    "unbounded-page-size": ["unbounded-page-size"], "oversized-body": ["oversized-body-accepted"],
    "bfla-admin": ["bfla-admin-operation"], "method-swap": ["undeclared-method-accepted"],
    "ssrf": ["ssrf"], "cors": ["cors-any-origin"],
    "security-headers": ["missing-security-headers", "server-version-disclosed"],
    "verbose-error": ["verbose-error"], "trace-method": ["trace-enabled"],
    "old-api-version": ["old-api-version"], "undocumented-endpoint": ["undocumented-endpoint"],
    "sql-injection": ["sql-injection"], "nosql-injection": ["nosql-injection"],
    "command-injection": ["command-injection"],
    "vampi-sqli": ["sql-injection"], "vampi-password-change": ["bola-write"],
    "vampi-bola": ["bola-read", "bola-enumeration"], "vampi-mass-assignment": ["mass-assignment"],
    "vampi-debug-exposure": ["sensitive-data-without-auth", "excessive-data-exposure", "secret-in-response",
                             "auth-not-enforced"],
    "vampi-user-enumeration": ["user-enumeration"], "vampi-redos": ["regex-dos"],
    "vampi-no-rate-limit": ["login-no-rate-limit"], "vampi-jwt-weak-key": ["jwt-weak-secret"],
}
# Rules that prove a class on whatever operation they name (VAmPI: "no endpoint is throttled").
RAMPART_ANY_OPERATION = {"vampi-no-rate-limit": ["no-rate-limit"]}

def exchange_hits(finding, method, template):
    rx = path_re(template)
    return any(x["request"]["method"] == method and rx.match(url_path(x["request"]["url"]))
               for x in finding.get("exchanges", []))

def rampart_proves(f, cls, method, template):
    if f["rule"] in RAMPART_ANY_OPERATION.get(cls, []):
        return True
    if f["rule"] not in RAMPART_RULES.get(cls, []):
        return False
    if template == "*":
        return True
    want = norm(f"{method} {template}")
    op = norm(f["operation"])
    if op == want:
        return True
    if f["rule"].startswith("jwt-"):
        return op.endswith(" " + want) or exchange_hits(f, method, template)
    return False

# Schemathesis: a failure of the check that shows the class, on the documented operation, with
# the evidence named here in its response or message. A 5xx alone proves no class.
SQL_ERROR = re.compile(r"SQLSTATE|sqlite3?\.|OperationalError|unrecognized token|syntax error|"
                       r"SELECT .* FROM|ORA-\d{5}|PDOException", re.I)
NOSQL_ERROR = re.compile(r"MongoServerError|unknown operator|\$where|BSON", re.I)
SHELL_OUTPUT = re.compile(r"uid=\d+\(|sh: \d*:? ?\S+: (not found|command not found)|/bin/sh", re.I)
STACK_TRACE = re.compile(r"Stack trace:|Traceback \(most recent call last\)|\.php:\d+|\bat [\w.$]+\(\w+\.java:\d+\)")
ST_MAPPING = {  # class -> (description of the evidence, predicate on a failure)
    "no-auth-sensitive-data": ("ignored_auth on the operation", lambda f: f["check"] == "ignored_auth"),
    "bola-read": ("object_level_authorization on the operation",
                  lambda f: f["check"] == "object_level_authorization"),
    "bola-write": ("object_level_authorization on the operation (it replays only GETs)",
                   lambda f: f["check"] == "object_level_authorization"),
    "vampi-bola": ("object_level_authorization on the operation",
                   lambda f: f["check"] == "object_level_authorization"),
    "vampi-password-change": ("object_level_authorization on the operation (it replays only GETs)",
                              lambda f: f["check"] == "object_level_authorization"),
    "sql-injection": ("a 5xx with a SQL error in its body, on the operation",
                      lambda f: f["status"] >= 500 and SQL_ERROR.search(f["body"])),
    "vampi-sqli": ("a 5xx with a SQL error in its body, on the operation",
                   lambda f: f["status"] >= 500 and SQL_ERROR.search(f["body"])),
    "nosql-injection": ("a 5xx with a MongoDB operator error in its body, on the operation",
                        lambda f: f["status"] >= 500 and NOSQL_ERROR.search(f["body"])),
    "command-injection": ("any failure whose response shows shell output, on the operation",
                          lambda f: SHELL_OUTPUT.search(f["body"])),
    "verbose-error": ("a 5xx with a stack trace in its body, on the operation",
                      lambda f: f["status"] >= 500 and STACK_TRACE.search(f["body"])),
    "unbounded-page-size": ("negative_data_rejection: `limit` above its `maximum` accepted",
                            lambda f: f["check"] == "negative_data_rejection" and "`limit`" in f["message"]
                            and "maximum" in f["message"]),
    "oversized-body": ("negative_data_rejection: `reference` over its `maxLength` accepted",
                       lambda f: f["check"] == "negative_data_rejection" and "reference" in f["message"]
                       and "maxLength" in f["message"]),
    "mass-assignment": ("negative_data_rejection naming `status`",
                        lambda f: f["check"] == "negative_data_rejection" and "`status`" in f["message"]),
    "vampi-mass-assignment": ("negative_data_rejection naming `admin`",
                              lambda f: f["check"] == "negative_data_rejection" and "admin" in f["message"]),
    "excessive-data-exposure": ("response_schema_conformance naming `pan`",
                                lambda f: f["check"] == "response_schema_conformance" and "pan" in f["message"]),
    "vampi-redos": ("max_response_time (1 s) on the operation", lambda f: f["check"] == "max_response_time"),
    "method-swap": ("unsupported_method: the undeclared DELETE answered 2xx", None),
    "trace-method": ("unsupported_method: TRACE answered 2xx, on any operation", None),
}

def st_proves(f, cls, method, template):
    if cls == "trace-method":
        return f["check"] == "unsupported_method" and f["req_method"] == "TRACE" and 200 <= f["status"] < 300
    if cls == "method-swap":
        return (f["check"] == "unsupported_method" and f["req_method"] == method and 200 <= f["status"] < 300
                and path_re(template).match(url_path(f["uri"])))
    entry = ST_MAPPING.get(cls)
    if entry is None or norm(f["operation"]) != norm(f"{method} {template}"):
        return False
    return bool(entry[1](f))

# ---- verdicts on findings that match no documented vulnerability -------------------------
# (target, tool, rule or check regex, operation regex, verdict, reason): first match wins.
# Verdicts: "true" (a real weakness, not in the list), "not a vulnerability" (a true statement
# about the API that is no security weakness: spec conformance), "false positive" (the claim
# is wrong). Written after reading the findings of the runs; anything else is "unjudged".
JUDGEMENTS = [
    ("demo", "rampart", r"^bola-read$", r"/internal/admin/users/\{", "true",
     "the planted bfla-admin seen as BOLA: bob's token reads alice's admin record"),
    ("demo", "rampart", r"^secret-in-response$", r"/internal/admin/users/\{", "false positive",
     "the only field it names is passwordHashAlgorithm = \"sha256-salted\": an algorithm's name, not a secret"),
    ("demo", "rampart", r"^jwt-(expired-accepted|audience-not-checked)$", r"", "true",
     "verify_legacy() checks neither exp nor aud; the recorded exchange shows 200"),
    ("demo", "rampart", r"^no-rate-limit$", r"", "true",
     "the flawed bank throttles nothing; 30 requests in a row all answered"),
    ("demo", "rampart", r"^(missing-security-headers|server-version-disclosed)$", r"^\S+ /(v2|internal|oauth|\.well-known)",
     "false positive", "outside /v1 every response has nosniff and HSTS and no banner (common_headers); "
     "the exchange the finding recorded is GET /v1/accounts, not the operation it names"),
    ("vampi", "rampart", r"^oversized-body-accepted$", r"", "true",
     "VAmPI sets no body size limit: a 2 MiB field was accepted"),
    ("vampi", "rampart", r"^(missing-security-headers|server-version-disclosed)$", r"", "true",
     "Werkzeug/Python version banner, no nosniff, checked in the recorded response"),
    ("vampi", "rampart", r"^(verbose-error|undocumented-endpoint)$", r"/console|/users/v1/\{", "true",
     "debug=True: the Werkzeug debugger and tracebacks (an extra weakness in VULNERABILITIES.md)"),
    ("vampi", "rampart", r"^undocumented-endpoint$", r"/openapi\.json|/ui", "not a vulnerability",
     "the API's own spec / Swagger UI served by connexion: true, harmless"),
    ("vampi", "rampart", r"^(sensitive-data-without-auth|bfla-admin-operation|auth-not-enforced)$",
     r"/users/v1$|/books/v1$|/createdb", "true",
     "listed among VULNERABILITIES.md's extra weaknesses (unauthenticated listing / createdb)"),
    ("vampi", "st", r"^not_a_server_error$", r"", "true",
     "the 500 returns the Werkzeug debugger's traceback (debug=True, an extra weakness in "
     "VULNERABILITIES.md); the error itself is a robustness bug"),
    ("vampi", "st", r"^ensure_resource_availability$", r"^POST /books/v1$", "not a vulnerability",
     "the book was created with an empty title, which no URL addresses (GET /books/v1/ is another "
     "route): a validation gap, no security weakness"),
    ("*", "st", r"^(positive_data_acceptance|status_code_conformance|content_type_conformance|"
     r"response_headers_conformance|response_schema_conformance|missing_required_header|"
     r"allow_header_conformance)$", r"", "not a vulnerability",
     "the API departs from its spec: true, no security weakness by itself"),
    ("*", "st", r"^unsupported_method$", r"", "not a vulnerability",
     "an undeclared method not answered 405: a conformance issue unless it is TRACE (counted above)"),
    ("*", "st", r"^negative_data_rejection$", r"", "not a vulnerability",
     "input the spec forbids was accepted: a validation gap, true, no documented class"),
    ("*", "st", r"^not_a_server_error$", r"", "not a vulnerability",
     "a 5xx: a real robustness bug, but a 5xx alone proves no vulnerability class"),
    ("*", "st", r"^max_response_time$", r"", "not a vulnerability",
     "a response slower than 1 s on an operation with no documented resource flaw"),
]

def judge(target, tool, rule, op):
    for t, who, rx, oprx, verdict, reason in JUDGEMENTS:
        if t in ("*", target) and who == tool and re.search(rx, rule) and re.search(oprx, op):
            return verdict, reason
    return "unjudged", "read it and add a verdict to JUDGEMENTS in bench/scan.sh"

# ---- readers ------------------------------------------------------------------------------
def b64(content):
    if not content:
        return ""
    if "$base64" in content:
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return str(content.get("string", content.get("text", "")))

def st_failures(path):
    """Unique failures of a Schemathesis run from its NDJSON events: one per check and operation
    (and request method, for undeclared methods), the first seen."""
    seen = OrderedDict()
    try:
        lines = open(f"{path}/events.ndjson", encoding="utf-8")
    except OSError:
        return []
    for line in lines:
        if '"failure"' not in line:
            continue
        event = json.loads(line).get("ScenarioFinished")
        if not event:
            continue
        rec = event["recorder"]
        for case_id, checks in rec.get("checks", {}).items():
            for c in checks:
                if c["status"] != "failure":
                    continue
                fi = c["failure_info"]["failure"]
                inter = rec.get("interactions", {}).get(fi.get("case_id") or case_id) \
                    or rec.get("interactions", {}).get(case_id) or {}
                req = inter.get("request", {})
                resp = inter.get("response") or {}
                f = {"check": c["name"], "code": fi.get("code", ""), "title": fi.get("title", ""),
                     "message": fi.get("message", ""), "operation": fi.get("operation") or rec.get("label", ""),
                     "req_method": req.get("method", ""), "uri": req.get("uri", ""),
                     "status": resp.get("status_code") or 0, "body": b64(resp.get("content"))}
                key = (f["check"], norm(f["operation"]),
                       f["req_method"] if f["check"] == "unsupported_method" else "")
                seen.setdefault(key, f)
    return list(seen.values())

def st_requests(path):
    try:
        return len(json.load(open(f"{path}/har.json"))["log"]["entries"])
    except (OSError, ValueError, KeyError):
        return None

def st_stop(path):
    try:
        r = json.load(open(f"{path}/report.json"))
        return r.get("stop_reason"), r.get("test_cases", {}).get("generated")
    except (OSError, ValueError):
        return None, None

# ---- scoring ------------------------------------------------------------------------------
runs = [line.rstrip("\n").split("\t") for line in open(runs_file) if line.strip()]
md = [header, ""]
for target in OrderedDict.fromkeys(r[0] for r in runs):
    truth = DEMO if target == "demo" else VAMPI
    title = ("Demo bank (`rampart-demo serve --mode flawed`), 38 planted flaws" if target == "demo"
             else "VAmPI (local copy, vulnerable=1), 9 documented vulnerabilities")
    rows, per_vuln, extras = [], OrderedDict(), OrderedDict()
    for key in truth:
        per_vuln[key] = {}
    times = {}
    for _, label, kind, wall, rc, path, served in (r for r in runs if r[0] == target):
        times[label] = float(wall)
        if kind == "rampart":
            try:
                report = json.load(open(path))
            except (OSError, ValueError):
                rows.append(f"| {label} | {rampart_version} | {wall} | failed: no JSON report (exit {rc}) | | | | | |")
                continue
            items = report["findings"]
            version = report.get("version", rampart_version)
            requests = str(report["stats"]["requests_sent"])
            note = ""
            prove = rampart_proves
            name = lambda f: f["rule"]
            where = lambda f: f["operation"] + (f" ({f['parameter']})" if f.get("parameter") else "")
        else:
            items = st_failures(path)
            version = st_version
            n = st_requests(path)
            requests = "n/a" if n is None else f"{n} (HAR)"
            stop, cases = st_stop(path)
            note = f"stop: {stop}, {cases} test cases" + ("; killed by the guard" if rc == "124" else "")
            prove = st_proves
            name = lambda f: f["check"]
            where = lambda f: f["operation"] + (f" [{f['req_method']}]" if f["check"] == "unsupported_method" else "")
        found = 0
        for key in truth:
            hits = [f for f in items if prove(f, key[1], key[2], key[3])]
            per_vuln[key][label] = f"{name(hits[0])}" if hits else ""
            found += bool(hits)
        other = [f for f in items if not any(prove(f, k[1], k[2], k[3]) for k in truth)]
        fps = unjudged = 0
        for f in other:
            family = "rampart" if kind == "rampart" else "st"
            verdict, reason = judge(target, family, name(f), f["operation"])
            fps += verdict == "false positive"
            unjudged += verdict == "unjudged"
            entry = extras.setdefault((family, name(f), where(f)), {"verdict": verdict, "reason": reason, "runs": []})
            entry["runs"].append(label)
        served_txt = f"{served}" if served else "n/a"
        rows.append(f"| {label} | {version} | {wall} | {requests} | {served_txt} | **{found} / {len(truth)}** | "
                    f"{len(other)} | {fps}{f' (+{unjudged} unjudged)' if unjudged else ''} | exit {rc}"
                    f"{'; ' + note if note else ''} |")
    md += [f"### {title}", "",
           "| tool | version | wall s | requests (tool's count) | requests (server log) | documented found | "
           "other findings | false positives | notes |", "|---|---|---|---|---|---|---|---|---|", *rows, ""]
    for base in [l for l in times if l.startswith("rampart")]:
        for st in [l for l in times if l.startswith("schemathesis")]:
            if times[base] > 0:
                md.append(f"- wall time, {st} / {base}: **{times[st] / times[base]:.1f}×**")
    md.append("")
    labels = list(times)
    md += ["| documented vulnerability | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for key, by in per_vuln.items():
        if target == "demo":
            what = f"{key[0]} {key[1]} `{key[2]} {key[3]}`"
        else:
            what = f"{key[0]} {VAMPI_TITLES[key[1]]} `{key[2]} {key[3]}`"
        md.append(f"| {what} | " + " | ".join(f"✓ {by[l]}" if by.get(l) else "—" for l in labels) + " |")
    for family, title in (("rampart", "rampart findings"), ("st", "Schemathesis failures (one per check and operation)")):
        items = [(k, v) for k, v in extras.items() if k[0] == family]
        if not items:
            continue
        md += ["", f"{title} that match no documented vulnerability, with the verdict after reading them:", "",
               "| rule / check | operation | verdict | why | runs |", "|---|---|---|---|---|"]
        order = {"false positive": 0, "unjudged": 1, "true": 2, "not a vulnerability": 3}
        family_runs = [l for l in labels if l.startswith("rampart" if family == "rampart" else "schemathesis")]
        grouped = OrderedDict()  # one row per rule, verdict and runs: the operations listed together
        for (_, rule, where_), v in sorted(items, key=lambda kv: (order.get(kv[1]["verdict"], 9), kv[0][1], kv[0][2])):
            runs_txt = "all" if len(v["runs"]) == len(family_runs) else ", ".join(v["runs"])
            grouped.setdefault((rule, v["verdict"], v["reason"], runs_txt), []).append(f"`{where_}`")
        for (rule, verdict, reason, runs_txt), ops in grouped.items():
            md.append(f"| {rule} | {', '.join(ops)} | {verdict} | {reason} | {runs_txt} |")
    md.append("")
open(out_md, "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
HEADER="## \`bench/scan.sh\`, $(date -u +%Y-%m-%dT%H:%MZ)

Machine: $(nproc) cores ($CPU), $(free -g | awk '/^Mem:/{print $2}') GiB. rampart $RAMPART_VERSION (release),
Schemathesis $ST_VERSION ($("$ST_VENV/bin/python" --version)). Schemathesis flags: \`${ST_COMMON[*]}\`;
1 user: one customer's token as \`-H 'Authorization: Bearer …'\`, \`--max-examples $ST_EXAMPLES\`, ends by itself;
2 users: both customers' tokens as fixed headers in a Web Fuzzing Commons auth file, listed as \`peers\` (so \`object_level_authorization\` runs),
\`--max-examples $ST_EXAMPLES --max-time $ST_TIME\`; demo runs \`--exclude-path /v1/auth/logout\` (it revokes the token).
rampart: \`rampart scan --spec … --identities … --allow-writes --format json\` (+ \`--from-inventory\` on the demo),
default \`--rate 50\`, and again with \`--rate 0\`. Each run starts from a freshly started target."
"$DEMO" planted-flaws >"$DIR/demo-ground-truth.tsv"
DEMO_GROUND_TRUTH="$DIR/demo-ground-truth.tsv" python3 "$DIR/scan_score.py" "$RUNS_FILE" "$DIR/scan-bench.md" "$RAMPART_VERSION" "$ST_VERSION" "$HEADER"
echo
echo "written: $DIR/scan-bench.md"
