# Shared by the benchmark scripts that talk to a broker and run a release build of one product.
# shellcheck shell=bash

# Exports SIGNALBOX_BENCH_AMQP_URL: as given, else the test broker (started if needed).
signalbox_bench_broker() {
  if [[ -z ${SIGNALBOX_BENCH_AMQP_URL:-} ]]; then
    # shellcheck source=scripts/lib/broker.sh
    source "$(dirname "${BASH_SOURCE[0]}")/broker.sh"
    signalbox_ensure_broker
    signalbox_export_test_env
    export SIGNALBOX_BENCH_AMQP_URL="$SIGNALBOX_TEST_AMQP_URL"
  fi
}

# Builds PRODUCT in release mode and prints the path of its binary.
signalbox_bench_build() {
  echo "building $1 (release)…" >&2
  swift build -c release --product "$1" >&2
  echo "$(swift build -c release --show-bin-path)/$1"
}
