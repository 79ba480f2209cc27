#!/bin/sh
# libFuzzer over Starling's decoders of untrusted bytes (docs/fuzzing.md).
#
#   Fuzz/run.sh [TARGET...]          build, then fuzz each target for FUZZ_SECONDS (default 60)
#   Fuzz/run.sh --build [TARGET...]  build only
#   Fuzz/run.sh --coverage [TARGET...]
#                                    line coverage of the corpus (committed seeds and what earlier
#                                    runs found), from a second build with llvm-cov's mapping
#   Fuzz/run.sh --write-seeds        build, then rewrite the committed seeds (Fuzz/corpus/)
#
# Targets: message, runtime-frame, hello, chunk-header, contact (all by default).
#
# Everything is compiled with swiftc straight from Sources/ into .build/fuzz (SwiftPM's build is
# not touched): each module the targets need, with -sanitize=fuzzer,address, then one binary per
# target. Four modules are compiled from the subset of their files that the decoders need, so
# that a fuzz build compiles neither the node, the BLAS kernels nor the ZeroMQ loop: Coordination
# (Timestamps.swift), Node (PeerProfile.swift), NodeRuntime (RuntimeFrame.swift) and Transport
# (the hello, the chunk header, contacts, and what they use).
#
# libFuzzer reads the committed seeds in Fuzz/corpus/TARGET but writes what it finds into
# .build/fuzz/corpus/TARGET, which later runs start from too (FUZZ_FRESH=1 empties it first). A
# finding (a crash, a trap, a failed precondition, an ASan report, a leak, one allocation over
# FUZZ_MALLOC_LIMIT_MB, an input that runs over 10 s) stops that target, leaves the input in
# .build/fuzz/findings/TARGET/ and makes this script exit 1 once every target has run.
set -eu

cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_MALLOC_LIMIT_MB=${FUZZ_MALLOC_LIMIT_MB:-32}
OUT=.build/fuzz
ALL_TARGETS="message runtime-frame hello chunk-header contact"

mode=fuzz
case "${1:-}" in
  --build) mode=build; shift ;;
  --coverage) mode=coverage; shift ;;
  --write-seeds) mode=seeds; shift ;;
esac
targets=${*:-$ALL_TARGETS}

# Optimised like a release build (preconditions and overflow checks stay on), with debug
# information for the stack traces of findings. The coverage build swaps AddressSanitizer for
# llvm-cov's instrumentation; it keeps libFuzzer for its driver, which replays the corpus.
if [ "$mode" = coverage ]; then
  BUILD=$OUT/coverage
  INSTRUMENTATION="-sanitize=fuzzer -profile-generate -profile-coverage-mapping"
else
  BUILD=$OUT
  INSTRUMENTATION="-sanitize=fuzzer,address"
fi
SWIFT_FLAGS="-swift-version 6 -parse-as-library -O -g $INSTRUMENTATION \
  -I $BUILD/modules -I Sources/CSodium -I Sources/CZMQ"

# The sources of each module.
module_sources() {
  case "$1" in
    Identity) echo Sources/Identity/*.swift ;;
    Wire) echo Sources/Wire/*.swift ;;
    Coordination) echo Sources/Coordination/Timestamps.swift ;;
    Node) echo Sources/Node/PeerProfile.swift ;;
    NodeRuntime) echo Sources/NodeRuntime/RuntimeFrame.swift ;;
    Transport)
      for file in Hello HelloRefusal ProjectID CurvePublicKey TransportFrameKind ChunkHeader \
        TransportLimits Contact ContactError NetworkAddress; do
        echo "Sources/Transport/$file.swift"
      done
      ;;
  esac
}

# The modules each target links, in dependency order.
target_modules() {
  case "$1" in
    message) echo Identity Wire ;;
    runtime-frame) echo Identity Wire Coordination Node NodeRuntime ;;
    hello | chunk-header | contact) echo Identity Wire Transport ;;
    *) echo "unknown fuzz target: $1 (targets: $ALL_TARGETS)" >&2; exit 2 ;;
  esac
}

target_entry() {
  case "$1" in
    message) echo Fuzz/Targets/MessageFuzz.swift ;;
    runtime-frame) echo Fuzz/Targets/RuntimeFrameFuzz.swift ;;
    hello) echo Fuzz/Targets/HelloFuzz.swift ;;
    chunk-header) echo Fuzz/Targets/ChunkHeaderFuzz.swift ;;
    contact) echo Fuzz/Targets/ContactFuzz.swift ;;
  esac
}

# The longest input libFuzzer makes for each target.
target_max_length() {
  case "$1" in
    message | runtime-frame) echo 16384 ;;
    hello | contact) echo 512 ;;
    chunk-header) echo 64 ;;
  esac
}

# The source files whose line coverage a target reports.
target_focus() {
  case "$1" in
    message) echo Sources/Wire/*+WireCodable.swift Sources/Wire/WireCodable.swift \
      Sources/Wire/WireDecoder.swift ;;
    runtime-frame) echo Sources/NodeRuntime/RuntimeFrame.swift ;;
    hello) echo Sources/Transport/Hello.swift Sources/Transport/HelloRefusal.swift ;;
    chunk-header) echo Sources/Transport/ChunkHeader.swift ;;
    contact) echo Sources/Transport/Contact.swift Sources/Transport/ContactError.swift \
      Sources/Transport/NetworkAddress.swift ;;
  esac
}

# Whether $1 is missing or older than any of the other files.
is_stale() {
  output=$1
  shift
  [ ! -e "$output" ] || [ -n "$(find "$@" -newer "$output" 2>/dev/null | head -n 1)" ]
}

# Compiles one module; the remaining arguments are the objects of the modules it imports.
build_module() {
  module=$1
  shift
  object=$BUILD/objects/$module.o
  # The command is kept beside the object, so that a changed file list or flag rebuilds it too.
  command="$SWIFTC $SWIFT_FLAGS -module-name $module -wmo \
    -emit-module -emit-module-path $BUILD/modules/$module.swiftmodule \
    -c -o $object $(module_sources "$module")"
  # shellcheck disable=SC2046
  if is_stale "$object" $(module_sources "$module") "$@" \
    || [ "$command" != "$(cat "$object.command" 2>/dev/null)" ]; then
    echo "fuzz: compiling $module"
    $command
    echo "$command" >"$object.command"
  fi
}

build_target() {
  target=$1
  binary=$BUILD/bin/$target
  objects=""
  for module in $(target_modules "$target"); do
    # A module may import any module before it in the list.
    # shellcheck disable=SC2086
    build_module "$module" $objects
    objects="$objects $BUILD/objects/$module.o"
  done
  command="$SWIFTC $SWIFT_FLAGS -module-name FuzzTarget -o $binary -use-ld=lld \
    $(target_entry "$target") Fuzz/Targets/FuzzSupport.swift $objects -lsodium -lzmq"
  # shellcheck disable=SC2086
  if is_stale "$binary" "$(target_entry "$target")" Fuzz/Targets/FuzzSupport.swift $objects \
    || [ "$command" != "$(cat "$binary.command" 2>/dev/null)" ]; then
    echo "fuzz: linking $target"
    $command
    echo "$command" >"$binary.command"
  fi
}

# One line of figures from a libFuzzer log.
summarize() {
  target=$1
  log=$2
  status=$3
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1)
  printf '%-13s %-7s %s executions, %s exec/s, %s, %s new units, peak RSS %s MB\n' \
    "$target" "$status" "${executions:-?}" "${rate:-?}" "${coverage:-cov: ?}" \
    "${new_units:-?}" "${rss:-?}"
}

# Line coverage of what the corpus reaches in the target's own sources.
report_coverage() {
  target=$1
  tools=$(dirname "$(command -v "$SWIFTC")")
  profiles=$BUILD/profiles
  mkdir -p "$profiles"
  rm -f "$profiles/$target".*
  mkdir -p "$OUT/corpus/$target"
  LLVM_PROFILE_FILE="$profiles/$target.profraw" "$BUILD/bin/$target" -runs=0 \
    "$OUT/corpus/$target" "Fuzz/corpus/$target" >"$OUT/logs/$target.coverage-run" 2>&1
  "$tools/llvm-profdata" merge -sparse -o "$profiles/$target.profdata" \
    "$profiles/$target.profraw"
  echo "fuzz: line coverage of $target ($(ls "$OUT/corpus/$target" | wc -l) found and" \
    "$(ls "Fuzz/corpus/$target" | wc -l) committed inputs)"
  # shellcheck disable=SC2046
  "$tools/llvm-cov" report "$BUILD/bin/$target" -instr-profile="$profiles/$target.profdata" \
    $(target_focus "$target") | tee "$OUT/logs/$target.coverage"
  # shellcheck disable=SC2046
  "$tools/llvm-cov" show "$BUILD/bin/$target" -instr-profile="$profiles/$target.profdata" \
    $(target_focus "$target") >"$OUT/logs/$target.coverage-lines"
}

mkdir -p "$BUILD/modules" "$BUILD/objects" "$BUILD/bin" "$OUT/logs"
for target in $targets; do build_target "$target"; done

case "$mode" in
  build) exit 0 ;;
  coverage)
    for target in $targets; do report_coverage "$target"; done
    echo "fuzz: uncovered lines in $OUT/logs/TARGET.coverage-lines (count 0)"
    exit 0
    ;;
  seeds)
    for target in $targets; do
      mkdir -p "Fuzz/corpus/$target"
      STARLING_FUZZ_WRITE_SEEDS="Fuzz/corpus/$target" "$BUILD/bin/$target" -runs=0
    done
    exit 0
    ;;
esac

symbolizer=$(dirname "$(command -v "$SWIFTC")")/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"
# Swift's own crash backtracer would run inside the crashed, instrumented process (and ASan then
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
  "$BUILD/bin/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb="$FUZZ_MALLOC_LIMIT_MB" -max_len="$(target_max_length "$target")" \
    -print_final_stats=1 -artifact_prefix="$findings/" \
    "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=FINDING
  if [ "$status" != ok ]; then
    failed="$failed $target"
    grep -E "^(==[0-9]+==|SUMMARY|Test unit written)| in .*($PWD|runtime failure)" "$log" \
      | head -n 20
  fi
  summarize "$target" "$log" "$status" | tee -a "$OUT/summary.txt"
done

if [ -n "$failed" ]; then
  echo "fuzz: findings in:$failed (inputs in $OUT/findings/, logs in $OUT/logs/)" >&2
  exit 1
fi
echo "fuzz: no findings (summary in $OUT/summary.txt)"
