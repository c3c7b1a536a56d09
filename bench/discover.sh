#!/usr/bin/env bash
# Whole-system benchmark of `rampart discover`, reported as ratios against baselines measured in
# the same run:
#   * throughput: exchanges/s on one core (taskset -c 0) over a corpus of N exchanges with ~1 KB JSON bodies,
#     with the default sensitive-data classification and without it (--no-sensitive);
#   * memory: peak RSS at N and at N/10 exchanges — the ratio shows whether memory grows with input length;
#   * baseline: the same machine reading the same JSONL with `wc -l` (I/O floor) and mitmproxy2swagger
#     (PyPI) on the same HAR: time and endpoints found against the ground truth.
# Usage: bench/discover.sh [EXCHANGES] [HAR_ENTRIES]   (defaults 1000000 and 20000)
# Needs: python3; mitmproxy2swagger is installed with pip when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
HAR_N="${2:-20000}"
WORK="${BENCH_DIR:-/var/tmp/rampart-bench}"
mkdir -p "$WORK"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"

echo "== building rampart (release)"
cargo build --release -q -p rampart-cli
RAMPART="$CARGO_TARGET_DIR/release/rampart"

if [ ! -s "$WORK/corpus-$N.jsonl" ]; then
  echo "== generating corpus: $N exchanges"
  python3 bench/gen_corpus.py --exchanges "$N" --jsonl "$WORK/corpus-$N.jsonl" --truth "$WORK/truth.txt"
fi
HAR="$WORK/corpus-$HAR_N.har"
if [ ! -s "$HAR" ]; then
  echo "== generating HAR: $HAR_N entries of one host"
  # The HAR holds one host's entries; hosts rotate, so generate three times as many exchanges.
  python3 bench/gen_corpus.py --exchanges $((HAR_N * 3)) --har "$HAR" --har-entries "$HAR_N"
fi
SMALL=$((N / 10))
if [ ! -s "$WORK/corpus-$SMALL.jsonl" ]; then
  head -n "$SMALL" "$WORK/corpus-$N.jsonl" > "$WORK/corpus-$SMALL.jsonl"
fi
BYTES=$(stat -c %s "$WORK/corpus-$N.jsonl")


echo "== I/O floor: wc -l over the corpus"
read -r T_WC _ < <( { /usr/bin/time -f "%e %M" wc -l "$WORK/corpus-$N.jsonl" >/dev/null; } 2>&1 | tail -n1 )

echo "== rampart discover, one core, $N exchanges"
read -r T_BIG M_BIG < <( { /usr/bin/time -f "%e %M" taskset -c 0 "$RAMPART" discover --no-db --quiet --format json "$WORK/corpus-$N.jsonl" >"$WORK/inventory.json"; } 2>&1 | tail -n1 )
echo "== rampart discover --no-sensitive (templating, schemas, auth only), one core, $N exchanges"
read -r T_PLAIN _ < <( { /usr/bin/time -f "%e %M" taskset -c 0 "$RAMPART" discover --no-sensitive --no-db --quiet --format json "$WORK/corpus-$N.jsonl" >/dev/null; } 2>&1 | tail -n1 )
echo "== rampart discover, one core, $SMALL exchanges"
read -r T_SMALL M_SMALL < <( { /usr/bin/time -f "%e %M" taskset -c 0 "$RAMPART" discover --no-db --quiet --format json "$WORK/corpus-$SMALL.jsonl" >/dev/null; } 2>&1 | tail -n1 )

FOUND=$(python3 -c "import json,sys; d=json.load(open('$WORK/inventory.json')); print(len({(e['key']['method'], e['key']['path_template']) for e in d['endpoints']}))")
TRUTH=$(wc -l < "$WORK/truth.txt")
EXACT=$(python3 - "$WORK/inventory.json" "$WORK/truth.txt" <<'PY'
import json, re, sys
inv = json.load(open(sys.argv[1]))
norm = lambda t: re.sub(r"\{[^}]*\}", "{}", t)
found = {(e["key"]["method"], norm(e["key"]["path_template"])) for e in inv["endpoints"]}
truth = {(l.split()[0], norm(l.split()[1])) for l in open(sys.argv[2]) if l.strip()}
print(f"{len(found & truth)} of {len(truth)} true endpoints found, {len(found - truth)} extra")
PY
)

echo "== rampart discover on the HAR ($HAR_N entries, one host)"
read -r T_RHAR _ < <( { /usr/bin/time -f "%e %M" taskset -c 0 "$RAMPART" discover --no-db --quiet --format json "$HAR" >"$WORK/har-inventory.json"; } 2>&1 | tail -n1 )
R_HAR_FOUND=$(python3 -c "import json; d=json.load(open('$WORK/har-inventory.json')); print(len(d['endpoints']))")

BIG_HAR_N="${BIG_HAR_N:-100000}"
BIG_HAR="$WORK/corpus-big-$BIG_HAR_N.har"
if [ ! -s "$BIG_HAR" ]; then
  echo "== generating a large HAR: $BIG_HAR_N entries"
  python3 bench/gen_corpus.py --exchanges $((BIG_HAR_N * 3)) --har "$BIG_HAR" --har-entries "$BIG_HAR_N"
fi
echo "== rampart discover on the large HAR, one core"
read -r T_BIGHAR M_BIGHAR < <( { /usr/bin/time -f "%e %M" taskset -c 0 "$RAMPART" discover --no-db --quiet --format json "$BIG_HAR" >/dev/null; } 2>&1 | tail -n1 )
read -r T_BIGHAR_PLAIN _ < <( { /usr/bin/time -f "%e %M" taskset -c 0 "$RAMPART" discover --no-sensitive --no-db --quiet --format json "$BIG_HAR" >/dev/null; } 2>&1 | tail -n1 )

echo "== mitmproxy2swagger on the same HAR (two passes, accepting every path it proposes)"
if ! command -v mitmproxy2swagger >/dev/null; then pip install --quiet mitmproxy2swagger; fi
rm -f "$WORK/m2s.yaml"
START=$(date +%s.%N)
taskset -c 0 mitmproxy2swagger -i "$HAR" -o "$WORK/m2s.yaml" -p https://api.apac-bank.example -f har >/dev/null 2>&1
sed -i 's/^- ignore:/- /' "$WORK/m2s.yaml"
taskset -c 0 mitmproxy2swagger -i "$HAR" -o "$WORK/m2s.yaml" -p https://api.apac-bank.example -f har >/dev/null 2>&1
END=$(date +%s.%N)
T_M2S=$(python3 -c "print(round($END - $START, 2))")
M2S_FOUND=$(python3 - "$WORK/m2s.yaml" <<'PY'
import sys, re
paths, n, inside = 0, 0, False
for line in open(sys.argv[1]):
    if line.startswith("paths:"):
        inside = True; continue
    if inside and re.match(r"^\S", line):
        inside = False
    if inside and re.match(r"^  \S.*:\s*$", line):
        paths += 1
    if inside and re.match(r"^    (get|post|put|patch|delete|head|options):", line):
        n += 1
print(f"{n} operations on {paths} paths")
PY
)

python3 - <<PY
n, big, small = $N, $T_BIG, $T_SMALL
print()
print("== results")
print(f"corpus: {n} exchanges, {$BYTES/1e9:.2f} GB of JSONL")
print(f"throughput (1 core), with sensitive-data classification (default): {n/big:,.0f} exchanges/s ({big:.1f} s)")
print(f"throughput (1 core), --no-sensitive: {n/$T_PLAIN:,.0f} exchanges/s ({$T_PLAIN:.1f} s); classification costs {big/$T_PLAIN:.2f}x")
print(f"I/O floor wc -l: {$T_WC:.1f} s (discovery is {big/max($T_WC,0.01):.1f}x the floor)")
print(f"peak RSS: {$M_BIG/1024:.0f} MiB at {n} exchanges vs {$M_SMALL/1024:.0f} MiB at {n//10} — ratio {$M_BIG/max($M_SMALL,1):.2f} for 10x the input")
print(f"endpoints: {$FOUND} found, truth {$TRUTH}: $EXACT")
print(f"large HAR, $BIG_HAR_N entries: {$BIG_HAR_N/$T_BIGHAR:,.0f} exchanges/s with classification, {$BIG_HAR_N/$T_BIGHAR_PLAIN:,.0f}/s with --no-sensitive; peak RSS {$M_BIGHAR/1024:.0f} MiB")
print(f"HAR of $HAR_N entries: rampart {$T_RHAR:.2f} s, {$R_HAR_FOUND} endpoints; mitmproxy2swagger {$T_M2S:.2f} s, $M2S_FOUND (ratio {$T_M2S/max($T_RHAR,0.01):.1f}x slower)")
PY
