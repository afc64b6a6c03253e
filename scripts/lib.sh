# Shared shell helpers for scripts/ and .ci/run. Source it; it defines functions only.

# Finds terraform and the AWS provider plugin directory (the folder that holds
# registry.terraform.io/) and exports TFSYNTH_TERRAFORM and TFSYNTH_PLUGIN_DIR.
# An already-set TFSYNTH_PLUGIN_DIR wins; otherwise the file system is searched
# for the provider binary. Returns 1, after saying why, when either is missing.
tfsynth_locate_terraform() {
  local tf="${TFSYNTH_TERRAFORM:-terraform}"
  if ! command -v "$tf" >/dev/null 2>&1; then
    echo "terraform: not found (set TFSYNTH_TERRAFORM or put terraform on PATH)"
    return 1
  fi
  export TFSYNTH_TERRAFORM="$(command -v "$tf")"
  if [ -z "${TFSYNTH_PLUGIN_DIR:-}" ]; then
    local provider
    provider=$(timeout 120 find / \( -path /proc -o -path /sys -o -path /dev -o -path /run \) -prune \
      -o -type f -name 'terraform-provider-aws_*' -path '*/registry.terraform.io/hashicorp/aws/*' -print -quit 2>/dev/null || true)
    if [ -z "$provider" ]; then
      echo "provider mirror: no terraform-provider-aws binary found (set TFSYNTH_PLUGIN_DIR)"
      return 1
    fi
    # <dir>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/<binary>
    export TFSYNTH_PLUGIN_DIR="$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$provider")")")")")")"
  fi
  if [ ! -d "$TFSYNTH_PLUGIN_DIR/registry.terraform.io" ]; then
    echo "provider mirror: $TFSYNTH_PLUGIN_DIR has no registry.terraform.io folder"
    return 1
  fi
  echo "terraform: $("$TFSYNTH_TERRAFORM" version 2>/dev/null | head -n 1) at $TFSYNTH_TERRAFORM; provider mirror: $TFSYNTH_PLUGIN_DIR"
}
