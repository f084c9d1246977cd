#!/usr/bin/env bash
# `npm run bench`: every benchmark, each printing its own table and writing bench/results/*.json.
# Speed and memory targets live here, never in timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
mkdir -p bench/results
status=0
for b in bench/*.ts; do
  [[ -e $b ]] || continue
  echo; echo "=== $b ==="
  npx tsx "$b" || { echo "benchmark $b failed" >&2; status=1; }
done
for b in bench/*.sh; do
  [[ -e $b ]] || continue
  echo; echo "=== $b ==="
  bash "$b" || { echo "benchmark $b failed" >&2; status=1; }
done
exit $status
