#!/usr/bin/env bash
# Throughput and peak memory of vpshunt on benchmark-sized Defender exports. Not a pass/fail test.
#
#   bash bench/run.sh                     # ~545 MB CSV, the same flows at 5x the rows (~2.7 GB), a JSONL file
#   BENCH_MB=100 bash bench/run.sh        # smaller files (MiB of the 1x CSV; default 520)
#   BENCH_KEEP=1 bash bench/run.sh        # keep the generated files in bench/data/
#   BENCH_PAGE=1 bash bench/run.sh        # also the page in Chromium on a 2 GB export (bench/page.mjs)
#
# Builds Release (native: vpshunt, vpshunt_gen), writes the files with vpshunt_gen (fixed seed, fixed
# 25 h span, BENCH_GROUPS flows, default 20000), then runs each BENCH_RUNS times (default 3; the
# fastest time and the largest peak RSS are reported) under /usr/bin/time -v:
#   build/vpshunt --events FILE --intel TI --format jsonl --now 2026-11-24T14:00:00Z > /dev/null
# and, when the wasm build has made W/vpshunt.mjs, the same through Node. Prints file MB, seconds, MB/s,
# rows/s and peak RSS per run, and the peak-memory ratio 5x/1x (memory should follow groups, not rows).
# Files are read warm (cat before each run). Env: VPSHUNT_BUILD (build),
# VPSHUNT_WASM_BUILD (W), BENCH_DATA (bench/data), BENCH_GROUPS, BENCH_SEED (1), JOBS (2), BENCH_NO_BUILD=1
# (use the binaries already in VPSHUNT_BUILD).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BENCH_MB="${BENCH_MB:-520}"
GROUPS_N="${BENCH_GROUPS:-20000}"
SEED="${BENCH_SEED:-1}"
BUILD="${VPSHUNT_BUILD:-build}"
WASM_BUILD="${VPSHUNT_WASM_BUILD:-W}"
DATA="${BENCH_DATA:-bench/data}"
JOBS="${JOBS:-2}"
RUNS="${BENCH_RUNS:-3}"
NOW=2026-11-24T14:00:00Z   # the end of vpshunt_gen's fixed span
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: /usr/bin/time is missing (apt-get install time, or bash scripts/setup.sh)" >&2; exit 1; }

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "bench: building Release in $BUILD"
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j"$JOBS" --target vpshunt vpshunt_gen >/dev/null
fi
GEN="$BUILD/vpshunt_gen"
CLI="$BUILD/vpshunt"
NODE_RUNNER="$WASM_BUILD/vpshunt.mjs"

mkdir -p "$DATA"
CSV1="$DATA/events-1x.csv"; CSV5="$DATA/events-5x.csv"; JSONL="$DATA/events-1x.jsonl"; TI="$DATA/ti.csv"
CSV2G="$DATA/events-2g.csv"
cleanup() {
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -f "$CSV1" "$CSV5" "$JSONL" "$TI" "$CSV2G" "$DATA"/*.time "$DATA"/*.err; fi
}
trap cleanup EXIT

# gen OUT ARGS... : runs the generator, prints its summary, and echoes the number of rows written.
gen() {
  local out="$1"; shift
  local log; log="$("$GEN" --groups "$GROUPS_N" --seed "$SEED" --output "$out" "$@" 2>&1 >/dev/null)"
  echo "  $log" >&2
  awk '{for (i = 1; i <= NF; i++) if ($(i+1) == "rows,") { print $i; exit }}' <<<"$log"
}
echo "bench: generating into $DATA/ ($GROUPS_N flows, seed $SEED)"
t=$SECONDS
ROWS1="$(gen "$CSV1" --bytes "${BENCH_MB}M" --intel "$TI")"
ROWS5="$(gen "$CSV5" --rows $((ROWS1 * 5)))"
ROWSJ="$(gen "$JSONL" --bytes "${BENCH_MB}M" --format jsonl)"
echo "  ($((SECONDS - t)) s for all three)"

declare -A PEAK
RESULTS=()
# measure LABEL ENGINE ROWS FILE CMD... : RUNS runs under /usr/bin/time -v; the fastest run's time
# (a shared VM's noise only ever adds time) and the largest peak RSS of all runs are reported.
measure() {
  local label="$1" engine="$2" rows="$3" file="$4"; shift 4
  local tf="$DATA/$label-$engine.time" ef="$DATA/$label-$engine.err"
  local bytes; bytes=$(stat -c %s "$file")
  local rc=0 wall="" rss=0 walls="" i w k
  for ((i = 0; i < RUNS; i++)); do
    cat "$file" >/dev/null  # warm: this VM's memory manager may have dropped it from the page cache
    "$TIME" -v -o "$tf" "$@" >/dev/null 2>"$ef" || rc=$?
    w=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tf")
    k=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
    walls="$walls $w"
    if [ -z "$wall" ] || awk -v a="$w" -v b="$wall" 'BEGIN { exit !(a < b) }'; then wall="$w"; fi
    [ "$k" -gt "$rss" ] && rss="$k"
  done
  PEAK["$label-$engine"]="$rss"
  local line
  line=$(awk -v l="$label" -v e="$engine" -v b="$bytes" -v r="$rows" -v w="$wall" -v k="$rss" -v rc="$rc" 'BEGIN {
    mb = b / 1e6; if (w <= 0) w = 0.01
    printf "%-10s %-11s %9.0f %8.2f %8.1f %11.0f %12.1f%s", l, e, mb, w, mb / w, r / w, k / 1024, (rc != 0 ? "   (exit " rc ")" : "") }')
  echo "$line"
  [ "$RUNS" -gt 1 ] && echo "      runs (s):$walls"
  RESULTS+=("$line")
  # What vpshunt said about the events file (format, records, kept, skipped), so a file it could not
  # read does not pass for a fast run.
  local said; said=$(grep -F -m1 "$file:" "$ef" | cut -c1-160 || true)
  if grep -q "NOT READ" <<<"$said"; then said=$(grep -F -m1 -A1 "$file:" "$ef" | head -2 | cut -c1-200); fi
  if [ -n "$said" ]; then sed 's/^/      /' <<<"$said"; fi
  if [ "$rc" -ne 0 ] || grep -q "NOT READ" <<<"$said"; then
    line="$line   (NOT COMPARABLE: the events were not read)"; RESULTS[${#RESULTS[@]}-1]="$line"
    [ "$rc" -ne 0 ] && sed 's/^/      /' "$ef" | tail -5
  fi
}

HEADER=$(printf "%-10s %-11s %9s %8s %8s %11s %12s" run engine "file MB" seconds "MB/s" "rows/s" "peak RSS MiB")
echo
echo "$HEADER"
engines=(native)
[ -f "$NODE_RUNNER" ] && engines+=(wasm-node) || echo "(no $NODE_RUNNER: the wasm/Node runs are skipped; build it with emcmake, see scripts/test.sh)"
for engine in "${engines[@]}"; do
  if [ "$engine" = native ]; then run=("$CLI"); else run=(node "$NODE_RUNNER"); fi
  measure csv-1x "$engine" "$ROWS1" "$CSV1" "${run[@]}" --events "$CSV1" --intel "$TI" --format jsonl --now "$NOW"
  measure csv-5x "$engine" "$ROWS5" "$CSV5" "${run[@]}" --events "$CSV5" --intel "$TI" --format jsonl --now "$NOW"
  measure jsonl-1x "$engine" "$ROWSJ" "$JSONL" "${run[@]}" --events "$JSONL" --intel "$TI" --format jsonl --now "$NOW"
done

echo
# The commit the binaries were built from (the build's source folder, which may be another checkout).
SRC_DIR=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)
COMMIT=$(git -C "${SRC_DIR:-$ROOT}" describe --always --dirty 2>/dev/null || echo '?')
echo "=== summary ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), native build of $COMMIT, $(node --version 2>/dev/null || echo 'no node'))"
echo "$HEADER"
printf '%s\n' "${RESULTS[@]}"
for engine in "${engines[@]}"; do
  a="${PEAK[csv-1x-$engine]:-}"; b="${PEAK[csv-5x-$engine]:-}"
  if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ]; then
    awk -v e="$engine" -v a="$a" -v b="$b" 'BEGIN { printf "peak-memory ratio 5x/1x (%s): %.2f  (%.1f / %.1f MiB)\n", e, b / a, b / 1024, a / 1024 }'
  fi
done

# The page in Chromium on a ~2 GB export (bench/page.mjs): time, progress bar, memory of the tab.
if [ "${BENCH_PAGE:-0}" = 1 ]; then
  echo
  if [ -f "$WASM_BUILD/web/index.html" ] && [ -x /usr/bin/chromium ]; then
    echo "bench: the page in Chromium on a 2 GB export"
    gen "$CSV2G" --bytes 2000M >/dev/null
    node bench/page.mjs "$CSV2G" || echo "bench: the page run failed"
  else
    echo "(BENCH_PAGE=1 needs $WASM_BUILD/web and /usr/bin/chromium: skipped)"
  fi
fi
