#!/usr/bin/env bash
# Pulls the AWS provider schema with terraform (offline, from the provider
# plugin directory), extracts the types listed in schema/aws.types into the
# committed schema/aws.json, and regenerates the typed bindings in crates/aws/src/.
#
# Usage: scripts/update-schema.sh [resource TYPE | data TYPE]...
#   With arguments, the types are first added to schema/aws.types.
#   Example: scripts/update-schema.sh resource aws_sqs_queue data aws_vpc_endpoint_service
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if (( $# % 2 )); then
  echo "error: arguments come in pairs: resource TYPE or data TYPE" >&2
  exit 2
fi
while (( $# )); do
  case "$1" in
    resource|data) ;;
    *) echo "error: '$1' is not 'resource' or 'data'" >&2; exit 2 ;;
  esac
  line="$1 $2"
  grep -qxF "$line" schema/aws.types || echo "$line" >> schema/aws.types
  shift 2
done

tfsynth_locate_terraform >&2 || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(python3 -c "import json; print(json.load(open('schema/provider-version.json'))['aws'])")
cat > "$work/main.tf.json" <<JSON
{"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "$version"}}}}
JSON
TF_CLI_CONFIG_FILE=/dev/null "$TFSYNTH_TERRAFORM" -chdir="$work" init -input=false -no-color \
  -plugin-dir="$TFSYNTH_PLUGIN_DIR" >/dev/null
TF_CLI_CONFIG_FILE=/dev/null "$TFSYNTH_TERRAFORM" -chdir="$work" providers schema -json > "$work/full.json"
python3 scripts/extract_schema.py "$work/full.json" schema/aws.types schema/aws.json schema/aws.names
cargo run -q -p tfsynth-codegen
