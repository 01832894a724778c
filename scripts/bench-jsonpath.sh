#!/usr/bin/env bash
# JSONPath benchmark: Swift trigger-filter evaluations/s and JSON parse MB/s, against the
# Python peer (PyPI jsonpath-rfc9535) on the same filters and event; prints the ratio.
#
# Usage: scripts/bench-jsonpath.sh [--quick]
#   --quick   0.2 s per measurement instead of 1 s (noisier)
# Environment: PYTHON (default python3), SWIFT_BUILD_ARGS (extra args for swift build),
#   PACKAGE_DIR (Swift package to build, default the repository root).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO="$(pwd)"
PACKAGE_DIR="${PACKAGE_DIR:-$REPO}"
QUICK=()
if [[ "${1:-}" == "--quick" ]]; then QUICK=(--quick); fi
PYTHON="${PYTHON:-python3}"

echo "== building JSONPathBenchmark (release)"
# shellcheck disable=SC2086
swift build --package-path "$PACKAGE_DIR" -c release --product JSONPathBenchmark ${SWIFT_BUILD_ARGS:-} >&2
BIN="$(swift build --package-path "$PACKAGE_DIR" -c release --show-bin-path)/JSONPathBenchmark"

if ! "$PYTHON" -c 'import jsonpath_rfc9535' 2>/dev/null; then
    echo "== installing the Python peer (jsonpath-rfc9535)"
    "$PYTHON" -m pip install --quiet jsonpath-rfc9535 >&2
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BIN" --fixtures > "$WORK/fixtures.json"

echo "== Swift"
"$BIN" "${QUICK[@]}" | tee "$WORK/swift.txt" | grep -v '^RESULT'
echo
echo "== Python peer"
"$PYTHON" "$REPO/scripts/bench/jsonpath_peer.py" "$WORK/fixtures.json" "${QUICK[@]}" | tee "$WORK/python.txt" | grep -v '^RESULT'
echo
echo "== ratio (Swift evals/s ÷ Python evals/s, Python filter expression evaluated directly)"
"$PYTHON" - "$WORK/swift.txt" "$WORK/python.txt" <<'PY'
import math, sys

def results(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "RESULT":
            key = " ".join(parts[1:-1])
            out[key] = float(parts[-1])
    return out

swift, python = results(sys.argv[1]), results(sys.argv[2])
ratios, seed_ratios = [], []
print(f"{'filter':22}{'swift/s':>14}{'python/s':>12}{'ratio':>9}{'vs query':>10}")
for key, rate in swift.items():
    if not key.startswith("filter "):
        continue
    name = key.split(" ", 1)[1]
    peer = python.get(key)
    query = python.get("query " + name)
    if not peer:
        continue
    ratio = rate / peer
    ratios.append(ratio)
    if name.startswith("seed-"):
        seed_ratios.append(ratio)
    vs_query = f"{rate / query:>9.0f}x" if query else ""
    print(f"{name:22}{rate:>14,.0f}{peer:>12,.0f}{ratio:>8.0f}x{vs_query}")
def geo(xs):
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float("nan")
print(f"geometric mean ratio: all {geo(ratios):.0f}x, seed shapes {geo(seed_ratios):.0f}x; minimum {min(ratios):.0f}x (target >= 50x)")
if "parse_event_mb_s" in swift and "parse_event_mb_s" in python:
    print(f"JSON parse of the event: Swift {swift['parse_event_mb_s']:.1f} MB/s, Python json.loads {python['parse_event_mb_s']:.1f} MB/s")
seeds = [k.split(" ", 1)[1] for k in swift if k.startswith("filter seed-")]
if seeds and "parse_event_ns" in swift and "parse_event_ns" in python:
    s_eval = sum(1e9 / swift["filter " + n] for n in seeds)
    p_eval = sum(1e9 / python["filter " + n] for n in seeds if "filter " + n in python)
    s_parse, p_parse = swift["parse_event_ns"], python["parse_event_ns"]
    print(f"one delivery = parse + the {len(seeds)} seed filters: Swift {(s_parse + s_eval) / 1000:.2f} us "
          f"(parse {s_parse / 1000:.2f} us = {s_parse / (s_eval / len(seeds)):.0f} filter evaluations), "
          f"Python {(p_parse + p_eval) / 1000:.2f} us (parse {p_parse / 1000:.2f} us)")
PY
