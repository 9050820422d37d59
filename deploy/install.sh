#!/usr/bin/env bash
# Installs the edgellm daemon on a Raspberry Pi (run as root from the repository, after ./build-arm.sh):
#   sudo deploy/install.sh [path/to/model.gguf]
#   sudo deploy/install.sh --pull SOURCE        # download the model first: edgellm pull --list, hf:..., llama3.2:1b
# Creates the edgellm system user, /etc/edgellm/edgellm.json (kept if present), /var/lib/edgellm/models,
# installs the binary and the systemd units, and starts the service.
set -euo pipefail
cd "$(dirname "$0")/.."
model_file="" pull_source=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pull) [ $# -ge 2 ] || { echo "install.sh: --pull needs a SOURCE (see edgellm pull --list)" >&2; exit 2; }; pull_source=$2; shift 2 ;;
    --pull=*) pull_source=${1#--pull=}; shift ;;
    -*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) model_file=$1; shift ;;
  esac
done
bin=artifacts/linux-arm64/edgellm
[ "$(uname -m)" = x86_64 ] && bin=artifacts/linux-x64/edgellm
[ -x "$bin" ] || { echo "install.sh: $bin missing; run ./build-arm.sh first" >&2; exit 1; }

id edgellm >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgellm --shell /usr/sbin/nologin --user-group edgellm
install -d -o root -g edgellm -m 0750 /etc/edgellm
install -d -o edgellm -g edgellm -m 0750 /var/lib/edgellm /var/lib/edgellm/models
install -m 0755 "$bin" /usr/local/bin/edgellm
[ -e /etc/edgellm/edgellm.json ] || install -o root -g edgellm -m 0640 deploy/edgellm.json /etc/edgellm/edgellm.json
if [ -n "$model_file" ]; then
  install -o edgellm -g edgellm -m 0640 "$model_file" /var/lib/edgellm/models/
  sed -i "s|\"model\": \"[^\"]*\"|\"model\": \"/var/lib/edgellm/models/$(basename "$model_file")\"|" /etc/edgellm/edgellm.json
fi
if [ -n "$pull_source" ]; then
  # As the service user, straight into the store the daemon reads; an interrupted pull resumes when run again.
  pulled=$(runuser -u edgellm -- /usr/local/bin/edgellm pull "$pull_source" --models-dir /var/lib/edgellm/models | tee /dev/stderr)
  name=$(printf '%s\n' "$pulled" | sed -n 's/^name: *//p' | tail -n 1)
  [ -n "$name" ] || { echo "install.sh: edgellm pull did not name the model" >&2; exit 1; }
  sed -i "s|\"model\": \"[^\"]*\"|\"model\": \"$name\"|" /etc/edgellm/edgellm.json
fi
install -m 0644 systemd/edgellm.service systemd/edgellm.socket /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now edgellm.service
echo "installed; try: edgellm ask \"Hello\"   (as root or a member of the edgellm group)"
