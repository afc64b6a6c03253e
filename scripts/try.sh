#!/usr/bin/env bash
# Try a deployment without an AWS account: deploys a shipped stack (by
# default `serverless`: HTTP API, SQS, Lambda, DynamoDB, S3, EventBridge; or
# `webapp` or `financial`) to a moto server on 127.0.0.1 with the real
# terraform and AWS provider, reads its outputs, shows that a second plan has
# nothing to do, and destroys it. Nothing leaves this machine: the
# provider's every endpoint is the local emulator, with throwaway
# credentials and the metadata service off, and providers come from the
# plugin directory. The emulator gets what an account would have (managed
# IAM policies; for HTTPS stacks, a certificate for their domain), and the
# stack's deletion protections are lifted by a teardown override
# (scripts/e2e/teardown/) so that it can be destroyed again.
#
# Usage: scripts/try.sh [serverless|webapp|financial]
#
# Needs terraform and a provider plugin directory (TFSYNTH_PLUGIN_DIR, or
# one found on disk), and Python 3 with venv for moto (installed from PyPI
# into target/e2e-venv on the first run).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

stack="${1:-serverless}"
case "$stack" in
  serverless | webapp | financial) ;;
  *)
    echo "error: try-out: no stack $stack to try (use serverless, webapp or financial)"
    exit 2
    ;;
esac
if ! tfsynth_locate_terraform; then
  echo "error: try-out: terraform and the AWS provider are needed (see above)"
  exit 1
fi
echo "== moto $TFSYNTH_MOTO_VERSION in $TFSYNTH_MOTO_VENV (installed on the first run)"
tfsynth_moto_venv
cargo build --locked --quiet --bin tfsynth
TFSYNTH="$PWD/target/debug/tfsynth"

work=$(mktemp -d)
cleanup() {
  tfsynth_stop_moto
  rm -rf "$work"
}
trap cleanup EXIT
tfsynth_start_moto "$work/moto.log"
echo "== moto is listening on $MOTO_ENDPOINT"
export TF_CLI_CONFIG_FILE=/dev/null
tfsynth() {
  "$TFSYNTH" --out "$work/out" --config "$PWD/tfsynth.toml" \
    --set "$stack.emulator_endpoint=$MOTO_ENDPOINT" "$@"
}
step() {
  local name="$1"
  shift
  if ! "$@" > "$work/$name.log" 2>&1; then
    tail -40 "$work/$name.log"
    echo "error: try-out: $name failed (the lines above are its end)"
    exit 1
  fi
}

start=$SECONDS
echo "== tfsynth synth $stack"
tfsynth synth "$stack"
tfsynth_emulator_certificate tfsynth "$stack"
tfsynth_emulator_teardown "$work/out/$stack" "$stack"
echo "== tfsynth apply $stack --auto-approve"
step apply tfsynth apply "$stack" --auto-approve --skip-synth
grep -E '^Apply complete!' "$work/apply.log"
echo "== tfsynth output $stack"
tfsynth output "$stack"
echo "== tfsynth plan $stack (nothing to change)"
if ! tfsynth plan "$stack" --skip-synth -- -detailed-exitcode > "$work/plan.log" 2>&1; then
  grep -E '^\s+[~+-] |will be|Plan:|Error' "$work/plan.log" | head -40
  echo "error: try-out: the plan after apply is not empty"
  exit 1
fi
grep -E '^No changes' "$work/plan.log"
echo "== tfsynth destroy $stack --auto-approve"
step destroy tfsynth destroy "$stack" --auto-approve --skip-synth
grep -E '^Destroy complete!' "$work/destroy.log"
left=$("$TFSYNTH_TERRAFORM" -chdir="$work/out/$stack" state list | wc -l)
if [ "$left" -ne 0 ]; then
  echo "error: try-out: $left resources are still in the state after destroy"
  exit 1
fi
echo "try-out: $stack applied, read back, unchanged on a second plan and destroyed in $((SECONDS - start)) s"
