#!/usr/bin/env bash
# Trigger-filter evaluation, this checkout against an older commit (issue 16: the work budget's
# cost on the normal path). Builds JSONPathBenchmark in release mode at BASE (in a temporary
# worktree) and here, then compares the two:
#
#   scripts/bench-jsonpath-ab.sh BASE [RUNS]          wall clock: RUNS (5) alternating runs of
#                                                     each binary, median evaluations/s per filter
#   scripts/bench-jsonpath-ab.sh --instructions BASE  instructions per evaluation (valgrind's
#                                                     callgrind): exact, and the same on a busy machine
#
# Both print one line per filter and the geometric mean of the ratios (this checkout ÷ BASE).
# Wall-clock figures need a quiet machine; on a busy one BEST=1 takes each binary's best run.
# Each measurement lasts 1 s (QUICK=1: 0.2 s).
# Example: scripts/bench-jsonpath-ab.sh 48c540d^ 7   (48c540d added the budget)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

mode=wallclock
if [[ ${1:-} == --instructions ]]; then
  mode=instructions
  shift
fi
[[ $# -ge 1 ]] || {
  echo "usage: $0 [--instructions] BASE [RUNS]" >&2
  exit 2
}
base_rev=$1 runs=${2:-5}
if [[ $mode == instructions ]] && ! command -v valgrind >/dev/null; then
  [[ $(id -u) -eq 0 ]] && apt-get install -y -q valgrind >/dev/null || { echo "valgrind is needed" >&2 && exit 1; }
fi

work="$(mktemp -d)"
cleanup() {
  git -C "$ROOT" worktree remove --force "$work/base" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

git -C "$ROOT" worktree add -q --detach "$work/base" "$base_rev"
build() { # package directory → the benchmark binary, copied into $work
  swift build --package-path "$1" -c release --product JSONPathBenchmark >&2
  cp "$(swift build --package-path "$1" -c release --show-bin-path)/JSONPathBenchmark" "$work/$2"
}
echo "== building JSONPathBenchmark at $base_rev and here (release)" >&2
build "$work/base" base
build "$ROOT" head

python3 "$ROOT/scripts/bench/jsonpath_ab.py" "$mode" "$work/base" "$work/head" "$runs"
