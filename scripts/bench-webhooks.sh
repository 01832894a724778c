#!/usr/bin/env bash
# Signed webhook → confirmed command, through the real `signalbox serve` (release build), its
# SQLite file and the local broker: wrk with CONNECTIONS concurrent clients (default 50) posts calls
# signed by the Standard Webhooks reference library, each with its own webhook-id, to a webhook of an
# action with one app item; every answer comes after the command's publish was confirmed. Beside it,
# the same load against GET /health/live: the HTTP stack's own ceiling. Prints requests/s and
# p50/p99 latency of each, and checks the commands on the queue.
#
#   CONNECTIONS=50 SECONDS_EACH=15 scripts/bench-webhooks.sh    (METRICS_OUT=FILE keeps serve's /metrics)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CONNECTIONS=${CONNECTIONS:-50}
SECONDS_EACH=${SECONDS_EACH:-15}
THREADS=${THREADS:-2}
VHOST=${BENCH_VHOST:-signalbox-bench-webhooks}
URL="amqp://guest:guest@127.0.0.1:5672/$VHOST"

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
bench_broker "$VHOST"
command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -q wrk >/dev/null; } || sb_die "wrk is needed (apt-get install wrk)"
peers="$ROOT/.build/python-peers"
PYTHONPATH="$peers" python3 -c 'import standardwebhooks' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check --target "$peers" standardwebhooks==1.3.0

(cd "$ROOT" && swift build -c release --product signalbox >&2)
bin="$(cd "$ROOT" && swift build -c release --show-bin-path)/signalbox"
work="$(mktemp -d)"
port=$(bench_free_port)
export SIGNALBOX_AMQP_URL="$URL" SIGNALBOX_DATABASE_PATH="$work/bench.sqlite" SIGNALBOX_HTTP_PORT="$port" \
  SIGNALBOX_LOG_LEVEL=warning SIGNALBOX_AMQP_COMMANDS_QUEUE=bench.webhooks.commands
"$bin" serve --config "$ROOT/config/signalbox.yaml" >"$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null; rabbitmqctl -n "$SIGNALBOX_RMQ_NODE" -q delete_queue -p "$VHOST" bench.webhooks.commands >/dev/null 2>&1; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || sb_die "serve did not become ready: $(tail -5 "$work/serve.log")"
rabbitmqctl -n "$SIGNALBOX_RMQ_NODE" -q purge_queue -p "$VHOST" bench.webhooks.commands >/dev/null

export SIGNALBOX_URL="http://127.0.0.1:$port"
SIGNALBOX_TOKEN=$("$bin" token create --tenant default --role admin --config "$ROOT/config/signalbox.yaml")
export SIGNALBOX_TOKEN
"$bin" action-create bench-webhooks --namespace bench --actions \
  '[{"name":"Run","config":{"$type":"app","version":{"id":"a1b2c3d4-5678-90ab-cdef-1234567890ab","version":1},"inputs":[]}}]' >/dev/null
added=$("$bin" action-webhook-add --action-name bench-webhooks --namespace bench --webhook-name bench \
  --rate-per-second 10000 --burst 100000)
hook=$(awk '/^URL:/ {print $2}' <<<"$added")
secret=$(awk '/^Secret:/ {print $2}' <<<"$added")

# Enough distinct calls for the run at well over the target rate.
calls=$((SECONDS_EACH * 8000))
PYTHONPATH="$peers" python3 "$ROOT/scripts/bench/webhook_requests.py" "$secret" "$calls" "$work/signed.txt"

echo "== GET /health/live, $CONNECTIONS connections, ${SECONDS_EACH}s"
live=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "http://127.0.0.1:$port/health/live")
grep -E "Requests/sec|50%|99%|Non-2xx" <<<"$live" || true

echo "== POST $hook (signed), $CONNECTIONS connections, ${SECONDS_EACH}s"
signed=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "$ROOT/scripts/bench/webhooks.lua" \
  "$hook" -- "$work/signed.txt" "$THREADS")
grep -E "Requests/sec|50%|99%|Non-2xx|RESULT" <<<"$signed" || true
# Where a call's time goes: the run path's transactions and the broker's confirms, from /metrics.
curl -s "http://127.0.0.1:$port/metrics" >"$work/metrics.txt"
awk '
  /^signalbox_history_write_seconds_(sum|count)/ || /^signalbox_publish_confirm_seconds_(sum|count)/ { v[$1] = $2 }
  END {
    printf "history transactions: %d, average %.2f ms; publish confirms: %d, average %.2f ms\n",
      v["signalbox_history_write_seconds_count"], 1000 * v["signalbox_history_write_seconds_sum"] / (v["signalbox_history_write_seconds_count"] + 1e-9),
      v["signalbox_publish_confirm_seconds_count"], 1000 * v["signalbox_publish_confirm_seconds_sum"] / (v["signalbox_publish_confirm_seconds_count"] + 1e-9)
  }' "$work/metrics.txt"
[[ -n ${METRICS_OUT:-} ]] && cp "$work/metrics.txt" "$METRICS_OUT"
# Every answered call ran (a 202 comes after the confirm): its history rows are in the file.
sleep 1
rows=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM executionHistory").fetchone()[0])' "$work/bench.sqlite")
queued=$(rabbitmqctl -n "$SIGNALBOX_RMQ_NODE" -q list_queues -p "$VHOST" name messages | awk '$1 == "bench.webhooks.commands" {print $2}')
requests=$(bench_field requests "$(grep RESULT <<<"$signed")")
echo "signed calls answered: $requests; history rows: $rows; commands on the queue: $queued (the broker's count may lag)"
printf 'RESULT webhooks_rps=%s webhooks_p50_ms=%s webhooks_p99_ms=%s live_rps=%s live_p50=%s live_p99=%s history_rows=%s\n' \
  "$(bench_field rps "$(grep RESULT <<<"$signed")")" "$(bench_field p50_ms "$(grep RESULT <<<"$signed")")" \
  "$(bench_field p99_ms "$(grep RESULT <<<"$signed")")" "$(awk '/Requests\/sec/ {print $2}' <<<"$live")" \
  "$(awk '$1 == "50%" {print $2}' <<<"$live")" "$(awk '$1 == "99%" {print $2}' <<<"$live")" "$rows"
