#!/usr/bin/env bash
# Throughput and peak memory of vpshunt on benchmark-sized exports of several shapes, with DuckDB running the
# same seed rule as SQL on the same files beside it, in the same run. Not a pass/fail test (issue 12, item 4).
#
#   bash bench/run.sh                                # every shape at full size (~4 GB of files, ~15 min quiet)
#   BENCH_SCALE=0.02 BENCH_RUNS=1 bash bench/run.sh  # a quick check of the harness (about a minute)
#   BENCH_SHAPES="short zeek" bash bench/run.sh      # some shapes only
#   BENCH_PAGE=1 bash bench/run.sh                   # also the page in Chromium (bench/page.mjs)
#
# Shapes (vpshunt_gen, fixed seed, fixed 25 h span; bench/README.md says what each is):
#   long     the default Defender CSV, ~545 MB (1x), the same flows at 5x the rows (memory flatness), and
#            the same export as streaming-API JSON Lines
#   short    22 columns, ~260 B/row, ~80 % of the rows filtered, random order, ~250 MB
#   full     the 45-column DeviceNetworkEvents schema, ~800 B/row, ~500 MB
#   zeek     a Zeek conn.log (TSV), ~250 MB
#   results  1,500 devices x 3 agents calling home in every hour: ~108,000 seed rows, ~400 MB
# Engines, each run BENCH_RUNS times (default 3; the fastest time and the largest peak RSS are reported,
# every time is listed), the file read once before each run so it sits in the page cache:
#   native-1t    build/vpshunt --events F --intel TI --format jsonl --now NOW --output OUT
#                (and --detect beacon when the CLI has it: the seed rule is the beacon detection)
#   native-2t    the same with --threads 2, when `vpshunt --help` lists --threads (else n/a)
#   wasm-node    node W/vpshunt.mjs, the same flags (--threads 1: one wasm instance)
#   wasm-node-2t the same with --threads 2: a second wasm instance reads the file's second half in a worker
#                thread (the runner's default for inputs of 64 MiB or more on 2+ cores)
#   duckdb-2t    bench/duckdb.mjs --engine node: @duckdb/node-api, SET threads = 2, COPY (seed rule) TO OUT
#   duckdb-wasm  bench/duckdb.mjs --engine wasm: DuckDB-WASM's Node build (one thread), the rows written as JSON Lines
# The seed rule's SQL (bench/seed-rule.mjs) takes its lists and thresholds from `vpshunt --print-config`.
# Printed per run: file MB, seconds, MB/s, input rows/s, peak RSS (/usr/bin/time -v), result rows; then per
# shape the check that every engine found the same rows (bench/compare-results.mjs; a MISMATCH means one
# side's rule is wrong), the ratios to the peer (native vs DuckDB 2 threads, wasm vs DuckDB-WASM: speed x =
# peer seconds / ours, memory x = peer peak RSS / ours), the 5x/1x peak-memory ratio and the issue's targets.
#
# Env: BENCH_SCALE (1: multiplies every size and flow count), BENCH_SHAPES, BENCH_RUNS (3), BENCH_PEER (1; 0
# skips DuckDB), BENCH_KEEP (0; 1 keeps bench/data/), BENCH_PAGE (0), BENCH_NO_BUILD (0; 1 uses the binaries
# already built), BENCH_MB (520 x scale: MiB of the long 1x CSV), BENCH_GROUPS (20000 x scale: flows of the
# long, short, full and zeek shapes), BENCH_SHORT_MB (240 x scale), BENCH_FULL_MB (480 x scale), BENCH_ZEEK_MB
# (240 x scale), BENCH_RESULTS_DEVICES (1500 x scale), BENCH_SEED (1), BENCH_DATA (bench/data), VPSHUNT_BUILD
# (build), VPSHUNT_WASM_BUILD (W), JOBS (2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCALE="${BENCH_SCALE:-1}"
scaled() { awk -v a="$1" -v s="$SCALE" 'BEGIN { v = a * s; if (v < 1) v = 1; printf "%d", v + 0.5 }'; }
BENCH_MB="${BENCH_MB:-$(scaled 520)}"
GROUPS_N="${BENCH_GROUPS:-$(scaled 20000)}"
SHORT_MB="${BENCH_SHORT_MB:-$(scaled 240)}"
FULL_MB="${BENCH_FULL_MB:-$(scaled 480)}"
ZEEK_MB="${BENCH_ZEEK_MB:-$(scaled 240)}"
RESULTS_DEVICES="${BENCH_RESULTS_DEVICES:-$(scaled 1500)}"
SHAPES="${BENCH_SHAPES:-long short full zeek results}"
SEED="${BENCH_SEED:-1}"
BUILD="${VPSHUNT_BUILD:-build}"
WASM_BUILD="${VPSHUNT_WASM_BUILD:-W}"
DATA="${BENCH_DATA:-bench/data}"
JOBS="${JOBS:-2}"
RUNS="${BENCH_RUNS:-3}"
PEER="${BENCH_PEER:-1}"
NOW=2026-11-24T14:00:00Z   # the end of vpshunt_gen's fixed span
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: /usr/bin/time is missing (apt-get install time, or bash scripts/setup.sh)" >&2; exit 1; }
for s in $SHAPES; do
  case "$s" in long|short|full|zeek|results) ;; *) echo "bench: unknown shape $s (long short full zeek results)" >&2; exit 1 ;; esac
done

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "bench: building Release in $BUILD"
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  # asn.bin too: without it the CLI skips the ASN lookups the wasm runner (which has it) does.
  cmake --build "$BUILD" -j"$JOBS" --target vpshunt vpshunt_gen vpshunt_asn_db >/dev/null
fi
[ -f "$BUILD/asn.bin" ] || echo "bench: $BUILD/asn.bin is missing: the native runs skip the ASN lookups (build target vpshunt_asn_db)" >&2
GEN="$BUILD/vpshunt_gen"
CLI="$BUILD/vpshunt"
NODE_RUNNER="$WASM_BUILD/vpshunt.mjs"

# Does the CLI take --threads N? (the engine is single-threaded until it does)
THREADS=0
"$CLI" --help 2>&1 | grep -q -- '--threads' && THREADS=1
# --detect beacon, where an engine has it: the seed rule is the beacon detection, and the peer runs only that.
DETECT_NATIVE=(); DETECT_WASM=()
"$CLI" --help 2>&1 | grep -q -- '--detect' && DETECT_NATIVE=(--detect beacon)
[ -f "$NODE_RUNNER" ] && node "$NODE_RUNNER" --help 2>&1 | grep -q -- '--detect' && DETECT_WASM=(--detect beacon)

if [ "$PEER" = 1 ] && { [ ! -d node_modules/@duckdb/node-api ] || [ ! -d node_modules/@duckdb/duckdb-wasm ]; }; then
  echo "bench: node_modules/@duckdb is missing (npm ci): the DuckDB peer is skipped" >&2
  PEER=0
fi

mkdir -p "$DATA"
RULE="$DATA/rule.json"
"$CLI" --print-config > "$RULE"
GENERATED=()
cleanup() {
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    rm -f "${GENERATED[@]}" "$RULE" "$DATA"/*.time "$DATA"/*.err "$DATA"/out-*.jsonl
  fi
}
trap cleanup EXIT

declare -A INROWS FILE_OF TI_OF
# gen NAME OUT ARGS... : runs the generator; remembers the file and its row count under NAME.
gen() {
  local name="$1" out="$2"; shift 2
  local log; log="$("$GEN" --seed "$SEED" --output "$out" "$@" 2>&1 >/dev/null)"
  echo "  $name: $log"
  INROWS[$name]=$(awk '{for (i = 1; i <= NF; i++) if ($(i+1) == "rows,") { print $i; exit }}' <<<"$log")
  FILE_OF[$name]="$out"
  GENERATED+=("$out")
}
echo "bench: generating into $DATA/ (scale $SCALE, seed $SEED)"
t=$SECONDS
for s in $SHAPES; do
  case "$s" in
    long)
      gen csv-1x "$DATA/long-1x.csv" --groups "$GROUPS_N" --bytes "${BENCH_MB}M" --intel "$DATA/ti-long.csv"
      gen csv-5x "$DATA/long-5x.csv" --groups "$GROUPS_N" --rows $((INROWS[csv-1x] * 5))
      gen jsonl-1x "$DATA/long-1x.jsonl" --groups "$GROUPS_N" --bytes "${BENCH_MB}M" --format jsonl
      TI_OF[csv-1x]="$DATA/ti-long.csv"; TI_OF[csv-5x]="$DATA/ti-long.csv"; TI_OF[jsonl-1x]="$DATA/ti-long.csv"
      GENERATED+=("$DATA/ti-long.csv") ;;
    short|full|zeek)
      mb="$SHORT_MB"; [ "$s" = full ] && mb="$FULL_MB"; [ "$s" = zeek ] && mb="$ZEEK_MB"
      ext=csv; [ "$s" = zeek ] && ext=log
      gen "$s" "$DATA/$s.$ext" --shape "$s" --groups "$GROUPS_N" --bytes "${mb}M" --intel "$DATA/ti-$s.csv"
      TI_OF[$s]="$DATA/ti-$s.csv"; GENERATED+=("$DATA/ti-$s.csv") ;;
    results)
      gen results "$DATA/results.csv" --shape results --groups "$RESULTS_DEVICES" --intel "$DATA/ti-results.csv"
      TI_OF[results]="$DATA/ti-results.csv"; GENERATED+=("$DATA/ti-results.csv") ;;
  esac
done
echo "  ($((SECONDS - t)) s in all)"

declare -A WALL RSS RES RC LOAD LINE
RESULTS=()
MISMATCHES=()
# measure LABEL ENGINE CMD... : RUNS runs of CMD under /usr/bin/time -v (CMD writes its results to
# $DATA/out-LABEL-ENGINE.jsonl); the fastest run's time (a shared VM's noise only ever adds time) and the
# largest peak RSS of all runs are kept, with the result rows of the last run.
measure() {
  local label="$1" engine="$2"; shift 2
  local file="${FILE_OF[$label]}" rows="${INROWS[$label]}"
  local tf="$DATA/$label-$engine.time" ef="$DATA/$label-$engine.err" out="$DATA/out-$label-$engine.jsonl"
  local bytes; bytes=$(stat -c %s "$file")
  local rc=0 wall="" rss=0 walls="" i w k load=0 l
  for ((i = 0; i < RUNS; i++)); do
    cat "$file" >/dev/null  # warm: this VM's memory manager may have dropped it from the page cache
    "$TIME" -v -o "$tf" "$@" >/dev/null 2>"$ef" || rc=$?
    w=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tf")
    k=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
    # The peer's own account of how long loading its engine took (module import, wasm compile, open).
    l=$(sed -n 's/.*of which \([0-9.]*\) s loading the engine.*/\1/p' "$ef" | head -1)
    walls="$walls $w"
    if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN { exit !(a < b) }'; then wall="$w"; load="${l:-0}"; fi
    [ "$k" -gt "$rss" ] && rss="$k"
  done
  # Result rows: vpshunt's jsonl also holds other detections' rows; the seed rule is the beacon detection.
  local res="-"
  if [ -f "$out" ]; then
    case "$engine" in
      duckdb*) res=$(wc -l < "$out") ;;
      *) if grep -q -m1 '"Detection":' "$out"; then res=$(grep -c '"Detection":"beacon"' "$out" || true); else res=$(wc -l < "$out"); fi ;;
    esac
  fi
  WALL["$label/$engine"]="$wall"; RSS["$label/$engine"]="$rss"; RES["$label/$engine"]="$res"; RC["$label/$engine"]="$rc"
  LOAD["$label/$engine"]="$load"
  local line
  line=$(awk -v l="$label" -v e="$engine" -v b="$bytes" -v r="$rows" -v w="$wall" -v k="$rss" -v res="$res" -v rc="$rc" 'BEGIN {
    mb = b / 1e6; if (w <= 0) w = 0.01
    printf "%-9s %-12s %8.0f %8.2f %8.1f %11.0f %9.1f %9s%s", l, e, mb, w, mb / w, r / w, k / 1024, res, (rc != 0 ? "   (exit " rc ")" : "") }')
  echo "$line"
  [ "$RUNS" -gt 1 ] && echo "      runs (s):$walls"
  LINE["$label/$engine"]="$line"
  # What the engine said about the events file (vpshunt: format, records, kept; DuckDB: version, rows,
  # engine load time), so a file it could not read does not pass for a fast run.
  local said
  case "$engine" in
    duckdb*) said=$(grep -m1 '^duckdb' "$ef" | cut -c1-200 || true) ;;
    *) said=$(grep -F -m1 "$file:" "$ef" | cut -c1-160 || true)
       if grep -q "NOT READ" <<<"$said"; then said=$(grep -F -m1 -A1 "$file:" "$ef" | head -2 | cut -c1-200); fi ;;
  esac
  if [ -n "$said" ]; then sed 's/^/      /' <<<"$said"; fi
  if [ "$rc" -ne 0 ] || grep -q "NOT READ" <<<"$said"; then
    LINE["$label/$engine"]="$line   (NOT COMPARABLE: the run failed or the events were not read)"
    sed 's/^/      /' "$ef" | tail -5
  fi
  RESULTS+=("$label/$engine")
}

na() {  # na LABEL ENGINE WHY: a row for an engine that cannot run here
  local line; line=$(printf "%-9s %-12s %8s %8s %8s %11s %9s %9s   %s" "$1" "$2" - - - - - - "$3")
  echo "$line"
  LINE["$1/$2"]="$line"; RESULTS+=("$1/$2")
}

# check LABEL: the engines' results against each other. Native and wasm must be byte-identical; the peer
# must hold the same seed rows.
check() {
  local label="$1" base="$DATA/out-$1-native-1t.jsonl" e o verdict
  [ -f "$base" ] || return 0
  for e in native-2t wasm-node wasm-node-2t; do
    o="$DATA/out-$label-$e.jsonl"
    [ -f "$o" ] || continue
    if [ "${e%-2t}" = wasm-node ] && [ "${DETECT_NATIVE[*]}" != "${DETECT_WASM[*]}" ]; then
      echo "      $e output: not compared (the two builds differ: only one has --detect)"; continue
    fi
    if cmp -s "$base" "$o"; then echo "      $e output: identical to native-1t"
    else echo "      $e output: DIFFERS from native-1t (MISMATCH)"; MISMATCHES+=("$label: $e output differs from native-1t"); fi
  done
  for e in duckdb-2t duckdb-wasm; do
    o="$DATA/out-$label-$e.jsonl"
    [ -f "$o" ] && [ "${RC[$label/$e]:-1}" = 0 ] || continue
    if verdict=$(node bench/compare-results.mjs "$base" "$o" 2>&1); then
      echo "      $e rows: $verdict (vpshunt ${RES[$label/native-1t]}, $e ${RES[$label/$e]})"
    else
      echo "      $e rows: MISMATCH: $(head -1 <<<"$verdict")"
      tail -n +2 <<<"$verdict" | sed 's/^/        /'
      MISMATCHES+=("$label: vpshunt ${RES[$label/native-1t]} rows, $e ${RES[$label/$e]}")
    fi
  done
}

HEADER=$(printf "%-9s %-12s %8s %8s %8s %11s %9s %9s" shape engine "file MB" seconds "MB/s" "rows/s" "peak MiB" "results")
HAVE_WASM=0
[ -f "$NODE_RUNNER" ] && HAVE_WASM=1 || echo "(no $NODE_RUNNER: the wasm/Node runs are skipped; build it with emcmake, see scripts/test.sh)"
echo
echo "$HEADER"
# run_shape LABEL SQLSHAPE PEER(0/1)
run_shape() {
  local label="$1" sqlshape="$2" peer="$3" file="${FILE_OF[$1]}" ti="${TI_OF[$1]}"
  local flags=(--events "$file" --intel "$ti" --format jsonl --now "$NOW")
  local one=(); [ "$THREADS" = 1 ] && one=(--threads 1)
  measure "$label" native-1t "$CLI" "${flags[@]}" "${DETECT_NATIVE[@]}" "${one[@]}" --output "$DATA/out-$label-native-1t.jsonl"
  if [ "$THREADS" = 1 ]; then
    measure "$label" native-2t "$CLI" "${flags[@]}" "${DETECT_NATIVE[@]}" --threads 2 --output "$DATA/out-$label-native-2t.jsonl"
  else
    na "$label" native-2t "n/a (not supported: vpshunt has no --threads)"
  fi
  if [ "$HAVE_WASM" = 1 ]; then
    measure "$label" wasm-node node "$NODE_RUNNER" "${flags[@]}" "${DETECT_WASM[@]}" "${one[@]}" --output "$DATA/out-$label-wasm-node.jsonl"
    if [ "$THREADS" = 1 ]; then
      measure "$label" wasm-node-2t node "$NODE_RUNNER" "${flags[@]}" "${DETECT_WASM[@]}" --threads 2 --output "$DATA/out-$label-wasm-node-2t.jsonl"
    fi
  fi
  if [ "$peer" = 1 ] && [ "$PEER" = 1 ]; then
    local sql=(--shape "$sqlshape" --events "$file" --intel "$ti" --rule "$RULE" --now "$NOW")
    measure "$label" duckdb-2t node bench/duckdb.mjs --engine node --threads 2 "${sql[@]}" --output "$DATA/out-$label-duckdb-2t.jsonl"
    measure "$label" duckdb-wasm node bench/duckdb.mjs --engine wasm "${sql[@]}" --output "$DATA/out-$label-duckdb-wasm.jsonl"
  fi
  check "$label"
}
for s in $SHAPES; do
  case "$s" in
    long) run_shape csv-1x defender 1; run_shape csv-5x defender 0; run_shape jsonl-1x defender 0 ;;
    zeek) run_shape zeek zeek 1 ;;
    *) run_shape "$s" defender 1 ;;
  esac
done

# ratio LABEL ENGINE PEER: "speed x (without the peer's engine load) / memory x" against the peer, or "-".
ratio() {
  local a="$1/$2" b="$1/$3"
  if [ -z "${WALL[$a]:-}" ] || [ -z "${WALL[$b]:-}" ] || [ "${RC[$a]}" != 0 ] || [ "${RC[$b]}" != 0 ]; then echo "-"; return; fi
  awk -v w="${WALL[$a]}" -v pw="${WALL[$b]}" -v pl="${LOAD[$b]:-0}" -v k="${RSS[$a]}" -v pk="${RSS[$b]}" 'BEGIN {
    if (w <= 0) w = 0.01; if (k <= 0) k = 1
    printf "%.1fx faster (%.1fx without its %.1f s engine load), %.1fx leaner", pw / w, (pw - pl) / w, pl, pk / k }'
}

echo
# The commit the binaries were built from (the build's source folder, which may be another checkout).
SRC_DIR=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
COMMIT=$(git -C "${SRC_DIR:-$ROOT}" describe --always --dirty 2>/dev/null || echo '?')
DUCK_V=$(node -e "for (const p of ['@duckdb/node-api', '@duckdb/duckdb-wasm']) { try { process.stdout.write(p + ' ' + require('./node_modules/' + p + '/package.json').version + ' ') } catch {} }" 2>/dev/null || true)
echo "=== summary ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), native build of $COMMIT, $(node --version 2>/dev/null || echo 'no node'), scale $SCALE, ${DUCK_V:-no DuckDB})"
printf "%s   %s\n" "$HEADER" "vs the peer (native: DuckDB 2 threads; wasm: DuckDB-WASM)"
for key in "${RESULTS[@]}"; do
  label="${key%%/*}" engine="${key#*/}" vs=""
  case "$engine" in
    native-*) vs=$(ratio "$label" "$engine" duckdb-2t) ;;
    wasm-node*) vs=$(ratio "$label" "$engine" duckdb-wasm) ;;
  esac
  [ "$vs" = "-" ] && vs=""
  printf "%s   %s\n" "${LINE[$key]}" "$vs"
done
for engine in native-1t native-2t wasm-node wasm-node-2t; do
  a="${RSS[csv-1x/$engine]:-}"; b="${RSS[csv-5x/$engine]:-}"
  if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ]; then
    awk -v e="$engine" -v a="$a" -v b="$b" 'BEGIN { printf "peak-memory ratio 5x/1x (%s): %.2f  (%.1f / %.1f MiB)\n", e, b / a, b / 1024, a / 1024 }'
  fi
done
if [ "${#MISMATCHES[@]}" -gt 0 ]; then
  echo
  echo "!!! RESULT MISMATCH: the engines did not find the same rows; one side's rule is wrong:"
  printf '!!!   %s\n' "${MISMATCHES[@]}"
fi

# The issue's targets, from this run.
echo
echo "=== targets (issue 12; same run, this machine; speed against the peer without its engine load)"
target_line() { printf "  %-58s %s\n" "$1" "$2"; }
met() { awk -v v="$1" -v t="$2" 'BEGIN { if (v == "") print "n/a"; else if (v + 0 >= t + 0) printf "met (%.2f)\n", v; else printf "NOT met (%.2f)\n", v }'; }
# Speed against the peer without the peer's engine load (the conservative figure: at full size the load is
# a small share, in a quick run it is most of the peer's time).
speed() { [ -n "${WALL[$1/$2]:-}" ] && [ -n "${WALL[$1/$3]:-}" ] && [ "${RC[$1/$2]}" = 0 ] && [ "${RC[$1/$3]}" = 0 ] && awk -v w="${WALL[$1/$2]}" -v p="${WALL[$1/$3]}" -v l="${LOAD[$1/$3]:-0}" 'BEGIN { if (w <= 0) w = 0.01; print (p - l) / w }' || true; }
lean() { [ -n "${RSS[$1/$2]:-}" ] && [ -n "${RSS[$1/$3]:-}" ] && [ "${RC[$1/$2]}" = 0 ] && [ "${RC[$1/$3]}" = 0 ] && awk -v k="${RSS[$1/$2]}" -v p="${RSS[$1/$3]}" 'BEGIN { if (k <= 0) k = 1; print p / k }' || true; }
NATIVE=native-2t; [ "$THREADS" = 1 ] || NATIVE=native-1t
[ "$NATIVE" = native-1t ] && echo "  (native, 2 threads: n/a, vpshunt has no --threads; the 1-thread run stands in below)"
for label in csv-1x short full zeek results; do
  [ -n "${WALL[$label/native-1t]:-}" ] || continue
  target_line "$label: native ($NATIVE) >= 3x DuckDB 2 threads" "$(met "$(speed "$label" "$NATIVE" duckdb-2t)" 3)"
  target_line "$label: wasm (Node) >= 5x faster than DuckDB-WASM" "$(met "$(speed "$label" wasm-node duckdb-wasm)" 5)"
  [ -n "${WALL[$label/wasm-node-2t]:-}" ] && target_line "$label: wasm (Node, 2 threads) >= 5x faster than DuckDB-WASM" "$(met "$(speed "$label" wasm-node-2t duckdb-wasm)" 5)"
  target_line "$label: wasm (Node) >= 5x leaner than DuckDB-WASM" "$(met "$(lean "$label" wasm-node duckdb-wasm)" 5)"
  [ -n "${RSS[$label/wasm-node-2t]:-}" ] && target_line "$label: wasm (Node, 2 threads) >= 5x leaner than DuckDB-WASM" "$(met "$(lean "$label" wasm-node-2t duckdb-wasm)" 5)"
done
if [ -n "${WALL[short/$NATIVE]:-}" ]; then
  rps=$(awk -v r="${INROWS[short]}" -v w="${WALL[short/$NATIVE]}" 'BEGIN { if (w <= 0) w = 0.01; print r / w / 1e6 }')
  target_line "short: native ($NATIVE) >= 2.5 M rows/s" "$(met "$rps" 2.5)"
fi
if [ -n "${RSS[csv-5x/native-1t]:-}" ]; then
  r=$(awk -v a="${RSS[csv-1x/native-1t]}" -v b="${RSS[csv-5x/native-1t]}" 'BEGIN { print b / a }')
  target_line "memory flat in rows: 5x rows <= 1.2x memory (native)" "$(awk -v v="$r" 'BEGIN { if (v <= 1.2) printf "met (%.2f)\n", v; else printf "NOT met (%.2f)\n", v }')"
fi

# The page in Chromium (bench/page.mjs): time to rows, sort/filter latency, memory of the browser's processes.
if [ "${BENCH_PAGE:-0}" = 1 ]; then
  echo
  if [ -f "$WASM_BUILD/web/index.html" ] && [ -x /usr/bin/chromium ]; then
    echo "=== the page in Chromium (bench/page.mjs, now = $NOW)"
    PAGE_OUT="$DATA/page-results.txt"
    : >"$PAGE_OUT"
    page_run() {  # LABEL NODE_SECONDS FILE... : bench/page.mjs, its page-result line kept for the targets
      local label="$1" node_s="$2"; shift 2
      node bench/page.mjs --label "$label" --node-seconds "$node_s" "$@" | tee -a "$PAGE_OUT" | grep -v '^page-result ' ||
        echo "bench: the page run failed on $label"
    }
    for s in short full zeek results; do
      [ -n "${FILE_OF[$s]:-}" ] || continue
      echo "--- $s"
      page_run "$s" "${WALL[$s/wasm-node]:-}" --now "$NOW" "${FILE_OF[$s]}" "${TI_OF[$s]}"
    done
    # A million result rows: vpshunt_gen --shape scan (every source an inbound row and, in its own /24, an
    # infrastructure row). The Node runner's time on it (all detections, as the page runs them) for the ratio.
    echo "--- a million-row result (vpshunt_gen --shape scan: $(scaled 1200000) sources)"
    gen page-scan "$DATA/scan.log" --shape scan --groups "$(scaled 1200000)" >/dev/null
    scan_node=""
    if [ -f "$NODE_RUNNER" ]; then
      t0=$(date +%s.%N)
      node "$NODE_RUNNER" --events "${FILE_OF[page-scan]}" --now "$NOW" --format jsonl --quiet --output /dev/null &&
        scan_node=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
      echo "  Node runner on it: ${scan_node:-failed} s"
    fi
    page_run scan "$scan_node" --now "$NOW" "${FILE_OF[page-scan]}"
    echo "--- a 2 GB export (default now)"
    gen page-2g "$DATA/events-2g.csv" --groups "$GROUPS_N" --bytes "$(scaled 2000)M" >/dev/null
    page_run 2g "" "${FILE_OF[page-2g]}"
    echo
    echo "=== page targets (issue 12; this run)"
    node -e '
      const fs = require("fs");
      const runs = {};
      for (const line of fs.readFileSync(process.argv[1], "utf8").split("\n"))
        if (line.startsWith("page-result ")) { const r = JSON.parse(line.slice(12)); runs[r.label] = r; }
      const out = (what, verdict) => console.log(`  ${what.padEnd(70)} ${verdict}`);
      const met = (v, ok, text) => v === undefined || v === null ? "n/a" : `${ok ? "met" : "NOT met"} (${text})`;
      for (const [label, r] of Object.entries(runs))
        if (r.vsNode !== undefined) out(`${label}: rows shown within 2x the Node runner`, met(r.vsNode, r.vsNode <= 2, `${r.vsNode}x`));
      const latency = (label, limit) => {
        const r = runs[label];
        if (!r) return;
        for (const p of ["sort", "reverse", "filter", "unfilter"]) {
          const ms = r[`${p}Ms`];
          // The filter box waits 150 ms for a pause in typing: the work is what comes after it.
          const work = ms !== null && ms !== undefined && ms >= 0 && p.endsWith("filter") ? ms - 150 : ms;
          out(`${label} (${(r.rows || 0).toLocaleString("en-US")} rows): ${p} within ${limit} ms` + (p.endsWith("filter") ? " after the typing pause" : ""),
              met(work, work !== null && work >= 0 && work <= limit, `${work} ms` + (p.endsWith("filter") ? `, ${ms} ms from the keystroke` : "")));
        }
      };
      latency("results", 150);
      latency("scan", 500);
      const scan = runs.scan;
      if (scan) out("a 1 M-row result opens", met(scan.rows, scan.rows >= 1e6 && !scan.error, `${scan.rows.toLocaleString("en-US")} rows, peak ${scan.peakMiB} MiB` + (scan.error ? `, ${scan.error}` : "")));
      const big = runs["2g"];
      if (big) out(`a 2 GB export (${big.mb} MB) under 1 GB of browser memory`, met(big.peakMiB, big.peakMiB <= 1024 && !big.error, `peak ${big.peakMiB} MiB`));
    ' "$PAGE_OUT"
  else
    echo "(BENCH_PAGE=1 needs $WASM_BUILD/web and /usr/bin/chromium: skipped)"
  fi
fi
[ "${#MISMATCHES[@]}" -eq 0 ]
