#!/usr/bin/env bash
# Schedule lag: N schedules firing every second through the real scheduler, SQLite file and
# broker (Benchmarks/SchedulerBenchmark); lag = confirmed publish − scheduled instant.
#
# Usage: scripts/bench-scheduler.sh [schedules=10000] [seconds=20] [repeats=3]
# Uses SIGNALBOX_BENCH_AMQP_URL, else the test broker (started if needed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
schedules="${1:-10000}"
seconds="${2:-20}"
repeats="${3:-3}"

# shellcheck source=scripts/lib/broker.sh
source "$root/scripts/lib/broker.sh"
# shellcheck source=scripts/lib/bench.sh
source "$root/scripts/lib/bench.sh"
bench_amqp_url
bin="$(bench_build SchedulerBenchmark)"

for run in $(seq 1 "$repeats"); do
  echo "== run $run: $schedules schedules every second, $seconds s measured =="
  "$bin" -s "$schedules" -d "$seconds" -w 3
done
