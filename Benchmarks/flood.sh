#!/usr/bin/env bash
# `make flood-bench`: honest rounds with and without a flood of 1,000 connection attempts a
# second and 200 Sybil identities without proof of work (issue 12), in one session, alternating
# RUNS times. 8 `starling node` processes on loopback train cnn-small (Examples/cluster-flood.json);
# the attacker dials every listener from 127.0.0.2, each attempt by FLOOD_KIND (replay, the
# default: a raw TCP connection that replays a CurveZMQ hello; client: a ZeroMQ CURVE client).
# Prints each run's median round time and the ratio of the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
STARLING=${STARLING:-.build/release/starling}
RUNS=${RUNS:-2}
FLOOD_KIND=${FLOOD_KIND:-replay}
# FLOOD_SOURCES=N: the flood comes from N addresses of 127.0.1.0/24 instead of 127.0.0.2.
FLOOD_SOURCES=${FLOOD_SOURCES:-}
CONFIG=${CONFIG:-Examples/cluster-flood.json}
mkdir -p Benchmarks/results
out="Benchmarks/results/flood-$(date +%Y%m%d-%H%M%S).txt"
for run in $(seq 1 "$RUNS"); do
  for mode in quiet flood; do
    args=()
    if [ "$mode" = flood ]; then args=(--flood 1000 --sybils 200 --flood-kind "$FLOOD_KIND")
      if [ -n "$FLOOD_SOURCES" ]; then args+=(--flood-sources "$FLOOD_SOURCES"); fi
    fi
    "$STARLING" cluster --config "$CONFIG" --dir .build/flood-bench \
      --quiet --json "${args[@]}" | tail -1 | sed "s/^/$mode $run /" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = {"quiet": [], "flood": []}
for line in open(sys.argv[1]):
    mode, _, text = line.split(" ", 2)
    rows[mode].append(json.loads(text))
for mode, runs in rows.items():
    rounds = [r["roundSecondsMedian"] for r in runs]
    print(f"{mode}: median round {statistics.median(rounds):.2f} s over {len(runs)} runs {rounds}; "
          f"final accuracy {[r['finalAccuracy'] for r in runs]}; "
          f"attempts/s {[round(r['floodAttemptsPerSecond']) for r in runs]}; "
          f"hellos written {[r.get('floodHellosSent', 0) for r in runs]} of {[r['floodAttempts'] for r in runs]}; "
          f"sybils {[r['sybils'] for r in runs]}; "
          f"CPU s: nodes {[round(r['nodesCPUSeconds'], 1) for r in runs]}, "
          f"harness and attacker {[round(r['harnessCPUSeconds'], 1) for r in runs]}; "
          f"run s {[round(r['seconds'], 1) for r in runs]}")
quiet = statistics.median(r["roundSecondsMedian"] for r in rows["quiet"])
flood = statistics.median(r["roundSecondsMedian"] for r in rows["flood"])
print(f"flood / quiet median round time: {flood / quiet:.3f}")
PY
