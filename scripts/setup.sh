#!/usr/bin/env bash
# Installs what vpshunt's build, tests and page need, and nothing when it is all there already.
# Idempotent: a second run checks and prints nothing (except on problems). Debian/Ubuntu, as root.
#
#   bash scripts/setup.sh
#
# Needed, and why:
#   cmake g++ make          native build (core library, CLI, tests)
#   nlohmann-json3-dev      JSON in the core (header-only)
#   catch2                  C++ unit tests (Catch2 v2)
#   zlib1g-dev              the native CLI reads .gz exports
#   emscripten              the WebAssembly build (emcc/emcmake; Debian's 3.1.6)
#   nodejs npm              emcc runs on node; JS tests (node --test); npm ci for playwright-core
#   chromium                browser tests (driven by playwright-core)
#   firefox-esr             browser tests in Firefox (driven by puppeteer-core over WebDriver BiDi)
#   time                    /usr/bin/time -v for peak memory in bench/run.sh
#   python3                 serves the page (scripts/serve.sh), regenerates examples/
#   clang libclang-rt-14-dev llvm   the fuzz build (scripts/fuzz.sh): libFuzzer, ASan/UBSan
#                           runtimes, llvm-symbolizer for readable reports
# Debian's emcc needs NODE_PATH=/usr/share/nodejs (else "Cannot find module 'acorn'"): a child
# process cannot set it for its caller, so scripts/test.sh and scripts/serve.sh export it themselves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(cmake g++ make nlohmann-json3-dev catch2 zlib1g-dev emscripten nodejs chromium firefox-esr time python3 clang libclang-rt-14-dev llvm)
missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
    missing+=("$p")
  fi
done
# npm: NodeSource's nodejs ships npm inside it, and Debian's npm package would conflict with it,
# so ask for the Debian package only when no npm command exists.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: not root; run: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node packages (playwright-core and puppeteer-core for browser tests, esbuild for the single-file
# page, @ip-location-db/asn for the ASN data). None downloads a browser.
# npm writes node_modules/.package-lock.json on install; reinstall when the lock file is newer.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# A sanity check that is cheap: emcc must find its JavaScript dependencies.
if [ ! -d /usr/share/nodejs/acorn ]; then
  echo "setup: warning: /usr/share/nodejs/acorn missing; emcc may fail with \"Cannot find module 'acorn'\"" >&2
fi
