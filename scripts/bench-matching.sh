#!/usr/bin/env bash
# Matching scale: events/s through TriggerIndex with 10, 1,000 and 100,000 triggers in one tenant
# (Benchmarks/MatchingBenchmark, release build), ns/event, index build time, and the 100k/10 ratio
# (target <= 2).
#
# Usage: scripts/bench-matching.sh [--quick] [--sizes 10,1000,100000] [--runs 5]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$ROOT" && swift build -c release --product MatchingBenchmark >&2)
"$(cd "$ROOT" && swift build -c release --show-bin-path)/MatchingBenchmark" "$@" | grep -v '^RESULT'
