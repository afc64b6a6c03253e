#!/usr/bin/env bash
# End-to-end deployment test: the real terraform and AWS provider, against a
# moto server on 127.0.0.1, driven only through tfsynth commands. For each of
# `webapp` and `financial`: tfsynth plan with checkov over the plan's JSON
# (scripts/checkov.sh --plan), tfsynth apply --auto-approve, verification through
# the AWS API (scripts/e2e/verify.py), every output present, tfsynth plan
# showing no changes, tfsynth destroy --auto-approve, and a check that
# nothing is left. moto is stopped by its pid, also on failure.
#
# Emulator gaps (moto 5.2.5 with terraform 1.11.4 and AWS provider 5.100.0),
# handled here and never by changing the stacks:
#   - AWS managed policies (AmazonSSMManagedInstanceCore,
#     AmazonRDSEnhancedMonitoringRole) exist only with
#     MOTO_IAM_LOAD_MANAGED_POLICIES=true: set when moto starts.
#   - skip_requesting_account_id stays false (moto answers STS); with it true
#     every security-group-to-group rule would drift.
#   - patched in scripts/e2e/moto_server.py, each explained there:
#     descriptions of rules whose peer is a security group; a launch
#     template's own tags copied into its data (a new version every apply);
#     scaling policies without Enabled and with an empty predictive block;
#     Performance Insights and its KMS key not reported; user-set DB
#     parameters without Source "user".
#   - S3 policies with "Principal": "*" get a 500 from moto; the stacks use
#     the equivalent {"AWS": "*"} everywhere.
#   - destroy needs deletion protection off and force_destroy on buckets that
#     received logs: terraform *_override.tf.json files next to the
#     synthesized output (see OVERRIDES below), which Terraform merges
#     attribute by attribute, so the stacks stay production-grade.
#   - HTTPS listeners need a certificate in ACM: the stacks look up the
#     issued certificate of their certificate_domain, so a self-signed one
#     for that domain is imported into moto's ACM first
#     (scripts/e2e/certificate.py), as an account would have one issued.
#   - moto reports every target healthy and does not apply launch template
#     settings to instances: the launch template itself is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# Sets TFSYNTH_TERRAFORM and TFSYNTH_PLUGIN_DIR in this shell: every init
# below installs providers from the plugin directory, never from a registry.
if ! tfsynth_locate_terraform > "${TMPDIR:-/tmp}/tfsynth-e2e-locate.$$"; then
  echo "skipped: e2e: $(cat "${TMPDIR:-/tmp}/tfsynth-e2e-locate.$$")"
  rm -f "${TMPDIR:-/tmp}/tfsynth-e2e-locate.$$"
  exit 0
fi
cat "${TMPDIR:-/tmp}/tfsynth-e2e-locate.$$"
rm -f "${TMPDIR:-/tmp}/tfsynth-e2e-locate.$$"
: "${TFSYNTH_PLUGIN_DIR:?the plugin directory must be set}"

MOTO_VERSION=5.2.5
BOTO3_VERSION=1.44.5
VENV=target/e2e-venv
start=$SECONDS
timing() { printf '  %-34s %4ds\n' "$1" "$2"; }
timings=()

if ! "$VENV/bin/python" -c "import moto, boto3; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" "boto3==$BOTO3_VERSION"
fi
timings+=("venv with moto $MOTO_VERSION:$((SECONDS - start))")

cargo build --locked --quiet --bin tfsynth
TFSYNTH="$PWD/target/debug/tfsynth"

work=$(mktemp -d)
port=$("$VENV/bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
endpoint="http://127.0.0.1:$port"
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$VENV/bin/python" scripts/e2e/moto_server.py -H 127.0.0.1 -p "$port" \
  > "$work/moto.log" 2>&1 &
moto_pid=$!
cleanup() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
  "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/')" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { cat "$work/moto.log"; echo "error: moto did not start"; exit 1; }
  sleep 0.1
done

# Credentials moto accepts; no request ever leaves 127.0.0.1.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true TF_CLI_CONFIG_FILE=/dev/null
tfsynth() { "$TFSYNTH" --out "$work/out" --config "$PWD/tfsynth.toml" --set "emulator_endpoint=$endpoint" "$@"; }

# What the emulator needs to destroy production-grade stacks; see the header.
OVERRIDES_webapp='{"resource": {
  "aws_lb": {"web": {"enable_deletion_protection": false}},
  "aws_s3_bucket": {"store_logs": {"force_destroy": true}}}}'
OVERRIDES_financial='{"resource": {
  "aws_db_instance": {"db": {"deletion_protection": false, "skip_final_snapshot": true}},
  "aws_lb": {"web": {"enable_deletion_protection": false}},
  "aws_s3_bucket": {"store_data": {"force_destroy": true}, "store_logs": {"force_destroy": true}}}}'

failed=0
for stack in webapp financial; do
  echo "== $stack"
  t=$SECONDS
  tfsynth synth "$stack" >/dev/null
  domain=$(tfsynth config "$stack" | sed -n 's/^  certificate_domain *= "\([^"]*\)".*/\1/p')
  if [ -n "$domain" ]; then
    "$VENV/bin/python" scripts/e2e/certificate.py "$endpoint" "$domain" > "$work/$stack-certificate"
  fi

  # checkov over the plan, where terraform has evaluated every expression
  # (the key policy's jsonencode, data source values); before the emulator
  # overrides below, so it sees the stack exactly as synthesized.
  t=$SECONDS
  tfsynth plan "$stack" --skip-synth > "$work/$stack-plan0.log" 2>&1 \
    || { tail -40 "$work/$stack-plan0.log"; echo "error: $stack: plan failed"; exit 1; }
  "$TFSYNTH_TERRAFORM" -chdir="$work/out/$stack" show -json tfsynth.tfplan > "$work/$stack-plan.json"
  rm -f "$work/out/$stack/tfsynth.tfplan"
  scripts/checkov.sh --plan "$work/$stack-plan.json" "$stack" || failed=1
  timings+=("$stack plan + checkov:$((SECONDS - t))")
  overrides="OVERRIDES_$stack"
  if [ -n "${!overrides:-}" ]; then
    printf '%s\n' "${!overrides}" > "$work/out/$stack/emulator_override.tf.json"
  fi
  tfsynth apply "$stack" --auto-approve --skip-synth > "$work/$stack-apply.log" 2>&1 \
    || { tail -40 "$work/$stack-apply.log"; echo "error: $stack: apply failed"; exit 1; }
  timings+=("$stack apply:$((SECONDS - t))")

  t=$SECONDS
  tfsynth output "$stack" --json > "$work/$stack-outputs.json"
  "$VENV/bin/python" scripts/e2e/verify.py "$stack" "$endpoint" "$work/$stack-outputs.json" || failed=1
  timings+=("$stack verify:$((SECONDS - t))")

  t=$SECONDS
  if tfsynth plan "$stack" --skip-synth -- -detailed-exitcode > "$work/$stack-plan.log" 2>&1; then
    echo "$stack: second plan shows no changes"
  else
    grep -E '^\s+[~+-] |will be|Plan:' "$work/$stack-plan.log" | head -40
    echo "FAIL $stack: the second plan is not empty"
    failed=1
  fi
  timings+=("$stack plan again:$((SECONDS - t))")

  t=$SECONDS
  tfsynth destroy "$stack" --auto-approve --skip-synth > "$work/$stack-destroy.log" 2>&1 \
    || { tail -40 "$work/$stack-destroy.log"; echo "error: $stack: destroy failed"; exit 1; }
  "$VENV/bin/python" scripts/e2e/verify.py "$stack" "$endpoint" --gone || failed=1
  timings+=("$stack destroy:$((SECONDS - t))")
done

echo "timings:"
for entry in "${timings[@]}"; do timing "${entry%%:*}" "${entry##*:}"; done
timing "total" "$((SECONDS - start))"
if [ "$failed" -ne 0 ]; then
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi
echo "e2e: 1 passed, 0 failed"
