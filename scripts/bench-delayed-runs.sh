#!/usr/bin/env bash
# Delayed runs at scale (Benchmarks/DelayedRunBenchmark): what N pending runs add to the
# scheduler's start-up and memory, and the fire lag of F runs due in the same second through
# the real scheduler, SQLite file and broker.
#
# Usage: scripts/bench-delayed-runs.sh [pending=100000] [due-together=1000] [repeats=1]
# Uses SIGNALBOX_BENCH_AMQP_URL, else the test broker (started if needed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pending="${1:-100000}"
together="${2:-1000}"
repeats="${3:-1}"

# shellcheck source=scripts/lib/broker.sh
source "$root/scripts/lib/broker.sh"
# shellcheck source=scripts/lib/bench.sh
source "$root/scripts/lib/bench.sh"
bench_amqp_url
bin="$(bench_build DelayedRunBenchmark)"

for run in $(seq 1 "$repeats"); do
  echo "== run $run: $pending pending delayed runs, $together due in the same second =="
  "$bin" -n "$pending" -f "$together"
done
