#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (swiftc -sanitize=fuzzer, plus AddressSanitizer): the JSON
# parser, the JSONPath query/filter parser, the I-Regexp parser and the cron parser. Each target
# (Fuzz/Targets/) also checks properties of what it parsed; see docs/fuzzing.md.
#
#   scripts/fuzz.sh [json|filter|iregexp|cron|all] [seconds-each]   # default: all, 60 s each
#   scripts/fuzz.sh all corpus        # only replays the committed corpora (scripts/test.sh does)
#   FUZZ_SANITIZERS=fuzzer scripts/fuzz.sh json 600                 # without AddressSanitizer
#
# Builds into .build-fuzz (SIGNALBOX_FUZZ_DIR) by compiling the modules' sources with swiftc,
# not SwiftPM, so `swift build`/`swift test` never see the targets. Each target reads its seed
# corpus Fuzz/Corpus/<target>/ and writes what it finds to .build-fuzz/corpus/<target>/, never
# into the repository. On a crash, timeout or failed property it stops, prints the input's path
# and exits 1; rerun one input with `.build-fuzz/bin/<target> <file>`. Exits 2 when this swiftc
# cannot build libFuzzer targets (scripts/test.sh then skips its smoke run).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/lib/broker.sh
source "$root/scripts/lib/broker.sh"  # sb_log, sb_die only: nothing here needs a broker

all_targets=(json filter iregexp cron)
which="${1:-all}"
seconds="${2:-60}"
if [[ $seconds == corpus ]]; then
  # Every committed input once, no mutation: deterministic, a few seconds per target.
  limit=(-runs=0)
elif [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  limit=("-max_total_time=$seconds")
else
  sb_die "seconds must be a whole number above 0 (libFuzzer reads 0 as no limit) or 'corpus', got '$seconds'"
fi
if [[ $which == all ]]; then
  targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " == *" $which "* ]]; then
  targets=("$which")
else
  sb_die "unknown target '$which': one of ${all_targets[*]} or all"
fi

out="${SIGNALBOX_FUZZ_DIR:-$root/.build-fuzz}"
sanitizers="${FUZZ_SANITIZERS:-fuzzer,address}"
mkdir -p "$out/modules" "$out/obj" "$out/bin" "$out/logs"
swift_flags=(
  -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny -warnings-as-errors
  -O -g "-sanitize=$sanitizers"
)
# lld: gold warns about every AddressSanitizer helper symbol.
link_flags=(-use-ld=lld)

probe="$out/obj/probe"
if ! [[ -x $probe ]]; then
  printf '@_cdecl("LLVMFuzzerTestOneInput") public func probe(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt { 0 }\n' >"$probe.swift"
  if ! swiftc "${swift_flags[@]}" "${link_flags[@]}" "$probe.swift" -o "$probe" >"$out/logs/probe.log" 2>&1; then
    sb_log "swiftc cannot build libFuzzer targets with -sanitize=$sanitizers here (see $out/logs/probe.log)"
    exit 2
  fi
fi

# Compiles a module's sources once (whole module, testable) into one object for the targets.
build_module() {
  local name=$1 object="$out/obj/$1.o" sources
  mapfile -t sources < <(find "Sources/$name" -name '*.swift' | sort)
  if [[ -f $object ]] && ! find "Sources/$name" "$0" -newer "$object" -name '*.*' | grep -q .; then return; fi
  sb_log "swiftc $name (-sanitize=$sanitizers)"
  swiftc "${swift_flags[@]}" -enable-testing -wmo -module-name "$name" -emit-module \
    -emit-module-path "$out/modules/$name.swiftmodule" -c "${sources[@]}" -o "$object"
  touch "$object"  # swiftc leaves an unchanged output's time alone, so it would look stale forever
}

# target → module it fuzzes and its source file in Fuzz/Targets.
module_of() { case $1 in cron) echo Cron ;; *) echo JSONPath ;; esac; }
source_of() {
  case $1 in
  json) echo JSONParserFuzz ;; filter) echo FilterParserFuzz ;; iregexp) echo IRegexpFuzz ;; cron) echo CronParserFuzz ;;
  esac
}

build_target() {
  local target=$1 module binary="$out/bin/$1"
  module="$(module_of "$target")"
  build_module "$module"
  local sources=(Fuzz/Targets/FuzzSupport.swift "Fuzz/Targets/$(source_of "$target").swift")
  if [[ -x $binary ]] && ! find "${sources[@]}" "$out/obj/$module.o" -newer "$binary" | grep -q .; then return; fi
  sb_log "swiftc fuzz target $target"
  swiftc "${swift_flags[@]}" -module-name "Fuzz_$target" -I "$out/modules" "${sources[@]}" "$out/obj/$module.o" \
    "${link_flags[@]}" -o "$binary"
  touch "$binary"
}

# The value of libFuzzer's final `stat::NAME:` line in LOG.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

for target in "${targets[@]}"; do build_target "$target"; done

status=0
for target in "${targets[@]}"; do
  found="$out/corpus/$target" artifacts="$out/artifacts/$target" log="$out/logs/$target.log"
  mkdir -p "$found" "$artifacts"
  dictionary=()
  [[ -f Fuzz/Dictionaries/$target.dict ]] && dictionary=("-dict=Fuzz/Dictionaries/$target.dict")
  sb_log "fuzzing $target (${limit[*]}; log: $log)"
  before="$(find "$artifacts" -type f | wc -l)"
  run_status=0
  # Leak checking is off: the Swift runtime's caches and globals outlive the process on purpose.
  # Swift's backtracer is off: libFuzzer reports the trap and saves the input, and ASan flags
  # the backtracer's reads of the crashed stack.
  SWIFT_BACKTRACE=enable=no "$out/bin/$target" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -detect_leaks=0 -print_final_stats=1 "-artifact_prefix=$artifacts/" "${dictionary[@]}" \
    "$found" "Fuzz/Corpus/$target" >"$log" 2>&1 || run_status=$?
  coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)"
  printf '%-8s %12s executions  %8s exec/s  cov %6s  found-corpus %s inputs\n' "$target" \
    "$(final_stat number_of_executed_units "$log")" "$(final_stat average_exec_per_sec "$log")" \
    "${coverage:-?}" "$(find "$found" -type f | wc -l)"
  if ((run_status != 0)); then
    status=1
    grep -m3 -E 'property failed|ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error' "$log" >&2 || tail -20 "$log" >&2
    if (("$(find "$artifacts" -type f | wc -l)" > before)); then
      sb_log "$target failed (exit $run_status) on input: $(find "$artifacts" -type f -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)"
    else
      sb_log "$target failed (exit $run_status) and saved no input; see $log"
    fi
  fi
done
exit "$status"
