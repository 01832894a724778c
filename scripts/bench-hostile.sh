#!/usr/bin/env bash
# Hostile requests (issue 16, "Measure"): the worst request of each kind, against the real
# `signalbox serve`, before and after — wall time (median of REPEATS), peak memory (VmHWM) and
# resident memory before the request, and the answer's status.
#
#   scripts/bench-hostile.sh [--before PATH_TO_OLD_BINARY] [--after PATH] [--kinds 1 3 …]
#
# Without --after, this checkout's release `signalbox` is built and used; without --before, only
# the after column is measured. Each row gets a fresh SQLite file and a fresh serve per binary
# (set-up such as 1,000 actions runs on a serve of its own, stopped before the measured one), on
# 127.0.0.1 and the local RabbitMQ in a vhost of its own (BENCH_VHOST). A request slower than
# TIMEOUT seconds (120) or a serve past MEMORY_CAP_MIB resident (4096) ends that row for that
# binary and the serve is killed. Kinds: 1 descendant segments, 2 explanations, 3 filter
# compilation, 4 wide objects, 5 upcoming runs, 6 readiness probes (wrk, installed from Debian
# if missing), 7 regular expressions. Knobs: REPEATS (3), TIMEOUT, MEMORY_CAP_MIB,
# UPCOMING_ACTIONS ("1000 10000"; the after binary caps a tenant at 10,000), HEALTH_CONNECTIONS
# (200), HEALTH_SECONDS (10),
# HOSTILE_LOG_DIR (keeps each serve's log there, and results.json: `python3
# scripts/bench/hostile.py --render DIR/results.json` prints the table again).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VHOST=${BENCH_VHOST:-signalbox-bench-hostile}

before="" after="" kinds=()
while (($#)); do
  case $1 in
  --before) before=$(realpath "$2") && shift 2 ;;
  --after) after=$(realpath "$2") && shift 2 ;;
  --kinds)
    shift
    while (($#)) && [[ $1 != --* ]]; do kinds+=("$1") && shift; done
    ;;
  *)
    echo "usage: $0 [--before PATH] [--after PATH] [--kinds 1 2 …]" >&2
    exit 2
    ;;
  esac
done

# shellcheck source=lib/broker.sh
source "$ROOT/scripts/lib/broker.sh"
# shellcheck source=lib/bench.sh
source "$ROOT/scripts/lib/bench.sh"
bench_broker "$VHOST"
command -v wrk >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -q wrk >/dev/null; } || sb_die "wrk is needed (apt-get install wrk)"
[[ -n $after ]] || after=$(cd "$ROOT" && bench_build signalbox)
[[ -x $after ]] || sb_die "no signalbox binary at $after"
[[ -z $before || -x $before ]] || sb_die "no signalbox binary at $before"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Every setting from the environment: both binaries read the same (empty) file.
printf '{}\n' >"$work/signalbox.yaml"

args=(--after "$after" --work "${HOSTILE_LOG_DIR:-$work}" --config "$work/signalbox.yaml"
  --amqp-url "amqp://guest:guest@127.0.0.1:5672/$VHOST" --repeats "${REPEATS:-3}"
  --timeout "${TIMEOUT:-120}" --memory-cap-mib "${MEMORY_CAP_MIB:-4096}"
  --health-connections "${HEALTH_CONNECTIONS:-200}" --health-seconds "${HEALTH_SECONDS:-10}")
# shellcheck disable=SC2206 # a list of numbers
args+=(--upcoming-actions ${UPCOMING_ACTIONS:-1000 10000})
[[ -n $before ]] && args+=(--before "$before")
((${#kinds[@]})) && args+=(--kinds "${kinds[@]}")
[[ -n ${HOSTILE_LOG_DIR:-} ]] && mkdir -p "$HOSTILE_LOG_DIR"
python3 "$ROOT/scripts/bench/hostile.py" "${args[@]}"
