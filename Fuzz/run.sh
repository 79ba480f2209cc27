#!/bin/sh
# libFuzzer over Starling's decoders of untrusted bytes (docs/fuzzing.md).
#
#   Fuzz/run.sh [TARGET...]          build, then fuzz each target for FUZZ_SECONDS (default 60)
#   Fuzz/run.sh --build [TARGET...]  build only
#   Fuzz/run.sh --write-seeds        build, then rewrite the committed seeds (Fuzz/corpus/)
#
# Targets: message, runtime-frame, hello, chunk-header (all by default).
#
# Everything is compiled with swiftc straight from Sources/ into .build/fuzz (SwiftPM's build is
# not touched): each module the targets need, with -sanitize=fuzzer,address, then one binary per
# target. Three modules are compiled from a subset of their files, the ones the decoders need,
# so that a fuzz build does not compile the node, the BLAS kernels or the ZeroMQ loop:
# Coordination (Timestamps.swift), Node (PeerProfile.swift), NodeRuntime (RuntimeFrame.swift) and
# Transport (the hello, the chunk header, and what they use).
#
# libFuzzer reads the committed seeds in Fuzz/corpus/TARGET but writes what it finds into
# .build/fuzz/corpus/TARGET, which later runs start from too (FUZZ_FRESH=1 empties it first). A
# finding (a crash, a trap, a precondition, an ASan report, a leak, a single allocation over
# FUZZ_MALLOC_LIMIT_MB, an input running over 10 s) stops that target, leaves the input in
# .build/fuzz/findings/TARGET/ and makes this script exit 1 once every target has run.
set -eu

cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_MALLOC_LIMIT_MB=${FUZZ_MALLOC_LIMIT_MB:-32}
OUT=.build/fuzz
ALL_TARGETS="message runtime-frame hello chunk-header"

mode=fuzz
case "${1:-}" in
  --build) mode=build; shift ;;
  --write-seeds) mode=seeds; shift ;;
esac
targets=${*:-$ALL_TARGETS}

# The sources of each module, in dependency order.
module_sources() {
  case "$1" in
    Identity) echo Sources/Identity/*.swift ;;
    Wire) echo Sources/Wire/*.swift ;;
    Coordination) echo Sources/Coordination/Timestamps.swift ;;
    Node) echo Sources/Node/PeerProfile.swift ;;
    NodeRuntime) echo Sources/NodeRuntime/RuntimeFrame.swift ;;
    Transport)
      for file in Hello HelloRefusal ProjectID CurvePublicKey TransportFrameKind ChunkHeader \
        TransportLimits WireCoder+FixedBytes; do
        echo "Sources/Transport/$file.swift"
      done
      ;;
  esac
}

# The modules each target links, in dependency order; its entry file; its longest input.
target_modules() {
  case "$1" in
    message) echo Identity Wire ;;
    runtime-frame) echo Identity Wire Coordination Node NodeRuntime ;;
    hello | chunk-header) echo Identity Wire Transport ;;
    *) echo "unknown fuzz target: $1 (targets: $ALL_TARGETS)" >&2; exit 2 ;;
  esac
}
target_entry() {
  case "$1" in
    message) echo Fuzz/Targets/MessageFuzz.swift ;;
    runtime-frame) echo Fuzz/Targets/RuntimeFrameFuzz.swift ;;
    hello) echo Fuzz/Targets/HelloFuzz.swift ;;
    chunk-header) echo Fuzz/Targets/ChunkHeaderFuzz.swift ;;
  esac
}
# The source files a target is about, for its coverage figure.
target_focus() {
  case "$1" in
    message) echo "Sources/Wire/" ;;
    runtime-frame) echo "Sources/NodeRuntime/RuntimeFrame.swift" ;;
    hello) echo "Sources/Transport/Hello" ;;
    chunk-header) echo "Sources/Transport/ChunkHeader.swift" ;;
  esac
}
target_max_length() {
  case "$1" in
    message | runtime-frame) echo 16384 ;;
    hello) echo 512 ;;
    chunk-header) echo 64 ;;
  esac
}

# Optimised like a release build (preconditions and overflow checks stay on), with debug
# information for the stack traces of findings.
SWIFT_FLAGS="-swift-version 6 -parse-as-library -O -g -sanitize=fuzzer,address \
  -I $OUT/modules -I Sources/CSodium -I Sources/CZMQ"

# Whether $1 is missing or older than any of the other files.
is_stale() {
  output=$1
  shift
  [ ! -e "$output" ] || [ -n "$(find "$@" -newer "$output" 2>/dev/null | head -n 1)" ]
}

build_module() {
  module=$1
  shift
  object=$OUT/objects/$module.o
  # shellcheck disable=SC2046
  if is_stale "$object" $(module_sources "$module") "$@"; then
    echo "fuzz: compiling $module"
    # shellcheck disable=SC2086,SC2046
    "$SWIFTC" $SWIFT_FLAGS -module-name "$module" -wmo \
      -emit-module -emit-module-path "$OUT/modules/$module.swiftmodule" \
      -c -o "$object" $(module_sources "$module")
  fi
}

build_target() {
  target=$1
  binary=$OUT/bin/$target
  objects=""
  for module in $(target_modules "$target"); do
    # A module depends on every module before it in the list.
    # shellcheck disable=SC2086
    build_module "$module" $objects
    objects="$objects $OUT/objects/$module.o"
  done
  # shellcheck disable=SC2086
  if is_stale "$binary" "$(target_entry "$target")" Fuzz/Targets/FuzzSupport.swift $objects; then
    echo "fuzz: linking $target"
    # shellcheck disable=SC2086
    "$SWIFTC" $SWIFT_FLAGS -module-name FuzzTarget -o "$binary" \
      -use-ld=lld "$(target_entry "$target")" Fuzz/Targets/FuzzSupport.swift $objects \
      -lsodium -lzmq
  fi
}

# Edges covered by the corpus (committed seeds and what the run found), per source file:
# libFuzzer's -print_coverage over the corpus, summed by the file of each instrumented function.
# Functions are counted where they are defined, after inlining: a decoder inlined into its caller
# counts in the caller's file.
measure_coverage() {
  target=$1
  "$OUT/bin/$target" -runs=0 -print_coverage=1 "$OUT/corpus/$target" "Fuzz/corpus/$target" \
    >"$OUT/logs/$target.coverage-raw" 2>&1 || true
  awk '/^(UN)?COVERED_FUNC/ {
      split($5, edges, "/"); path = $NF; sub(/:[0-9]+$/, "", path)
      if (path ~ /\/Sources\//) {
        sub(/.*\/Sources\//, "Sources/", path); covered[path] += edges[1]; total[path] += edges[2]
      }
    }
    END { for (path in total) printf "%s %d %d\n", path, covered[path], total[path] }' \
    "$OUT/logs/$target.coverage-raw" | sort >"$OUT/logs/$target.coverage"
}

# One line of figures from a libFuzzer log: executions, executions per second, coverage.
summarize() {
  target=$1
  log=$2
  status=$3
  focus=$(target_focus "$target")
  edges=$(awk -v focus="$focus" 'index($1, focus) == 1 { covered += $2; total += $3 }
    END { printf "%d/%d", covered, total }' "$OUT/logs/$target.coverage")
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1)
  printf '%-13s %-8s executions %s, %s exec/s, %s, new units %s, peak RSS %s MB, ' \
    "$target" "$status" "${executions:-?}" "${rate:-?}" "${coverage:-cov: ?}" \
    "${new_units:-?}" "${rss:-?}"
  printf 'edges in %s*: %s\n' "$focus" "$edges"
}

mkdir -p "$OUT/modules" "$OUT/objects" "$OUT/bin" "$OUT/logs"
for target in $targets; do build_target "$target"; done

case "$mode" in
  build) exit 0 ;;
  seeds)
    for target in $targets; do
      mkdir -p "Fuzz/corpus/$target"
      STARLING_FUZZ_WRITE_SEEDS="Fuzz/corpus/$target" "$OUT/bin/$target" -runs=0
    done
    exit 0
    ;;
esac

symbolizer=$(dirname "$(command -v "$SWIFTC")")/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
# Swift's own crash backtracer would run inside the crashed, instrumented process (ASan then
# reports the backtracer); without it, a trap reaches libFuzzer's handler, which writes the input
# and a symbolised stack. An -O build prints no precondition message: the stack names the line.
export SWIFT_BACKTRACE=enable=no

failed=""
: >"$OUT/summary.txt"
for target in $targets; do
  corpus=$OUT/corpus/$target
  findings=$OUT/findings/$target
  log=$OUT/logs/$target.log
  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $target for $FUZZ_SECONDS s (log: $log)"
  status=ok
  "$OUT/bin/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb="$FUZZ_MALLOC_LIMIT_MB" -max_len="$(target_max_length "$target")" \
    -print_final_stats=1 -artifact_prefix="$findings/" \
    "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=FINDING
  if [ "$status" != ok ]; then
    failed="$failed $target"
    grep -E "^(==[0-9]+==|SUMMARY|Test unit written)| in .*($PWD|runtime failure)" "$log" | head -n 20
  fi
  measure_coverage "$target"
  summarize "$target" "$log" "$status" | tee -a "$OUT/summary.txt"
done

if [ -n "$failed" ]; then
  echo "fuzz: findings in:$failed (inputs in $OUT/findings/, logs in $OUT/logs/)" >&2
  exit 1
fi
echo "fuzz: no findings (summary in $OUT/summary.txt)"
