#!/usr/bin/env bash
# Guest image build times and sizes: cold (the durations guest/build.sh recorded for the last
# cache-miss build of each stage, from public/guest/manifest.json) and cached (measured now).
set -euo pipefail
cd "$(dirname "$0")/.."
m=public/guest/manifest.json
if [[ ! -f $m ]]; then
  echo "guest image not built yet: running guest/build.sh once (cold build)"
  bash guest/build.sh
fi
t0=$EPOCHREALTIME
bash guest/build.sh >/tmp/webvirgl-guest-bench.log 2>&1 || { cat /tmp/webvirgl-guest-bench.log >&2; exit 1; }
t1=$EPOCHREALTIME
node --input-type=module - "$m" "$t0" "$t1" <<'JS'
import fs from 'node:fs';
const [file, t0, t1] = process.argv.slice(2);
const cached = Number(t1) - Number(t0);
const m = JSON.parse(fs.readFileSync(file, 'utf8'));
const cold = m.buildSeconds?.lastColdStage ?? {};
const total = Object.values(cold).reduce((a, b) => a + b, 0);
console.log(`guest image ${m.version} (kernel ${m.kernel.release}, Mesa ${m.mesa.version}, initrd ${m.initrd.compression})`);
console.log('cold build, last cache-miss duration per stage:');
for (const [k, v] of Object.entries(cold)) console.log(`  ${k.padEnd(12)} ${String(v).padStart(6)} s`);
console.log(`  ${'total'.padEnd(12)} ${String(total).padStart(6)} s`);
console.log(`cached build (measured now): ${Number(cached).toFixed(1)} s`);
console.log('image sizes:');
let sum = 0;
for (const f of m.files) { sum += f.size; console.log(`  ${f.name.padEnd(20)} ${(f.size / 1048576).toFixed(2).padStart(7)} MiB  ${f.size} bytes`); }
console.log(`  ${'total'.padEnd(20)} ${(sum / 1048576).toFixed(2).padStart(7)} MiB`);
fs.mkdirSync('bench/results', { recursive: true });
fs.writeFileSync('bench/results/guest-build.json', JSON.stringify({ version: m.version, coldSeconds: cold,
  coldTotalSeconds: total, cachedSeconds: Number(cached), files: m.files }, null, 2) + '\n');
JS
