#!/usr/bin/env bash
# Runs Postern on its embedded defaults: installs npm packages if needed, builds the SPA if it is
# missing or older than its sources, then starts the proxy (127.0.0.1:8080, data in ./data).
# Extra arguments go to the proxy, e.g. `npm start -- --port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -f dist/index.html ] || [ -n "$(find src index.html public wasm -newer dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "Building the SPA"
  npx vite build --logLevel warn
fi
exec node --import tsx proxy/main.ts "$@"
