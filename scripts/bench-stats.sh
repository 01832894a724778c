#!/usr/bin/env bash
# Statistics on a large history (Benchmarks/StatisticsBenchmark): the tenant's and one action's
# statistics over N history rows in a real SQLite file, median and p95 per window.
#
# Usage: scripts/bench-stats.sh [rows=1000000] [actions=1000] [rows-of-one-hot-action=100000]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib/broker.sh
source "$root/scripts/lib/broker.sh"
# shellcheck source=scripts/lib/bench.sh
source "$root/scripts/lib/bench.sh"
signalbox_ensure_packages
bin="$(bench_build StatisticsBenchmark)"
"$bin" -n "${1:-1000000}" -a "${2:-1000}" -h "${3:-100000}"
