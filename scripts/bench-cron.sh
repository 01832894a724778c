#!/usr/bin/env bash
# Cron benchmark: `next` calls per second for Signalbox's Cron module and for Python's croniter
# on the same mix of expressions and zones (Benchmarks/CronBenchmark, scripts/bench/cron_peer.py),
# then the ratio. Also checks that both compute the same occurrences for the mix.
#
# Usage: scripts/bench-cron.sh [swift-rounds] [croniter-rounds]
# CRON_BENCH_PACKAGE=DIR builds the benchmark from another package that has the same target.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="${CRON_BENCH_PACKAGE:-$root}"
swift_rounds="${1:-2000}"
peer_rounds="${2:-20}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import croniter' 2>/dev/null; then
    echo "installing croniter from PyPI…" >&2
    "$python" -m pip install --quiet croniter
fi

echo "building CronBenchmark (release)…" >&2
swift build --package-path "$package" -c release --product CronBenchmark >&2
bin="$(swift build --package-path "$package" -c release --show-bin-path)/CronBenchmark"

# Same occurrences first: a benchmark of two different computations would mean nothing.
if ! diff <("$bin" --verify) <("$python" "$root/scripts/bench/cron_peer.py" --verify) >/dev/null; then
    echo "warning: Cron and croniter disagree on some occurrences of the mix" >&2
else
    echo "check: Cron and croniter agree on 200 occurrences of every case in the mix"
fi

echo "== Signalbox Cron =="
swift_out="$("$bin" "$swift_rounds")"
echo "$swift_out"
echo "== croniter $("$python" -c 'import importlib.metadata as m; print(m.version("croniter"))') ($("$python" --version)) =="
peer_out="$("$python" "$root/scripts/bench/cron_peer.py" "$peer_rounds")"
echo "$peer_out"

swift_rate="$(sed -n 's/^swift next\/s: //p' <<<"$swift_out")"
peer_rate="$(sed -n 's/^croniter next\/s: //p' <<<"$peer_out")"
echo
echo "Swift Cron: ${swift_rate} next/s"
echo "croniter:   ${peer_rate} next/s"
awk -v s="$swift_rate" -v p="$peer_rate" 'BEGIN { printf "ratio:      %.0fx (target: at least 100x)\n", s / p }'
