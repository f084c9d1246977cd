#!/usr/bin/env bash
# `npm run bench`: every benchmark (bench/*.ts, bench/*.sh), each printing its own table and writing
# bench/results/<name>.json, then bench/summary.ts: one table of the latest numbers with the targets,
# bench/results/summary.json.
# `npm run bench -- NAME [NAME…] [-- ARGS]`: only those (bench/NAME.ts or bench/NAME.sh), e.g.
# `npm run bench -- kmscube first-frame`; `npm run bench -- summary` only prints the table.
# Speed and memory targets live here, never in timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
mkdir -p bench/results

names=()
while [[ $# -gt 0 && $1 != -- ]]; do names+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
# Arguments after a second `--` go to each selected benchmark (e.g. `-- glmark2 -- --duration 2`).
extra=("$@")

benches=()
if [[ ${#names[@]} -eq 0 ]]; then
  for b in bench/*.ts bench/*.sh; do
    [[ -e $b ]] || continue
    case $(basename "$b") in
      summary.ts | *-common.ts) continue ;; # the table, shared helpers: not benchmarks
    esac
    benches+=("$b")
  done
else
  for n in "${names[@]}"; do
    n=${n%.ts}; n=${n%.sh}; n=${n#bench/}
    [[ $n == summary ]] && continue
    if [[ -e bench/$n.ts ]]; then benches+=("bench/$n.ts")
    elif [[ -e bench/$n.sh ]]; then benches+=("bench/$n.sh")
    else
      echo "no benchmark named '$n'; there are: $(cd bench && ls *.ts *.sh | grep -v -e '^summary.ts$' -e -common.ts | sed 's/\.[a-z]*$//' | tr '\n' ' ')" >&2
      exit 2
    fi
  done
fi

status=0
for b in ${benches[@]+"${benches[@]}"}; do
  echo; echo "=== $b ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  if [[ $b == *.ts ]]; then
    npx tsx "$b" ${extra[@]+"${extra[@]}"} || { echo "benchmark $b failed" >&2; status=1; }
  else
    bash "$b" ${extra[@]+"${extra[@]}"} || { echo "benchmark $b failed" >&2; status=1; }
  fi
done
npx tsx bench/summary.ts || status=1
exit $status
