#!/usr/bin/env bash
# The compile-time budget: cold builds of the engine (the baseline), the
# tfsynth binary with default features, an incremental rebuild, and every
# AWS type (`--features full`), with wall time and peak memory of each.
# Usage: scripts/build-times.sh [--quick]   (--quick: no release builds)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/build_times.py "$@"
