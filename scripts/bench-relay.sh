#!/usr/bin/env bash
# The relay benchmark: ../shared/bench's C relay (rabbitmq-c, the yardstick) and the Swift relay
# (Benchmarks/RelayBenchmark, through AMQPClient), run the same way on the same broker, interleaved.
#
#   N=100000 PREFETCH=500 QTYPE=quorum REPEATS=3 scripts/bench-relay.sh
#
# Each run: purge, preload N events with the C loader, time the relay until all N are acked, then
# verify that exactly N commands landed in commands.sink and relay.in is empty. Both relays stream
# confirms (C: -b 0) and ack an event only after its command is confirmed. The Swift relay runs in
# three modes: `handler` (deliveries handled on the connection's I/O thread, like the
# single-threaded C relay), `batch` (`consumer.batches` on Swift's pool, one publish hand-off per
# batch: the shape of the pipeline) and `sequence` (one delivery and one publish call at a time).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/../shared/bench"
N=${N:-100000}
PREFETCH=${PREFETCH:-500}
QTYPE=${QTYPE:-quorum}
REPEATS=${REPEATS:-3}
export RMQ_VHOST=${RMQ_VHOST:-bench}

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
bench_broker "$RMQ_VHOST"

tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
bench_c_tools "$tools" relay load topo
(cd "$ROOT" && swift build -c release --product RelayBenchmark >&2)
swift_relay="$ROOT/.build/release/RelayBenchmark"

"$tools/topo" setup "$QTYPE" 2>/dev/null || { "$tools/topo" delete; "$tools/topo" setup "$QTYPE"; }

one_run() { # one_run c|handler|batch|sequence -> prints the rate
  local kind=$1 result counts
  "$tools/topo" purge
  "$tools/load" -n "$N" -w 2000 -D >/dev/null
  counts=$("$tools/topo" count)
  [[ $(bench_field relay.in "$counts") == "$N" ]] || sb_die "preload: expected $N in relay.in, got: $counts"
  if [[ $kind == c ]]; then
    result=$("$tools/relay" -D -q "$PREFETCH" -b 0 -n "$N" -t "$QTYPE" 2>/dev/null | grep '^RESULT')
  else
    result=$("$swift_relay" -q "$PREFETCH" -n "$N" -m "$kind" | grep '^RESULT')
  fi
  counts=$("$tools/topo" count)
  local verify=PASS
  [[ $(bench_field commands.sink "$counts") == "$N" && $(bench_field relay.in "$counts") == 0 ]] || verify=FAIL
  printf 'BENCH relay=%s qtype=%s prefetch=%s n=%s rate=%s elapsed_s=%s verify=%s\n' \
    "$kind" "$QTYPE" "$PREFETCH" "$N" "$(bench_field rate "$result")" "$(bench_field elapsed_s "$result")" "$verify" >&2
  [[ $verify == PASS ]] || sb_die "verification failed: $counts"
  bench_field rate "$result"
}

c_rates=() handler_rates=() batch_rates=() sequence_rates=()
for ((run = 1; run <= REPEATS; run++)); do
  c_rates+=("$(one_run c)")
  handler_rates+=("$(one_run handler)")
  batch_rates+=("$(one_run batch)")
  sequence_rates+=("$(one_run sequence)")
done

c_median=$(bench_median "${c_rates[@]}")
handler_median=$(bench_median "${handler_rates[@]}")
batch_median=$(bench_median "${batch_rates[@]}")
sequence_median=$(bench_median "${sequence_rates[@]}")
echo "C relay (rabbitmq-c):               ${c_rates[*]} msg/s, median $c_median"
echo "Swift relay, I/O-thread handler:    ${handler_rates[*]} msg/s, median $handler_median"
echo "Swift relay, batches:               ${batch_rates[*]} msg/s, median $batch_median"
echo "Swift relay, one at a time:         ${sequence_rates[*]} msg/s, median $sequence_median"
awk -v h="$handler_median" -v b="$batch_median" -v s="$sequence_median" -v c="$c_median" \
  'BEGIN { printf "ratio Swift/C: handler %.2f, batch %.2f, sequence %.2f\n", h / c, b / c, s / c }'
