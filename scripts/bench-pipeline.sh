#!/usr/bin/env bash
# Pipeline throughput: the real `signalbox serve` (release build) draining preloaded events through
# the whole pipeline — parse, completion lookup, match, plan, one SQLite history transaction per
# batch, confirmed publish, ack — beside ../shared/bench's C relay on the same broker, same queue
# type, same event bodies, interleaved in the same run.
#
#   N=100000 TRIGGERS=1000 PREFETCH=500 QTYPE=quorum REPEATS=3 scripts/bench-pipeline.sh
#
# PIPELINE_LOG_DIR keeps serve's logs there; PIPELINE_LOG_LEVEL=debug adds a line per batch.
#
# Set-up (not timed): a SQLite file with TRIGGERS actions, one message trigger each
# (`$.item.status == 'Finished' && $.item.appId == 'app-<i>'`), made once through
# AutomationService and copied fresh for every run; N AppProcessUpdated events (`appId` app-<i mod
# TRIGGERS>, status Finished), so every event matches exactly one trigger: one command and one
# history row per event.
#
# Signalbox run: start `signalbox serve` against the copy and the preloaded events queue; time from
# its "consuming events" log line until the commands sink holds N messages and the events queue is
# empty (ServeBenchmark polls every 5 ms), then SIGTERM; verified: exactly N commands, N history
# rows, no event left. C relay run: the same N bodies preloaded into relay.in; the relay's own timer
# (first delivery to last ack, -b 0 streaming confirms). Both use PREFETCH. Everything lives in a
# vhost of its own (BENCH_VHOST), so other users of the broker are not touched.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/../shared/bench"
N=${N:-100000}
TRIGGERS=${TRIGGERS:-1000}
PREFETCH=${PREFETCH:-500}
QTYPE=${QTYPE:-quorum}
REPEATS=${REPEATS:-3}
VHOST=${BENCH_VHOST:-signalbox-bench-pipeline}
export RMQ_VHOST=$VHOST
URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"
SINK=bench.commands.sink

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
bench_broker "$VHOST"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bench_c_tools "$work" relay topo
(cd "$ROOT" && swift build -c release --product signalbox >&2 && swift build -c release --product ServeBenchmark >&2)
bin="$(cd "$ROOT" && swift build -c release --show-bin-path)"
tool="$bin/ServeBenchmark"

"$tool" prepare --db "$work/template.sqlite" --triggers "$TRIGGERS" >&2
"$work/topo" setup "$QTYPE" 2>/dev/null || { "$work/topo" delete; "$work/topo" setup "$QTYPE"; }

run_c() {
  local result counts
  "$work/topo" purge
  "$tool" load --url "$URL" --exchange events --routing-key app.ProcessUpdated --count "$N" --apps "$TRIGGERS" >&2
  counts=$("$work/topo" count)
  [[ $(bench_field relay.in "$counts") == "$N" ]] || sb_die "preload: expected $N in relay.in, got: $counts"
  result=$("$work/relay" -D -q "$PREFETCH" -b 0 -n "$N" -t "$QTYPE" 2>/dev/null | grep '^RESULT')
  counts=$("$work/topo" count)
  local verify=PASS
  [[ $(bench_field commands.sink "$counts") == "$N" && $(bench_field relay.in "$counts") == 0 ]] || verify=FAIL
  printf 'BENCH pipeline=c-relay qtype=%s prefetch=%s n=%s rate=%s elapsed_s=%s verify=%s\n' \
    "$QTYPE" "$PREFETCH" "$N" "$(bench_field rate "$result")" "$(bench_field elapsed_s "$result")" "$verify" >&2
  [[ $verify == PASS ]] || sb_die "C relay verification failed: $counts"
  bench_field rate "$result"
}

run_signalbox() {
  local run=$1 result port
  bench_copy_database "$work/template.sqlite" "$work/run.sqlite"
  "$tool" topology --url "$URL" --sink "$SINK" --queue-type "$QTYPE"
  "$tool" load --url "$URL" --exchange signalbox.events --routing-key AppProcessUpdated --count "$N" --apps "$TRIGGERS" >&2
  port=$(bench_free_port)
  result=$(cd "$ROOT" && SIGNALBOX_AMQP_URL="$URL" SIGNALBOX_DATABASE_PATH="$work/run.sqlite" \
    SIGNALBOX_AMQP_PREFETCH="$PREFETCH" SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE="$QTYPE" \
    SIGNALBOX_AMQP_COMMANDS_QUEUE="" SIGNALBOX_HTTP_HOST=127.0.0.1 SIGNALBOX_HTTP_PORT="$port" SIGNALBOX_LOG_LEVEL=${PIPELINE_LOG_LEVEL:-info} \
    "$tool" serve --binary "$bin/signalbox" --config config/signalbox.yaml --api "127.0.0.1:$port" \
    --drain "$N" --queue signalbox.events --sink "$SINK" --url "$URL" --db "$work/run.sqlite" \
    --log "${PIPELINE_LOG_DIR:-$work}/serve-$run.log")
  printf 'BENCH pipeline=signalbox qtype=%s prefetch=%s n=%s triggers=%s %s\n' "$QTYPE" "$PREFETCH" "$N" "$TRIGGERS" "${result#RESULT }" >&2
  [[ $(bench_field verify "$result") == PASS ]] || sb_die "signalbox verification failed: $result"
  bench_field rate "$result"
}

c_rates=() s_rates=()
for ((run = 1; run <= REPEATS; run++)); do
  c_rates+=("$(run_c)")
  s_rates+=("$(run_signalbox "$run")")
done

c_median=$(bench_median "${c_rates[@]}")
s_median=$(bench_median "${s_rates[@]}")
echo "C relay (rabbitmq-c):                  ${c_rates[*]} msg/s, median $c_median"
echo "signalbox serve (SQLite, $TRIGGERS triggers): ${s_rates[*]} events/s, median $s_median"
awk -v s="$s_median" -v c="$c_median" 'BEGIN { printf "ratio signalbox/C relay: %.2f (target >= 0.7)\n", s / c }'
