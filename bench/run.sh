#!/usr/bin/env bash
# Runs the benchmarks. The import benchmark needs the sqlite3 CLI (its floor) and GNU time (peak memory),
# from Debian's packages. Usage: bash bench/run.sh [import|startup|api|all] [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
if [ "$which" = startup ] || [ "$which" = all ]; then npx tsx bench/startup.bench.ts; fi
if [ "$which" = import ] || [ "$which" = all ]; then
  npx tsx bench/import.bench.ts "${2:-100000}"
  # The same records with integer keys (reads what the 100k import left in bench/out/).
  if [ "${2:-100000}" = 100000 ]; then npx tsx bench/integer-keys.bench.ts; fi
fi
if [ "$which" = all ]; then npx tsx bench/import.bench.ts real; fi
if [ "$which" = api ] || [ "$which" = all ]; then npx tsx bench/api.bench.ts; fi
