#!/usr/bin/env bash
# THE test command: installs missing apt packages, starts a local RabbitMQ on 127.0.0.1 unless
# SIGNALBOX_AMQP_URL is set and a local PostgreSQL on 127.0.0.1:54329 unless
# SIGNALBOX_TEST_DATABASE_URL is set, exports the SIGNALBOX_TEST_* variables, builds and runs
# every test.
#
#   scripts/test.sh                       # all tests
#   scripts/test.sh --filter AMQPClient   # extra arguments go to `swift test`
#
# Without arguments it also replays the parser fuzz targets' seeds (scripts/fuzz.sh all corpus).
#
# SIGNALBOX_SWIFTPM_ARGS (word-split) is passed to both `swift build` and `swift test`,
# e.g. SIGNALBOX_SWIFTPM_ARGS="--scratch-path .build-ci".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=scripts/lib/postgres.sh
source "$ROOT/scripts/lib/postgres.sh"

command -v swift >/dev/null ||
  sb_die "swift is not on PATH: install the Swift 6.3 toolchain (https://www.swift.org/install/linux/)"

# JSONPath compliance test suite, shared outside the repository.
cts="$ROOT/../shared/testdata/jsonpath-cts/cts.json"
if [[ -f $cts ]]; then
  SIGNALBOX_JSONPATH_CTS="$(cd "$(dirname "$cts")" && pwd)/cts.json"
  export SIGNALBOX_JSONPATH_CTS
elif [[ ${CI:-} == true ]]; then
  sb_die "JSONPath compliance suite not found at $cts (expected ../shared next to the repository)"
else
  sb_log "WARNING: $cts not found; the JSONPath compliance test will fail (set SIGNALBOX_JSONPATH_CTS)"
fi

# Test-only: someone else's JSON Schema validator (python3-jsonschema, with PyYAML to read the
# YAML examples) checks docs/definitions.schema.json against docs/examples/definitions/.
SIGNALBOX_APT_HELPERS+=(python3-jsonschema python3-yaml)
# Test-only: Debian's chromium and firefox-esr, which the web console's browser test drives headless.
SIGNALBOX_APT_HELPERS+=(chromium firefox-esr)
# Test-only for now: the PostgreSQL server the PostgreSQL store's tests run against.
[[ -n ${SIGNALBOX_TEST_DATABASE_URL:-} ]] || SIGNALBOX_APT_HELPERS+=("${SIGNALBOX_POSTGRES_PACKAGES[@]}")
signalbox_ensure_packages

# Someone else's Standard Webhooks implementation (the reference library on PyPI), which the
# webhook tests sign and verify with, kept out of the system's Python under .build.
python_peers="$ROOT/.build/python-peers"
if ! PYTHONPATH="$python_peers" python3 -c 'import standardwebhooks' 2>/dev/null; then
  command -v python3 >/dev/null || sb_die "python3 is needed for the Standard Webhooks peer tests"
  sb_log "pip install standardwebhooks==1.3.0 into $python_peers"
  python3 -m pip install --quiet --disable-pip-version-check --target "$python_peers" standardwebhooks==1.3.0 ||
    sb_die "could not install the Python package standardwebhooks (PyPI); the webhook tests need it"
fi
# The CloudEvents Python SDK, which reads the notifications in the tests (its RabbitMQ binding).
if ! PYTHONPATH="$python_peers" python3 -c 'import cloudevents.core.bindings.rabbitmq' 2>/dev/null; then
  sb_log "pip install cloudevents==2.2.0 into $python_peers"
  python3 -m pip install --quiet --disable-pip-version-check --target "$python_peers" cloudevents==2.2.0 ||
    sb_die "could not install the Python package cloudevents (PyPI); the notification tests need it"
fi
# For the web console's browser test: Playwright (its Python API and driver, no browser: it
# drives the chromium above), websocket-client (to drive firefox-esr over WebDriver BiDi, which
# Playwright cannot) and pika (to publish an event to the broker).
if ! PYTHONPATH="$python_peers" python3 -c 'import playwright.sync_api, pika, websocket' 2>/dev/null; then
  sb_log "pip install playwright==1.65.3 pika==1.3.2 websocket-client==1.9.2 into $python_peers (no browser download)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 python3 -m pip install --quiet --disable-pip-version-check --target "$python_peers" \
    playwright==1.65.3 pika==1.3.2 websocket-client==1.9.2 ||
    sb_die "could not install the Python packages playwright, pika and websocket-client (PyPI); the browser test needs them"
fi
export SIGNALBOX_TEST_PYTHONPATH="$python_peers"

signalbox_ensure_broker
signalbox_export_test_env
signalbox_ensure_restartable_broker
signalbox_ensure_postgres
signalbox_print_test_env

read -r -a spm_args <<<"${SIGNALBOX_SWIFTPM_ARGS:-}"

sb_log "swift build --build-tests ${spm_args[*]}"
swift build --build-tests "${spm_args[@]}"

# The full run (CI's) also builds the parser fuzz targets and replays their committed seeds once,
# without mutation: they keep compiling and their properties hold (docs/fuzzing.md).
fuzz_status=0
if (($# == 0)); then
  sb_log "scripts/fuzz.sh all corpus"
  "$ROOT/scripts/fuzz.sh" all corpus || fuzz_status=$?
  if ((fuzz_status == 2)); then
    sb_log "WARNING: this swiftc cannot build libFuzzer targets; fuzz targets skipped"
    fuzz_status=0
  fi
fi

sb_log "swift test ${spm_args[*]} $*"
status=0
swift test "${spm_args[@]}" "$@" || status=$?
sb_log "swift test exited with $status"
if ((status != 0)) && [[ -z ${SIGNALBOX_AMQP_URL:-} ]]; then
  # A broker that stalled shows up in tests as timeouts; its log says why.
  sb_log "the test broker's log, for failures that involve it:"
  sb_broker_log_tail
fi
if ((status == 0 && fuzz_status != 0)); then
  sb_log "the fuzz targets' seed replay failed (exit $fuzz_status); see above"
  status=$fuzz_status
fi
exit "$status"
