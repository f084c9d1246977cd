#!/usr/bin/env bash
# `npm start`: installs what the demo needs on first use, builds (or reuses) the guest image,
# then serves the page and prints its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
bash guest/build.sh
echo
echo "webvirgl: serving the demo; open the URL below in Chrome/Chromium (WebGL2 + cross-origin isolation)."
exec npx vite --host "${HOST:-127.0.0.1}" --port "${PORT:-5173}"
