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

# The moto version the emulator scripts pin, and where its venv lives.
TFSYNTH_MOTO_VERSION=5.2.5
TFSYNTH_BOTO3_VERSION=1.44.5
TFSYNTH_MOTO_VENV=target/e2e-venv

# Makes the virtual environment with moto and boto3 unless it is already there.
tfsynth_moto_venv() {
  if ! "$TFSYNTH_MOTO_VENV/bin/python" -c "import moto, boto3; assert moto.__version__ == '$TFSYNTH_MOTO_VERSION'" 2>/dev/null; then
    python3 -m venv "$TFSYNTH_MOTO_VENV"
    "$TFSYNTH_MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check \
      "moto[server]==$TFSYNTH_MOTO_VERSION" "boto3==$TFSYNTH_BOTO3_VERSION"
  fi
}

# Starts moto on a free port of 127.0.0.1, logging to $1, and waits until it
# answers. Sets MOTO_PID and MOTO_ENDPOINT, and the credentials moto accepts,
# with the metadata service off: no request ever leaves 127.0.0.1.
tfsynth_start_moto() {
  local log="$1" port
  port=$("$TFSYNTH_MOTO_VENV/bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  MOTO_ENDPOINT="http://127.0.0.1:$port"
  MOTO_IAM_LOAD_MANAGED_POLICIES=true "$TFSYNTH_MOTO_VENV/bin/python" scripts/e2e/moto_server.py \
    -H 127.0.0.1 -p "$port" > "$log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 100); do
    if "$TFSYNTH_MOTO_VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('$MOTO_ENDPOINT/moto-api/')" 2>/dev/null; then
      export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
      export AWS_EC2_METADATA_DISABLED=true
      return 0
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      cat "$log"
      echo "error: moto did not start"
      return 1
    fi
    sleep 0.1
  done
  echo "error: moto did not answer on $MOTO_ENDPOINT within 10 s"
  return 1
}

# Stops the moto server tfsynth_start_moto started.
tfsynth_stop_moto() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
}

# Puts the emulator's teardown override for stack $2 (scripts/e2e/teardown/)
# into its synthesized directory $1: terraform merges it over main.tf.json.
tfsynth_emulator_teardown() {
  local file="scripts/e2e/teardown/$2.tf.json"
  if [ -f "$file" ]; then
    cp "$file" "$1/emulator_override.tf.json"
  fi
}

# Imports a self-signed certificate for the certificate_domain of stack $2
# (configured through the tfsynth command $1) into moto's ACM, as an account
# would have one issued; does nothing for a stack without one.
tfsynth_emulator_certificate() {
  local domain
  domain=$("$1" config "$2" | sed -n 's/^  certificate_domain *= "\([^"]*\)".*/\1/p')
  if [ -n "$domain" ]; then
    "$TFSYNTH_MOTO_VENV/bin/python" scripts/e2e/certificate.py "$MOTO_ENDPOINT" "$domain" > /dev/null
  fi
}
