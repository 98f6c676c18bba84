#!/usr/bin/env bash
# The main job: installs what is missing, builds the WebAssembly site, and serves it locally.
#
#   bash scripts/serve.sh            # then open http://localhost:8080 and press "Load example"
#   PORT=9000 bash scripts/serve.sh
#
# VPSHUNT_WASM_BUILD (default W) is the wasm build folder; the site is in $VPSHUNT_WASM_BUILD/web.
# The server binds to 127.0.0.1 only: the page needs nothing from the network, and nothing you
# load into it leaves your machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8080}"
WASM_BUILD="${VPSHUNT_WASM_BUILD:-W}"
JOBS="${JOBS:-2}"
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"   # Debian's emcc needs acorn from here

bash scripts/setup.sh
echo "serve: building the WebAssembly site in $WASM_BUILD/ (the first build also compiles emscripten's libraries; later ones are quick)"
emcmake cmake -S . -B "$WASM_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WASM_BUILD" -j"$JOBS"

SITE="$WASM_BUILD/web"
if [ ! -f "$SITE/index.html" ]; then
  echo "serve: $SITE/index.html was not produced by the wasm build; nothing to serve" >&2
  exit 1
fi

cat <<MSG

  vpshunt is at   http://localhost:$PORT/
  Press "Load example" to analyse the bundled example (examples/DeviceNetworkEvents.csv with
  examples/ThreatIntelligenceIndicator.csv), or drop your own exports onto the page.

  For a machine with no server and no network: $SITE/vpshunt.html is the whole page in one file.
  Copy it there and double-click it (README: "Air-gapped review").

  The same analysis from the command line (native build):
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j$JOBS
    build/vpshunt --events examples/DeviceNetworkEvents.csv --intel examples/ThreatIntelligenceIndicator.csv

  Ctrl-C stops the server.

MSG
exec python3 -m http.server "$PORT" --directory "$SITE" --bind 127.0.0.1
