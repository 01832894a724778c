#!/usr/bin/env bash
# Pipeline throughput: the real `signalbox serve` (release build) draining preloaded events through
# the whole pipeline — parse, completion lookup, match, plan, one history transaction per batch,
# confirmed publish, ack — on SQLite with one replica, on PostgreSQL with one and with two
# replicas, beside ../shared/bench's C relay on the same broker, same queue type, same event
# bodies, interleaved in the same run (each repeat: relay, then every case of CASES).
#
#   N=100000 TRIGGERS=1000 PREFETCH=500 QTYPE=quorum REPEATS=3 scripts/bench-pipeline.sh
#   CASES=sqlite:1 scripts/bench-pipeline.sh          the SQLite case alone (no PostgreSQL)
#
# CASES (default `sqlite:1 postgres:1 postgres:2`): STORE:REPLICAS, STORE sqlite or postgres.
# PIPELINE_LOG_DIR keeps serve's logs there (replica k > 1 in serve-….log.rk); PIPELINE_LOG_LEVEL=debug
# adds a line per batch. BENCH_POSTGRES_DIR (default /tmp/signalbox-bench-postgres) and
# BENCH_POSTGRES_PORT (54339): the PostgreSQL server of the benchmark's own, started with
# lib/postgres.sh's functions on first use and left running (stop it with `runuser -u postgres --
# /usr/lib/postgresql/N/bin/pg_ctl stop -D DIR/data`). Not the shared test server on 54329: other
# checkouts' tests there would count in the server's CPU time. Its settings are initdb's defaults
# (fsync on, synchronous_commit on: durable commits), printed at the start.
#
# Set-up (not timed): TRIGGERS actions, one message trigger each (`$.item.status == 'Finished' &&
# $.item.appId == 'app-<i>'`), stored once through AutomationService into a SQLite file and into a
# PostgreSQL template database (ServeBenchmark prepare, with SQLiteAutomationStore and
# PostgresAutomationStore), copied fresh for every run (the file copied; CREATE DATABASE …
# TEMPLATE); N AppProcessUpdated events (`appId` app-<i mod TRIGGERS>, status Finished), so every
# event matches exactly one trigger: one command and one history row per event.
#
# Signalbox run: start REPLICAS `signalbox serve` processes (each its own HTTP port) against the
# copy and the preloaded events queue (competing consumers); time from the first "consuming
# events" log line until the commands sink holds N messages and the events queue is empty
# (ServeBenchmark polls every 5 ms), then SIGTERM; verified: exactly N commands, N history rows (in
# the file, or counted in PostgreSQL), no event left. CPU: user+sys time of the serve processes
# (/proc/PID/stat, each from its own "consuming events" until drained) and of the PostgreSQL server
# over the timed interval (the postmaster, its live children and the cumulative time of those it
# reaped), per event. C relay run: the same N bodies preloaded into relay.in; the relay's own timer
# (first delivery to last ack, -b 0 streaming confirms), its CPU time (the whole process) per
# message. All use PREFETCH (per replica). Everything lives in a vhost of its own (BENCH_VHOST), so
# other users of the broker are not touched. Wall-clock rates move with whatever else runs on the
# machine; CPU time per event is the steadier figure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/../shared/bench"
N=${N:-100000}
TRIGGERS=${TRIGGERS:-1000}
PREFETCH=${PREFETCH:-500}
QTYPE=${QTYPE:-quorum}
REPEATS=${REPEATS:-3}
read -r -a CASES <<<"${CASES:-sqlite:1 postgres:1 postgres:2}"
VHOST=${BENCH_VHOST:-signalbox-bench-pipeline}
export RMQ_VHOST=$VHOST
URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"
SINK=bench.commands.sink
PG_TEMPLATE=signalbox_bench_template
PG_RUN=signalbox_bench_run

for case in "${CASES[@]}"; do
  [[ $case =~ ^(sqlite|postgres):[1-9][0-9]*$ ]] || { echo "CASES: $case is not sqlite:N or postgres:N" >&2; exit 2; }
done
postgres=false
[[ " ${CASES[*]} " == *" postgres:"* ]] && postgres=true

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
if $postgres; then
  # shellcheck source=lib/postgres.sh
  source "$ROOT/scripts/lib/postgres.sh"
  SIGNALBOX_APT_HELPERS+=("${SIGNALBOX_POSTGRES_PACKAGES[@]}")
fi
bench_broker "$VHOST"
if $postgres; then
  bench_postgres "${BENCH_POSTGRES_DIR:-/tmp/signalbox-bench-postgres}" "${BENCH_POSTGRES_PORT:-54339}"
  bench_pg_settings >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bench_c_tools "$work" relay topo
(cd "$ROOT" && swift build -c release --product signalbox >&2 && swift build -c release --product ServeBenchmark >&2)
bin="$(cd "$ROOT" && swift build -c release --show-bin-path)"
tool="$bin/ServeBenchmark"

"$tool" prepare --db "$work/template.sqlite" --triggers "$TRIGGERS" >&2
if $postgres; then
  bench_pg_database "$PG_TEMPLATE"
  "$tool" prepare --database-url "$(bench_pg_url "$PG_TEMPLATE")" --triggers "$TRIGGERS" >&2
fi
"$work/topo" setup "$QTYPE" 2>/dev/null || { "$work/topo" delete; "$work/topo" setup "$QTYPE"; }

# Prints `rate cpu_us_per_message`.
run_c() {
  local result counts cpu
  "$work/topo" purge
  "$tool" load --url "$URL" --exchange events --routing-key app.ProcessUpdated --count "$N" --apps "$TRIGGERS" >&2
  counts=$("$work/topo" count)
  [[ $(bench_field relay.in "$counts") == "$N" ]] || sb_die "preload: expected $N in relay.in, got: $counts"
  # bash's `time`: the relay's user+sys CPU time (the whole process).
  { TIMEFORMAT='%3U %3S' && time "$work/relay" -D -q "$PREFETCH" -b 0 -n "$N" -t "$QTYPE" >"$work/relay.out" 2>/dev/null; } 2>"$work/relay.time"
  result=$(grep '^RESULT' "$work/relay.out")
  cpu=$(awk -v n="$N" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$work/relay.time")
  counts=$("$work/topo" count)
  local verify=PASS
  [[ $(bench_field commands.sink "$counts") == "$N" && $(bench_field relay.in "$counts") == 0 ]] || verify=FAIL
  printf 'BENCH pipeline=c-relay qtype=%s prefetch=%s n=%s rate=%s elapsed_s=%s cpu_us_per_msg=%s verify=%s\n' \
    "$QTYPE" "$PREFETCH" "$N" "$(bench_field rate "$result")" "$(bench_field elapsed_s "$result")" "$cpu" "$verify" >&2
  [[ $verify == PASS ]] || sb_die "C relay verification failed: $counts"
  echo "$(bench_field rate "$result") $cpu"
}

# run_signalbox RUN STORE REPLICAS; prints `rate serve_us_per_event pg_us_per_event` (- for SQLite).
run_signalbox() {
  local run=$1 store=$2 replicas=$3 result port apis=() database=() environment=()
  if [[ $store == sqlite ]]; then
    bench_copy_database "$work/template.sqlite" "$work/run.sqlite"
    database=(--db "$work/run.sqlite")
    environment=(SIGNALBOX_DATABASE_PATH="$work/run.sqlite")
  else
    bench_pg_database "$PG_RUN" "$PG_TEMPLATE"
    database=(--database-url "$(bench_pg_url "$PG_RUN")" --postmaster "$BENCH_PG_POSTMASTER")
    environment=(SIGNALBOX_DATABASE_URL="$(bench_pg_url "$PG_RUN")")
  fi
  "$tool" topology --url "$URL" --sink "$SINK" --queue-type "$QTYPE"
  "$tool" load --url "$URL" --exchange signalbox.events --routing-key AppProcessUpdated --count "$N" --apps "$TRIGGERS" >&2
  while ((${#apis[@]} < replicas)); do
    port=$(bench_free_port)
    [[ " ${apis[*]} " == *":$port "* ]] || apis+=("127.0.0.1:$port")
  done
  result=$(cd "$ROOT" && env "${environment[@]}" SIGNALBOX_AMQP_URL="$URL" \
    SIGNALBOX_AMQP_PREFETCH="$PREFETCH" SIGNALBOX_AMQP_EVENTS_QUEUE_TYPE="$QTYPE" \
    SIGNALBOX_AMQP_COMMANDS_QUEUE="" SIGNALBOX_LOG_LEVEL=${PIPELINE_LOG_LEVEL:-info} \
    "$tool" serve --binary "$bin/signalbox" --config config/signalbox.yaml --api "$(IFS=,; echo "${apis[*]}")" \
    --drain "$N" --queue signalbox.events --sink "$SINK" --url "$URL" "${database[@]}" \
    --log "${PIPELINE_LOG_DIR:-$work}/serve-$run-$store-$replicas.log")
  printf 'BENCH pipeline=signalbox store=%s replicas=%s qtype=%s prefetch=%s n=%s triggers=%s %s\n' \
    "$store" "$replicas" "$QTYPE" "$PREFETCH" "$N" "$TRIGGERS" "${result#RESULT }" >&2
  [[ $(bench_field verify "$result") == PASS ]] || sb_die "signalbox verification failed ($store x$replicas): $result"
  echo "$(bench_field rate "$result") $(bench_field serve_us_per_event "$result") $(bench_field pg_us_per_event "$result")"
}

# figures[NAME] holds one line a run: `rate serve_us pg_us`.
declare -A figures
for ((run = 1; run <= REPEATS; run++)); do
  figures[c-relay]+="$(run_c)"$'\n'
  for case in "${CASES[@]}"; do
    figures[$case]+="$(run_signalbox "$run" "${case%:*}" "${case#*:}")"$'\n'
  done
done

# The median of column COLUMN of NAME's runs, or - when it has none.
column_median() {
  local values
  mapfile -t values < <(awk -v c="$2" 'NF >= c { print $c }' <<<"${figures[$1]}")
  ((${#values[@]})) && bench_median "${values[@]}" || echo -
}
column_all() { awk -v c="$2" 'NF >= c { printf "%s%s", sep, $c; sep = " " }' <<<"${figures[$1]}"; }

echo "n=$N triggers=$TRIGGERS prefetch=$PREFETCH qtype=$QTYPE repeats=$REPEATS; medians (all runs)"
printf '%-14s %-30s %-30s %s\n' case events/s "serve (relay) CPU us/event" "PostgreSQL CPU us/event"
printf '%-14s %-30s %-30s %s\n' "C relay" "$(column_median c-relay 1) ($(column_all c-relay 1))" \
  "$(column_median c-relay 2) ($(column_all c-relay 2))" -
for case in "${CASES[@]}"; do
  pg=-
  [[ ${case%:*} == postgres ]] && pg="$(column_median "$case" 3) ($(column_all "$case" 3))"
  printf '%-14s %-30s %-30s %s\n' "${case%:*} x${case#*:}" "$(column_median "$case" 1) ($(column_all "$case" 1))" \
    "$(column_median "$case" 2) ($(column_all "$case" 2))" "$pg"
done
if [[ -n ${figures[sqlite:1]:-} ]]; then
  awk -v s="$(column_median sqlite:1 1)" -v c="$(column_median c-relay 1)" \
    'BEGIN { printf "ratio signalbox (SQLite x1)/C relay: %.2f (target >= 0.7)\n", s / c }'
fi
