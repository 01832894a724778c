#!/usr/bin/env bash
# THE run command: installs missing apt packages, starts a local RabbitMQ on 127.0.0.1 unless
# SIGNALBOX_AMQP_URL is set, builds the release binary and runs `signalbox serve`.
#
#   scripts/run.sh                               # config/signalbox.yaml
#   SIGNALBOX_AMQP_URL=amqp://u:p@host/%2F scripts/run.sh   # an existing broker, nothing started
#   scripts/run.sh ARGS...                       # extra arguments go to `signalbox serve`
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"

command -v swift >/dev/null ||
  sb_die "swift is not on PATH: install the Swift 6.3 toolchain (https://www.swift.org/install/linux/)"

signalbox_ensure_packages
signalbox_ensure_broker

sb_log "swift build -c release --product signalbox"
swift build -c release --product signalbox

exec "$ROOT/.build/release/signalbox" serve --config "$ROOT/config/signalbox.yaml" "$@"
