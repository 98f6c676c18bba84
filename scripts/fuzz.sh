#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, build-fuzz/) and runs each for
# SECONDS, one after another, starting from a temporary copy of its seed corpus and of its reader's
# files in tests/fixtures/malformed/ (the committed corpus never grows). Prints each target's
# libFuzzer totals and fails on any crash, leak, UB
# report, timeout or out-of-memory; the input that did it is kept and its path printed.
#
#   bash scripts/fuzz.sh 30                       # every target, 30 s each
#   FUZZ_TARGETS="defender-csv session" bash scripts/fuzz.sh 60
#   FUZZ_RUNS=10000000 nice -n 19 bash scripts/fuzz.sh 3600   # the long run: stop at 10 M executions
#
# Environment: VPSHUNT_FUZZ_BUILD (build folder, default build-fuzz), FUZZ_TARGETS (names from
# tests/fuzz/CMakeLists.txt, default all), FUZZ_RUNS (stop after this many executions; default: only
# the time limit), FUZZ_TIMEOUT (seconds one input may take, default 10), FUZZ_RSS_MB (default 2048),
# FUZZ_MAX_LEN (largest input, default 8192), FUZZ_MIN_EXECS (fail a target that ran fewer; default
# 0), JOBS (build parallelism, default 2), FUZZ_NO_BUILD=1 (use the binaries as built).
# Findings land in $VPSHUNT_FUZZ_BUILD/findings/<target>/: see tests/fuzz/README.md for turning one
# into a regression fixture.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SECS="${1:-}"
if ! [[ "$SECS" =~ ^[0-9]+$ ]] || [ "$SECS" -lt 1 ]; then
  echo "usage: bash scripts/fuzz.sh SECONDS   (seconds per target)" >&2
  exit 1
fi
BUILD="${VPSHUNT_FUZZ_BUILD:-build-fuzz}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
JOBS="${JOBS:-2}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
RSS_MB="${FUZZ_RSS_MB:-2048}"
MAX_LEN="${FUZZ_MAX_LEN:-8192}"
MIN_EXECS="${FUZZ_MIN_EXECS:-0}"
RUNS="${FUZZ_RUNS:-}"

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  t=$SECONDS
  if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz: clang++ not found (bash scripts/setup.sh installs clang, libclang-rt-14-dev and llvm)" >&2
    exit 1
  fi
  if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    mkdir -p "$BUILD"
    cmake -S . -B "$BUILD" -DVPSHUNT_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ >"$BUILD/configure.log" 2>&1 \
      || { cat "$BUILD/configure.log" >&2; echo "fuzz: configure failed" >&2; exit 1; }
  fi
  if ! cmake --build "$BUILD" -j"$JOBS" --target vpshunt_fuzz >"$BUILD/fuzz-build.log" 2>&1; then
    tail -40 "$BUILD/fuzz-build.log" >&2
    echo "fuzz: build failed (full log: $BUILD/fuzz-build.log)" >&2
    exit 1
  fi
  echo "fuzz: built in $((SECONDS - t)) s ($BUILD)"
fi
MANIFEST="$BUILD/fuzz/targets.tsv"
[ -f "$MANIFEST" ] || { echo "fuzz: $MANIFEST missing: configure with -DVPSHUNT_FUZZ=ON" >&2; exit 1; }

# llvm-symbolizer gives the reports file:line stacks.
# A smaller quarantine and shorter allocation stacks than ASan's defaults: several times the
# executions a second, and a use after free is still caught while the freed block is in quarantine
# (fuzz_support.hpp frees each chunk right after its feed).
ASAN_GIVEN=0
[ -n "${ASAN_OPTIONS:-}" ] && ASAN_GIVEN=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=32:malloc_context_size=10:strict_string_checks=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
command -v llvm-symbolizer >/dev/null 2>&1 && export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"

WORK="$(mktemp -d /tmp/vpshunt-fuzz.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
trap 'rm -rf "$WORK"; exit 130' INT TERM
passed=0
failed=0
failures=()
while IFS=$'\t' read -r name bin corpus dict; do
  [ -n "$name" ] || continue
  if [ -n "${FUZZ_TARGETS:-}" ] && ! [[ " $FUZZ_TARGETS " == *" $name "* ]]; then continue; fi
  findings="$BUILD/findings/$name"
  mkdir -p "$findings" "$WORK/$name"
  cp -r "$corpus/." "$WORK/$name/"
  # The malformed-input corpus of the same reader seeds it too (not the .gz files: readers get text).
  if [ -d "tests/fixtures/malformed/$name" ]; then
    find "tests/fixtures/malformed/$name" -type f ! -name '*.gz' -exec cp {} "$WORK/$name/" \;
  fi
  log="$BUILD/findings/$name.log"
  args=(-max_total_time="$SECS" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" -max_len="$MAX_LEN"
        -print_final_stats=1 -artifact_prefix="$findings/")
  [ -n "$RUNS" ] && args+=(-runs="$RUNS")
  [ -n "$dict" ] && args+=(-dict="$dict")
  # session and sniff reach most of the code on every input: libFuzzer's entropic power schedule
  # (UpdateFeatureFrequency, per feature per execution) took about 40% of session's time and 27% of
  # sniff's; without it fuzz3's session binary ran 29 exec/s against 18 (15 s, same seeds and load).
  # session and sniff allocate the most an input: unless ASAN_OPTIONS is given, they keep 2 frames of
  # each allocation's stack, not 10 (about a tenth more executions a second: ASan's stack depot and
  # unwinding; ASan takes the last of an option given twice); a reproducer run again by hand, without
  # these options, prints the whole stacks.
  asan="$ASAN_OPTIONS"
  case "$name" in session|sniff) args+=(-entropic=0); [ "$ASAN_GIVEN" = 0 ] && asan="$asan:malloc_context_size=2" ;; esac
  t=$SECONDS
  bin="$BUILD/fuzz/$bin"
  ASAN_OPTIONS="$asan" "$bin" "${args[@]}" "$WORK/$name" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  # The last status line: "#12345 DONE cov: 1234 ft: 5678 corp: 90/12Kb ..."
  status=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$status")
  summary="fuzz $name: ${execs:-?} execs in $((SECONDS - t)) s, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, peak RSS ${rss:-?} MB"
  problem=""
  if [ $rc -ne 0 ]; then problem="libFuzzer exited with $rc"; fi
  if grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY: |ALARM: working on the last Unit|INVARIANT BROKEN|out-of-memory' "$log"; then
    problem="${problem:-report in the log}"
  fi
  if [ -z "$problem" ] && [ "${execs:-0}" -lt "$MIN_EXECS" ]; then problem="only ${execs:-0} executions (FUZZ_MIN_EXECS=$MIN_EXECS)"; fi
  if [ -z "$problem" ]; then
    echo "$summary: ok"
    passed=$((passed + 1))
  else
    echo "$summary: FAILED ($problem)"
    grep -E 'ERROR|runtime error:|SUMMARY:|INVARIANT BROKEN|Test unit written|ALARM|out-of-memory' "$log" | head -8 | sed 's/^/  /'
    echo "  log: $log"
    for f in "$findings"/*; do [ -f "$f" ] && echo "  reproducer: $f   (rerun: $bin $f)"; done
    failed=$((failed + 1))
    failures+=("$name")
  fi
done <"$MANIFEST"

if [ $((passed + failed)) -eq 0 ]; then
  echo "fuzz: no target matched FUZZ_TARGETS=\"${FUZZ_TARGETS:-}\"" >&2
  exit 1
fi
echo "fuzz: ${SECS} s a target; failed: ${failures[*]:-none}"
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
