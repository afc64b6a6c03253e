#!/usr/bin/env bash
# Takes the AWS provider's whole schema with terraform (offline, from the
# provider plugin directory) into crates/aws/schema.jsonl, maps every type to
# its service (crates/aws/services.txt), and regenerates the bindings.
# Terraform is needed only here; generation and validation then run offline.
#
# Usage: scripts/update-schema.sh [VERSION]   (default: the version in crates/aws/schema.jsonl)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

version="${1:-$(head -n 1 crates/aws/schema.jsonl | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[2]["version"])')}"
tfsynth_locate_terraform >&2 || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/main.tf.json" <<JSON
{"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "$version"}}}}
JSON
TF_CLI_CONFIG_FILE=/dev/null "$TFSYNTH_TERRAFORM" -chdir="$work" init -input=false -no-color \
  -plugin-dir="$TFSYNTH_PLUGIN_DIR" >/dev/null
TF_CLI_CONFIG_FILE=/dev/null "$TFSYNTH_TERRAFORM" -chdir="$work" providers schema -json > "$work/full.json"
cargo run -q -p tfsynth-codegen -- import "$work/full.json" registry.terraform.io/hashicorp/aws "$version" crates/aws/schema.jsonl
python3 scripts/aws_services.py crates/aws/schema.jsonl crates/aws/services.txt
cargo run -q --release -p tfsynth-codegen -- generate crates/aws
echo "crates/aws: AWS provider $version, $(grep -c '^\["resource"' crates/aws/schema.jsonl) resources, $(grep -c '^\["data"' crates/aws/schema.jsonl) data sources"
