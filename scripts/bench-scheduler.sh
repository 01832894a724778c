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

if [[ -z ${SIGNALBOX_BENCH_AMQP_URL:-} ]]; then
  # shellcheck source=scripts/lib/broker.sh
  source "$root/scripts/lib/broker.sh"
  signalbox_ensure_broker
  signalbox_export_test_env
  export SIGNALBOX_BENCH_AMQP_URL="$SIGNALBOX_TEST_AMQP_URL"
fi

echo "building SchedulerBenchmark (release)…" >&2
swift build -c release --product SchedulerBenchmark >&2
bin="$(swift build -c release --show-bin-path)/SchedulerBenchmark"

for run in $(seq 1 "$repeats"); do
  echo "== run $run: $schedules schedules every second, $seconds s measured =="
  "$bin" -s "$schedules" -d "$seconds" -w 3
done
