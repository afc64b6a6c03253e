#!/usr/bin/env bash
# End-to-end deployment test: the real terraform and AWS provider, against a
# moto server on 127.0.0.1, driven only through tfsynth commands. After the
# two stacks below: the many-stacks example with S3 state and locking, the
# HCL export's plans compared with the JSON's, and the testing helpers'
# plans. For each of
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
#     parameters without Source "user"; SQS policies re-serialized with spaces.
#   - S3 policies with "Principal": "*" get a 500 from moto; the stacks use
#     the equivalent {"AWS": "*"} everywhere.
#   - destroy needs deletion protection off and force_destroy on buckets that
#     received logs: terraform *_override.tf.json files next to the
#     synthesized output (scripts/e2e/teardown/<stack>.tf.json), which Terraform merges
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

start=$SECONDS
timing() { printf '  %-34s %4ds\n' "$1" "$2"; }
timings=()

tfsynth_moto_venv
timings+=("venv with moto $TFSYNTH_MOTO_VERSION:$((SECONDS - start))")
VENV=$TFSYNTH_MOTO_VENV

cargo build --locked --quiet --bin tfsynth
TFSYNTH="$PWD/target/debug/tfsynth"

work=$(mktemp -d)
cleanup() {
  tfsynth_stop_moto
  rm -rf "$work"
}
trap cleanup EXIT
tfsynth_start_moto "$work/moto.log"
endpoint=$MOTO_ENDPOINT
export TF_CLI_CONFIG_FILE=/dev/null
tfsynth() { "$TFSYNTH" --out "$work/out" --config "$PWD/tfsynth.toml" --set "emulator_endpoint=$endpoint" "$@"; }

failed=0
for stack in webapp financial; do
  echo "== $stack"
  t=$SECONDS
  tfsynth synth "$stack" >/dev/null
  tfsynth_emulator_certificate tfsynth "$stack"

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
  tfsynth_emulator_teardown "$work/out/$stack" "$stack"
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

# Many stacks with real remote state: the example's platform and service
# stacks, each with S3 state (use_lockfile) in a bucket created first,
# applied in order by `apply --all`, the service reading the platform's
# outputs from its state; a second apply refused by the platform's lock;
# both re-planned clean; destroyed in reverse, leaving the state bucket.
t=$SECONDS
cargo build --locked --quiet --example many_stacks
MANY="$PWD/target/debug/examples/many_stacks"
many_dir="$work/many"
mkdir -p "$many_dir"
state_bucket=e2e-terraform-state
"$VENV/bin/python" -c "import boto3, sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1').create_bucket(Bucket=sys.argv[2])" "$endpoint" "$state_bucket"
for stack in platform service; do
  cat >> "$many_dir/many_stacks.toml" <<TOML
[stacks.$stack]
emulator_endpoint = "$endpoint"
[stacks.$stack.backend]
type = "s3"
bucket = "$state_bucket"
key = "$stack/terraform.tfstate"
region = "us-east-1"
endpoint = "$endpoint"

TOML
done
many() { (cd "$many_dir" && MANY_STACKS_PLUGIN_DIR="$TFSYNTH_PLUGIN_DIR" MANY_STACKS_TERRAFORM="$TFSYNTH_TERRAFORM" "$MANY" "$@"); }
many_failed() { tail -30 "$1"; echo "FAIL many stacks: $2"; failed=1; }
# The reader planned before its producer has state: one clear line, exit 2.
missing="error: stack service reads the outputs of stack platform, which has no state yet at s3://$state_bucket/platform/terraform.tfstate (hint: apply platform first, or both: many_stacks apply platform service)"
many plan service > "$work/many-early.log" 2>&1 && code=0 || code=$?
if [ "$code" = 2 ] && [ "$(tail -1 "$work/many-early.log")" = "$missing" ]; then
  echo "many stacks: planning the reader before its producer names the missing state"
else
  many_failed "$work/many-early.log" "planning the reader first exited $code without the missing-state message"
fi
if many apply --all --auto-approve > "$work/many-apply.log" 2>&1; then
  if grep -Eq '^  platform +[0-9.]+ s +[1-9][0-9]* added, 0 changed, 0 destroyed +applied$' "$work/many-apply.log" \
      && grep -Eq '^service +\| Apply complete! Resources: [1-9]' "$work/many-apply.log"; then
    echo "many stacks: the summary counts what each stack applied; output lines name their stack"
  else
    many_failed "$work/many-apply.log" "the summary or the stack prefixes are missing"
  fi
  many output platform --json > "$work/many-platform.json"
  many output service --json > "$work/many-service.json"
  "$VENV/bin/python" scripts/e2e/verify_many.py "$endpoint" "$state_bucket" applied \
    "$work/many-platform.json" "$work/many-service.json" || failed=1
  # Another run holds the platform's state: its lock file refuses this one.
  "$VENV/bin/python" -c "import boto3, sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1').put_object(Bucket=sys.argv[2], Key='platform/terraform.tfstate.tflock', Body=b'{\"ID\":\"e2e\",\"Operation\":\"OperationTypeApply\",\"Who\":\"another-run\"}')" "$endpoint" "$state_bucket"
  if many apply platform --auto-approve > "$work/many-locked.log" 2>&1; then
    many_failed "$work/many-locked.log" "an apply went ahead while the state was locked"
  elif grep -q "Error acquiring the state lock" "$work/many-locked.log" && grep -q "another-run" "$work/many-locked.log"; then
    echo "many stacks: an apply while another holds the lock is refused, naming the holder"
  else
    many_failed "$work/many-locked.log" "the locked apply failed for another reason"
  fi
  "$VENV/bin/python" -c "import boto3, sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1').delete_object(Bucket=sys.argv[2], Key='platform/terraform.tfstate.tflock')" "$endpoint" "$state_bucket"
  if many plan --all -- -detailed-exitcode > "$work/many-plan.log" 2>&1 \
      && [ "$(grep -Ec '^  (platform|service) +[0-9.]+ s +no changes +planned$' "$work/many-plan.log")" = 2 ]; then
    echo "many stacks: both stacks re-plan with no changes"
  else
    many_failed "$work/many-plan.log" "a second plan is not empty"
  fi
  if many destroy --all --auto-approve > "$work/many-destroy.log" 2>&1 \
      && grep -q "==> service" "$work/many-destroy.log" \
      && [ "$(grep -n '==> ' "$work/many-destroy.log" | head -1 | grep -c service)" = 1 ]; then
    "$VENV/bin/python" scripts/e2e/verify_many.py "$endpoint" "$state_bucket" gone \
      "$work/many-platform.json" || failed=1
  else
    many_failed "$work/many-destroy.log" "destroy --all failed or did not start with the reader"
  fi
else
  many_failed "$work/many-apply.log" "apply --all failed"
fi
timings+=("many stacks with S3 state:$((SECONDS - t))")

# HCL export: each shipped stack written both ways plans exactly the same
# resource changes (terraform show -json of both saved plans, compared).
t=$SECONDS
for stack in demo webapp financial serverless; do
  for format in json hcl; do
    dir="$work/export-$format"
    if [ "$stack" = demo ]; then
      "$TFSYNTH" --out "$dir" synth demo --format "$format" > /dev/null
      sed "s|ENDPOINT|$endpoint|g" scripts/e2e/demo_emulator.tf.json > "$dir/demo/emulator_override.tf.json"
    else
      "$TFSYNTH" --out "$dir" --config "$PWD/tfsynth.toml" --set "emulator_endpoint=$endpoint" \
        synth "$stack" --format "$format" > /dev/null
    fi
    if ! { "$TFSYNTH_TERRAFORM" -chdir="$dir/$stack" init -input=false -no-color -plugin-dir="$TFSYNTH_PLUGIN_DIR" \
        && "$TFSYNTH_TERRAFORM" -chdir="$dir/$stack" plan -input=false -no-color -out=export.tfplan; } \
        > "$work/export-$format-$stack.log" 2>&1; then
      tail -30 "$work/export-$format-$stack.log"
      echo "FAIL $stack: the $format plan failed"
      failed=1
      continue 2
    fi
    "$TFSYNTH_TERRAFORM" -chdir="$dir/$stack" show -json export.tfplan > "$work/export-$format-$stack.json"
  done
  "$VENV/bin/python" scripts/e2e/compare_plans.py "$stack" \
    "$work/export-json-$stack.json" "$work/export-hcl-$stack.json" || failed=1
done
timings+=("HCL export plans:$((SECONDS - t))")

# The testing helpers' real plan against this emulator: the shipped storage
# module's test, and the test a scaffolded project (`tfsynth new`) ships.
t=$SECONDS
TFSYNTH_EMULATOR_ENDPOINT=$endpoint TFSYNTH_REQUIRE_EMULATOR=1 \
  cargo test --locked --quiet -p tfsynth-modules the_buckets_plan_against_an_emulator \
  > "$work/modules-plan.log" 2>&1 \
  || { tail -40 "$work/modules-plan.log"; echo "FAIL the storage module does not plan"; failed=1; }
"$TFSYNTH" new e2e_project --dir "$work/project" > /dev/null
user_target="$PWD/target/user-crates"
if (cd "$work/project" \
    && CARGO_TARGET_DIR="$user_target" E2E_PROJECT_EMULATOR_ENDPOINT=$endpoint \
      E2E_PROJECT_REQUIRE_EMULATOR=1 E2E_PROJECT_TERRAFORM=$TFSYNTH_TERRAFORM \
      E2E_PROJECT_PLUGIN_DIR=$TFSYNTH_PLUGIN_DIR \
      cargo test --offline --quiet the_stack_plans_against_an_emulator) > "$work/project-plan.log" 2>&1; then
  echo "testing helpers: the storage module and a new project plan against the emulator"
else
  tail -40 "$work/project-plan.log"
  echo "FAIL a new project's plan test"
  failed=1
fi
timings+=("testing helpers' plans:$((SECONDS - t))")

echo "timings:"
for entry in "${timings[@]}"; do timing "${entry%%:*}" "${entry##*:}"; done
timing "total" "$((SECONDS - start))"
if [ "$failed" -ne 0 ]; then
  echo "e2e: 0 passed, 1 failed"
  exit 1
fi
echo "e2e: 1 passed, 0 failed"
