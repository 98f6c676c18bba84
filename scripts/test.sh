#!/usr/bin/env bash
# Runs all of vpshunt's tests: native build + Catch2 (ctest), wasm build, the bundled example against its
# expected output (native CLI and Node runner), JS tests (node:test against the built wasm), browser tests
# (Chromium via playwright-core, Firefox ESR via puppeteer-core; the served site and the single-file page),
# and the fuzz targets briefly (scripts/fuzz.sh). Every suite runs even when an earlier one fails; the
# exit status is non-zero when any failed, and the last line says which.
#
#   bash scripts/test.sh
#   VPSHUNT_BUILD=/tmp/b VPSHUNT_WASM_BUILD=/tmp/w bash scripts/test.sh   # other build folders
#
# The build folders are passed on to the JS tests as absolute paths in VPSHUNT_BUILD and
# VPSHUNT_WASM_BUILD. JOBS (default 2) sets the build parallelism.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD="${VPSHUNT_BUILD:-build}"
WASM_BUILD="${VPSHUNT_WASM_BUILD:-W}"
JOBS="${JOBS:-2}"
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
case "$WASM_BUILD" in /*) ;; *) WASM_BUILD="$ROOT/$WASM_BUILD" ;; esac
export VPSHUNT_BUILD="$BUILD" VPSHUNT_WASM_BUILD="$WASM_BUILD"
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"   # Debian's emcc needs acorn from here

# The shared samples (real third-party exports, never copied into the repository): tests that need
# one fail when it is missing, unless VPSHUNT_SAMPLES_ABSENT=1 says so on purpose; then they are
# skipped and counted (tests/core/samples.hpp). It is set here only when no samples folder exists
# (a CI clone without shared/ beside it); VPSHUNT_SAMPLES names the folder explicitly.
if [ -z "${VPSHUNT_SAMPLES:-}" ]; then
  for d in "$ROOT/../shared/samples" "$ROOT/../../shared/samples"; do   # beside the clone, or a worktree's parent
    if [ -d "$d" ]; then VPSHUNT_SAMPLES="$(cd "$d" && pwd)"; break; fi
  done
fi
if [ -n "${VPSHUNT_SAMPLES:-}" ] && [ -d "$VPSHUNT_SAMPLES" ]; then
  export VPSHUNT_SAMPLES
  echo "test.sh: shared samples: $VPSHUNT_SAMPLES"
elif [ -n "${VPSHUNT_SAMPLES:-}" ]; then
  echo "test.sh: VPSHUNT_SAMPLES=$VPSHUNT_SAMPLES is not a folder: the tests that need samples will fail"
  export VPSHUNT_SAMPLES
else
  export VPSHUNT_SAMPLES_ABSENT=1
  echo "test.sh: no shared samples folder beside the repository: tests that need one are skipped (VPSHUNT_SAMPLES_ABSENT=1)"
fi
export VPSHUNT_SKIP_LOG="$(mktemp /tmp/vpshunt-skips.XXXXXX)"
trap 'rm -f "$VPSHUNT_SKIP_LOG"' EXIT

passed=()
failed=()
T0=$SECONDS

# step NAME COMMAND...: runs the command, records the outcome, prints a banner and the time taken.
step() {
  local name="$1"; shift
  local t=$SECONDS
  echo
  echo "=== $name: $*"
  if "$@"; then
    passed+=("$name"); echo "=== $name: ok ($((SECONDS - t)) s)"; return 0
  else
    failed+=("$name"); echo "=== $name: FAILED ($((SECONDS - t)) s)"; return 1
  fi
}
not_run() { failed+=("$1"); echo; echo "=== $1: not run ($2)"; }
has_tests() { compgen -G "$1/*.test.mjs" >/dev/null; }

step setup bash scripts/setup.sh

native_build() {
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$BUILD" -j"$JOBS"
}
native_ok=0
if step native-build native_build; then
  native_ok=1
  step ctest ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS"
else
  not_run ctest "native build failed"
fi

wasm_build() {
  emcmake cmake -S . -B "$WASM_BUILD" -DCMAKE_BUILD_TYPE=Release && cmake --build "$WASM_BUILD" -j"$JOBS"
}
wasm_ok=0
step wasm-build wasm_build && wasm_ok=1

# The bundled example: the committed files are what examples/make-example.py writes, and the seed rule
# run by the native CLI and by the Node runner gives exactly examples/expected.json.
example_check=(python3 examples/make-example.py --check)
[ $native_ok -eq 1 ] && example_check+=(--cli "$BUILD/vpshunt")
[ $wasm_ok -eq 1 ] && [ -f "$WASM_BUILD/vpshunt.mjs" ] && example_check+=(--cli "node $WASM_BUILD/vpshunt.mjs")
step examples "${example_check[@]}"
# --- the training scenario: the committed files are what examples/make-scenario.py writes (their rows
# are checked by tests/core/unit-scenario.cpp, in ctest) ---
step scenario python3 examples/make-scenario.py --check
# --- end training scenario ---

for suite in js e2e; do
  if ! has_tests "tests/$suite"; then
    echo; echo "=== $suite: no tests/$suite/*.test.mjs, skipped"
  elif [ $wasm_ok -eq 1 ]; then
    step "$suite" node --test "tests/$suite/"
  else
    not_run "$suite" "wasm build failed"
  fi
done

# libFuzzer targets, a few seconds each (scripts/fuzz.sh; the long run is quoted in the README).
step fuzz bash scripts/fuzz.sh "${FUZZ_SECONDS:-3}"

skipped=$(sort -u "$VPSHUNT_SKIP_LOG" | grep -c . || true)
echo
echo "SKIPPED (sample absent on purpose): $skipped"
sort -u "$VPSHUNT_SKIP_LOG" | sed 's/^/  /'
echo "test.sh: $((SECONDS - T0)) s; passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: FAILED"
  exit 1
fi
echo "test.sh: all passed"
