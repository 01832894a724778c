#!/usr/bin/env bash
# Start-up time and memory of the real `signalbox serve` (release build) with a large database:
# TRIGGERS actions with one message trigger each and SCHEDULES actions with one schedule each
# (defaults 100,000 and 10,000), beside an empty database for reference.
#
#   TRIGGERS=100000 SCHEDULES=10000 REPEATS=3 scripts/bench-startup.sh
#
# Per run: a fresh copy of the prepared file, an empty events queue; ServeBenchmark starts the
# binary and reports the time from process start until it logs "consuming events" (database
# open, topology declared, trigger index built, consumer started) and until the REST API answers
# an HTTP request, VmRSS/VmHWM from /proc at that moment, and again after SETTLE_MS. Whatever
# serve starts (scheduler included, when it exists) is inside these figures.
# The prepared file is cached in .build-bench/ (PREPARE=1 makes it again): building it through
# AutomationService takes minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TRIGGERS=${TRIGGERS:-100000}
SCHEDULES=${SCHEDULES:-10000}
REPEATS=${REPEATS:-3}
SETTLE_MS=${SETTLE_MS:-2000}
VHOST=${BENCH_VHOST:-signalbox-bench-startup}
URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"
CACHE="$ROOT/.build-bench"

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
bench_broker "$VHOST"

(cd "$ROOT" && swift build -c release --product signalbox >&2 && swift build -c release --product ServeBenchmark >&2)
bin="$(cd "$ROOT" && swift build -c release --show-bin-path)"
tool="$bin/ServeBenchmark"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$CACHE"

template="$CACHE/startup-$TRIGGERS-$SCHEDULES.sqlite"
if [[ ! -f $template || ${PREPARE:-0} == 1 ]]; then
  "$tool" prepare --db "$template.tmp" --triggers "$TRIGGERS" --schedules "$SCHEDULES" >&2
  bench_copy_database "$template.tmp" "$template"
  rm -f "$template.tmp" "$template.tmp-wal" "$template.tmp-shm"
fi
"$tool" prepare --db "$work/empty.sqlite" --triggers 0 >&2

"$tool" topology --url "$URL" --sink bench.commands.sink

one_run() { # one_run LABEL DATABASE -> the RESULT fields
  local port result
  bench_copy_database "$2" "$work/run.sqlite"
  port=$(bench_free_port)
  result=$(cd "$ROOT" && SIGNALBOX_AMQP_URL="$URL" SIGNALBOX_DATABASE_PATH="$work/run.sqlite" \
    SIGNALBOX_HTTP_HOST=127.0.0.1 SIGNALBOX_HTTP_PORT="$port" SIGNALBOX_LOG_LEVEL=info \
    "$tool" serve --binary "$bin/signalbox" --config config/signalbox.yaml --api "127.0.0.1:$port" \
    --settle-ms "$SETTLE_MS" --log "$work/serve.log")
  printf 'BENCH startup=%s %s\n' "$1" "${result#RESULT }" >&2
  echo "${result#RESULT }"
}

report() { # report LABEL RESULT…
  local label=$1 key values
  shift
  printf '%s (medians of %d):' "$label" "$#"
  for key in start_consuming_ms start_api_ms index_ms rss_kb hwm_kb rss_settled_kb hwm_settled_kb; do
    values=()
    for result in "$@"; do values+=("$(bench_field "$key" "$result")"); done
    printf ' %s=%s' "$key" "$(bench_median "${values[@]}")"
  done
  echo
}

large=() empty=()
for ((run = 1; run <= REPEATS; run++)); do
  empty+=("$(one_run empty "$work/empty.sqlite")")
  large+=("$(one_run "$TRIGGERS-triggers-$SCHEDULES-schedules" "$template")")
done
report "empty database" "${empty[@]}"
report "$TRIGGERS triggers, $SCHEDULES schedules" "${large[@]}"
