#!/usr/bin/env bash
# Schemathesis (someone else's OpenAPI fuzzer, from PyPI) against a real `signalbox serve`: every
# operation of docs/openapi.yaml with generated valid and invalid requests, every check
# (`--checks all`: no 5xx, statuses, content types, headers and bodies as documented, invalid data
# refused, valid data accepted, auth not ignored, 405 for undocumented methods, …), a fixed seed.
# Exits non-zero on any failure.
#
#   scripts/fuzz-api.sh                      # debug build, 25 examples per operation, seed 16
#   scripts/fuzz-api.sh --skip-build         # the debug binary already built
#   scripts/fuzz-api.sh --binary PATH        # this signalbox executable, nothing built
#   EXAMPLES=100 SEED=7 scripts/fuzz-api.sh  # a longer run, another seed
#
# Two passes: the first with generated ids (malformed ones, unknown ones: 400 and 404 paths), the
# second against real resources it creates first (an action with a schedule, a message trigger,
# a webhook and a delayed run, and another action for DELETE and archive).
#
# serve runs on a free port of 127.0.0.1 with a fresh SQLite file in a temporary directory and the
# local RabbitMQ (scripts/lib/broker.sh; its own vhost), tokens unlimited in rate (the fuzzer's
# bursts would otherwise meet 429). Schemathesis is installed into .build/schemathesis (a venv);
# scripts/fuzz-api.toml configures its checks. Extra arguments after `--` go to `schemathesis run`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${EXAMPLES:-25}
SEED=${SEED:-16}
VHOST=${FUZZ_VHOST:-signalbox-fuzz-api}

build=1
binary=""
extra=()
while (($#)); do
  case $1 in
    --skip-build) build=0 ;;
    --binary) binary=$2; build=0; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: scripts/fuzz-api.sh [--skip-build | --binary PATH] [-- schemathesis-arguments…]" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"

venv="$ROOT/.build/schemathesis"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  sb_log "pip install schemathesis==$SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv" || sb_die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" ||
    sb_die "could not install the Python package schemathesis (PyPI)"
fi

if [[ -n ${SIGNALBOX_AMQP_URL:-} ]]; then
  amqp_url=$SIGNALBOX_AMQP_URL
else
  bench_broker "$VHOST"
  amqp_url="amqp://guest:guest@127.0.0.1:5672/$VHOST"
fi

if ((build)); then
  sb_log "swift build --product signalbox"
  swift build --product signalbox >&2
fi
# --binary needs no SwiftPM (the test that runs this script runs inside `swift test`).
[[ -n $binary ]] || binary="$(swift build --show-bin-path)/signalbox"
[[ -x $binary ]] || sb_die "$binary is not built (run without --skip-build)"

work="$(mktemp -d)"
port="$(bench_free_port)"
serve=""
cleanup() {
  if [[ -n $serve ]]; then
    kill "$serve" 2>/dev/null || true
    wait "$serve" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

export SIGNALBOX_DATABASE_PATH="$work/fuzz.sqlite" SIGNALBOX_HTTP_HOST=127.0.0.1 SIGNALBOX_HTTP_PORT="$port"
export SIGNALBOX_AMQP_URL="$amqp_url" SIGNALBOX_AMQP_COMMANDS_QUEUE="" SIGNALBOX_LOG_LEVEL=warning
export SIGNALBOX_HTTP_TOKEN_REQUESTS_PER_SECOND=0
"$binary" serve --config "$ROOT/config/signalbox.yaml" 2>"$work/serve.log" &
serve=$!
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
  kill -0 "$serve" 2>/dev/null || { cat "$work/serve.log" >&2; sb_die "serve exited at start-up"; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null || sb_die "serve does not answer on 127.0.0.1:$port"
token="$("$binary" token create --tenant default --role admin --config "$ROOT/config/signalbox.yaml" 2>/dev/null | tail -1)"
[[ -n $token ]] || sb_die "signalbox token create printed no token"

api="http://127.0.0.1:$port"
# What KEY (members and indexes, dotted: schedules.0.id) selects in the JSON on stdin.
json_at() {
  python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."):
    value = value[int(key)] if key.isdigit() else value[key]
print(value)' "$1"
}
api_post() {
  curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2" "$api$1" ||
    sb_die "POST $1 failed while preparing the resources of pass 2"
}

# Pass 2 reaches real resources: an action with a schedule, a message trigger, a webhook and a
# delayed run, and a second action that DELETE and archive take instead.
item='[{"name": "step", "config": {"$type": "app", "version": {"id": "v", "version": 1}}}]'
target="$(api_post /namespaces/fuzz/automated-actions "{\"name\": \"fuzz-target\", \"actions\": $item,
  \"schedules\": [{\"name\": \"nightly\", \"cron\": \"0 3 * * *\"}],
  \"messageTriggers\": [{\"name\": \"on-finish\", \"triggerType\": \"AppProcessUpdated\", \"eventFilter\": \"\$.item.status == 'Finished'\"}]}")"
export FUZZ_ACTION_ID FUZZ_SCHEDULE_ID FUZZ_TRIGGER_ID FUZZ_WEBHOOK_ID FUZZ_RUN_ID FUZZ_VICTIM_ID
FUZZ_ACTION_ID="$(json_at id <<<"$target")"
FUZZ_SCHEDULE_ID="$(json_at schedules.0.id <<<"$target")"
FUZZ_TRIGGER_ID="$(json_at messageTriggers.0.id <<<"$target")"
FUZZ_WEBHOOK_ID="$(api_post "/automated-actions/by-id/$FUZZ_ACTION_ID/webhooks" '{"name": "hook"}' | json_at id)"
FUZZ_RUN_ID="$(api_post "/automated-actions/by-id/$FUZZ_ACTION_ID/runs" '{"delaySeconds": 3600, "key": "fuzz"}' | json_at runId)"
FUZZ_VICTIM_ID="$(api_post /namespaces/fuzz/automated-actions "{\"name\": \"fuzz-victim\", \"actions\": $item}" | json_at id)"
resources="$work/resources.toml"
cat "$ROOT/scripts/fuzz-api.toml" - >"$resources" <<'TOML'

[parameters]
"path.id" = "${FUZZ_ACTION_ID}"
"path.ns" = "fuzz"
"path.name" = "fuzz-target"
"path.scheduleId" = "${FUZZ_SCHEDULE_ID}"
"path.triggerId" = "${FUZZ_TRIGGER_ID}"
"path.webhookId" = "${FUZZ_WEBHOOK_ID}"
"path.runId" = "${FUZZ_RUN_ID}"

[[operations]]
include-path-regex = '^/automated-actions/by-id/\{id\}(/archive)?$'
include-method-regex = '^(DELETE|POST)$'
parameters = { "path.id" = "${FUZZ_VICTIM_ID}" }
TOML

status=0
started=$SECONDS
# Left out: the console's live stream (`text/event-stream`), which never ends, and revoking a
# token, which would revoke the fuzzer's own (its id is in `GET /whoami`); both have their tests.
fuzz() {
  local config=$1
  shift
  "$venv/bin/schemathesis" --config-file "$config" run "$ROOT/docs/openapi.yaml" \
    --url "$api" \
    --checks all \
    --seed "$SEED" \
    --workers 1 \
    --max-examples "$EXAMPLES" \
    --request-timeout 10 \
    --exclude-path /history/stream \
    --exclude-path '/tokens/{tokenId}' \
    --no-color \
    -H "Authorization: Bearer $token" \
    "$@"
}
sb_log "schemathesis $SCHEMATHESIS_VERSION, pass 1 (generated ids): seed $SEED, $EXAMPLES examples per operation, against $api"
fuzz "$ROOT/scripts/fuzz-api.toml" "${extra[@]}" || status=$?
sb_log "schemathesis $SCHEMATHESIS_VERSION, pass 2 (existing resources): seed $SEED, $EXAMPLES examples per operation"
fuzz "$resources" "${extra[@]}" || status=$?
elapsed=$((SECONDS - started))

errors_logged=$(grep -c 'level=error' "$work/serve.log" || true)
if ((status == 0)); then
  sb_log "summary: no failures in either pass (seed $SEED, $EXAMPLES examples per operation, ${elapsed}s); serve logged $errors_logged errors"
else
  sb_log "summary: schemathesis found failures, exit $status (seed $SEED, $EXAMPLES examples per operation, ${elapsed}s); serve logged $errors_logged errors"
  if ((errors_logged > 0)); then grep 'level=error' "$work/serve.log" | tail -20 >&2; fi
fi
if ! kill -0 "$serve" 2>/dev/null; then
  sb_log "serve is no longer running"
  status=1
fi
exit "$status"
