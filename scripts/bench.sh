#!/usr/bin/env bash
# Runs the benchmarks and prints Markdown tables of medians and ratios, each
# against a baseline measured in the same run. Builds the release binaries
# first. Usage: scripts/bench.sh [validate] [synth] [scaling]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
tfsynth_locate_terraform >&2 || { echo "skipped: the benchmarks compare with terraform, which is not available" >&2; exit 0; }
cargo build --release --locked --quiet --bin tfsynth --example scale
python3 scripts/bench.py "$@"
