#!/usr/bin/env bash
# Throughput and memory of the behavioural detectors (crates/rampart-detect), on one core:
#   * criterion: Exchanges/s through every detector on realistic banking traffic (logins, account
#     reads, transaction lists, transfers; 5,000 customers), beside a baseline measured in the same
#     run — cloning each Exchange, the least any consumer of the tap pays. Reported as a ratio.
#   * memory: the `memory` example feeds 1,000,000 distinct clients (IP, identity, token; a login
#     and an account read each), all inside the detectors' windows, and reports resident memory
#     growth and the engine's own estimate of its state.
# Goal (issue 7): >= 500,000 Exchanges/s per core, < 1 GB for a million client keys.
#
# Usage: bench/detect.sh   (env: CLIENTS=1000000 MEASURE_SECS=5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"
CLIENTS="${CLIENTS:-1000000}"
MEASURE_SECS="${MEASURE_SECS:-5}"

echo "== building (release)" >&2
cargo build --release -p rampart-detect --example memory >&2
cargo bench -p rampart-detect --bench detect --no-run >&2

echo "== throughput (criterion, one thread)" >&2
cargo bench -p rampart-detect --bench detect -- --warm-up-time 2 --measurement-time "$MEASURE_SECS" >&2
estimate() {
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate'])" \
    "$CARGO_TARGET_DIR/criterion/detect/$1/new/estimates.json"
}
BASE_NS=$(estimate baseline_clone)
ALL_NS=$(estimate all_detectors)
# 10,000 exchanges per iteration.
python3 - "$BASE_NS" "$ALL_NS" <<'PY'
import sys
base, full = (float(x) for x in sys.argv[1:3])
per = 10_000
print(f"baseline (clone)      {per / base * 1e9:>12,.0f} exchanges/s")
print(f"all detectors         {per / full * 1e9:>12,.0f} exchanges/s   ({full / per:.0f} ns each)")
print(f"ratio detectors/clone {full / base:>12.1f}x the cost of a clone")
print(f"goal 500,000/s        {'met' if per / full * 1e9 >= 500_000 else 'NOT met'}")
PY

echo "== memory with $CLIENTS distinct clients" >&2
# Not `tee /dev/stderr`: when stderr is a file, tee would open it again and truncate it.
MEMORY=$("$CARGO_TARGET_DIR/release/examples/memory" "$CLIENTS")
echo "$MEMORY" >&2
echo "$MEMORY" | awk -F'\t' '
  $1=="rss_growth_mib" { printf "resident growth       %12.0f MiB  (goal < 1024: %s)\n", $2, ($2 < 1024 ? "met" : "NOT met") }
  $1=="tracked_keys"   { printf "tracked keys          %12d\n", $2 }
  $1=="exchanges_per_sec" { printf "while filling         %12d exchanges/s (includes building each exchange)\n", $2 }'
