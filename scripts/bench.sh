#!/usr/bin/env bash
# Runs the benchmarks and prints Markdown tables of medians and ratios, each
# against a baseline measured in the same run. Builds the release binaries
# first. Usage: scripts/bench.sh [--baseline REV] [validate] [synth] [scaling]
# (default: all). --baseline REV also builds tfsynth at git revision REV (in
# target/baseline/) and times its validate on the same files.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
tfsynth_locate_terraform >&2 || { echo "skipped: the benchmarks compare with terraform, which is not available" >&2; exit 0; }
if [ "${1:-}" = "--baseline" ]; then
  rev="$2"
  shift 2
  tree="target/baseline/$rev"
  if [ ! -x "$tree/target/release/tfsynth" ]; then
    rm -rf "$tree"
    mkdir -p "$tree"
    git archive "$rev" | tar -x -C "$tree"
    (cd "$tree" && CARGO_TARGET_DIR="$PWD/target" cargo build --release --locked --quiet --bin tfsynth)
  fi
  export TFSYNTH_BASELINE="$PWD/$tree/target/release/tfsynth"
fi
cargo build --release --locked --quiet --bin tfsynth --example scale
python3 scripts/bench.py "$@"
