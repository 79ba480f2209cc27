#!/usr/bin/env bash
# `make bench`: Starling against PyTorch, side by side (see BENCHMARKS.md).
# Needs the PyTorch venv of shared/bench/README.md:
#   python3 -m venv /tmp/peers && /tmp/peers/bin/pip install torch numpy
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PEERS_PYTHON:-/tmp/peers/bin/python}
if ! "$PYTHON" -c "import torch" 2>/dev/null; then
  echo "PyTorch not found at $PYTHON; set PEERS_PYTHON or install it (see BENCHMARKS.md)." >&2
  exit 1
fi
mkdir -p Benchmarks/results
python3 Benchmarks/compare_pytorch.py --python "$PYTHON" "$@" | tee "Benchmarks/results/compare-$(date +%Y%m%d-%H%M%S).txt"
