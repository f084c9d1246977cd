#!/usr/bin/env bash
# `npm test`: installs what the tests need, builds (or reuses) the guest image, then runs
# the type check, the unit tests (vitest) and the end-to-end tests (Playwright, Debian chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
step() { echo; echo "=== webvirgl test: $* ($((SECONDS - t0)) s) ==="; }

step "Debian packages for the tests"
bash scripts/apt-install.sh chromium glslang-tools fonts-dejavu-core \
  mesa-utils mesa-utils-bin libgl1-mesa-dri libegl1 xvfb piglit x11-apps iproute2
step "npm dependencies"
bash scripts/ensure-node-deps.sh
step "guest image"
bash guest/build.sh
step "type check"
npx tsc --noEmit -p tsconfig.json
step "unit tests"
npx vitest run
step "end-to-end tests"
npx playwright test
step "done"
