#!/usr/bin/env bash
# The hashes on Signalbox's paths (Benchmarks/HashingBenchmark): UUIDv5 (SHA-1) per command id,
# SHA-256 per API token check, in operations per second.
#
# Usage: scripts/bench-hashing.sh [operations=1000000]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib/broker.sh
source "$root/scripts/lib/broker.sh"
# shellcheck source=scripts/lib/bench.sh
source "$root/scripts/lib/bench.sh"
signalbox_ensure_packages
bin="$(bench_build HashingBenchmark)"
"$bin" "${1:-1000000}"
