#!/usr/bin/env bash
# The full test suite: unit, CLI, snapshot, example and real-terraform tests,
# bounded fuzzing, the checkov security scan, the end-to-end deployment and
# the README's try-out.
# When terraform and the AWS provider mirror are found, the tests that need
# them are required to run; otherwise they print "skipped: <reason>".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if tfsynth_locate_terraform; then
  export TFSYNTH_REQUIRE_TERRAFORM=1
  have_terraform=1
else
  echo "skipped: real-terraform tests will skip (see the reason above)"
  have_terraform=0
fi

cargo test --workspace --locked

# Bounded fuzzing: the property tests again with many more random inputs.
PROPTEST_CASES=5000 cargo test --locked --test main fuzz

# Security policy: checkov over both stacks, zero failed checks.
scripts/checkov.sh

# The end-to-end deployment test (skips itself without terraform).
scripts/e2e.sh

# The README's try-out: the serverless stack deployed to moto and destroyed.
if [ "$have_terraform" = 1 ]; then
  scripts/try.sh
else
  echo "skipped: try-out: terraform or the provider mirror is missing (see above)"
fi
