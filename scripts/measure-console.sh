#!/usr/bin/env bash
# Figures of the web console (issue 15), printed, not asserted: the time to first render of the
# actions page with ACTIONS actions (default 1,000; the first page shows 100 rows) and the page
# weight in bytes (everything the browser fetched, uncompressed: serve does not compress), in
# Debian's chromium, headless, against a real `signalbox serve` on 127.0.0.1.
#
#   scripts/measure-console.sh                  # debug build, 1,000 actions, 9 loads
#   CONFIG=release ACTIONS=1000 LOADS=9 scripts/measure-console.sh
#
# Needs what scripts/test.sh installs for the browser test (chromium; playwright and pika in
# .build/python-peers): run `scripts/test.sh --filter ConsoleBrowserTests` once first.
# A fifth of the actions get a manual run first, so their rows have a last outcome (Failed:
# `unroutable`, since no queue is bound for their commands) and a success rate.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CONFIG=${CONFIG:-debug}
VHOST=${BENCH_VHOST:-signalbox-measure-console}

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
bench_broker "$VHOST"

peers="$ROOT/.build/python-peers"
PYTHONPATH="$peers" python3 -c 'import playwright.sync_api' 2>/dev/null ||
  sb_die "playwright is not in $peers: run scripts/test.sh --filter ConsoleBrowserTests once first"
[[ -x /usr/bin/chromium ]] || sb_die "chromium is not installed: run scripts/test.sh --filter ConsoleBrowserTests once first"

(cd "$ROOT" && swift build -c "$CONFIG" --product signalbox >&2)
binary="$(cd "$ROOT" && swift build -c "$CONFIG" --show-bin-path)/signalbox"
work="$(mktemp -d)"
port="$(bench_free_port)"
export SIGNALBOX_DATABASE_PATH="$work/console.sqlite" SIGNALBOX_HTTP_PORT="$port" SIGNALBOX_LOG_LEVEL=warning
export SIGNALBOX_AMQP_URL="amqp://guest:guest@127.0.0.1:5672/$VHOST" SIGNALBOX_AMQP_COMMANDS_QUEUE=""
"$binary" serve --config "$ROOT/config/signalbox.yaml" 2>"$work/serve.log" &
serve=$!
trap 'kill "$serve" 2>/dev/null; wait "$serve" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
  sleep 0.2
done
token="$("$binary" token create --tenant default --role admin --config "$ROOT/config/signalbox.yaml" 2>/dev/null | tail -1)"

sb_log "measuring the console against $binary (CONFIG=$CONFIG) on 127.0.0.1:$port"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$peers" python3 "$ROOT/Tests/Browser/measure_console.py" \
  --url "http://127.0.0.1:$port" --token "$token" --actions "${ACTIONS:-1000}" --loads "${LOADS:-9}"
