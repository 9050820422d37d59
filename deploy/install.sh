#!/usr/bin/env bash
# Installs the edgellm daemon on a Raspberry Pi (run as root from the repository, after ./build-arm.sh):
#   sudo deploy/install.sh [path/to/model.gguf]
# Creates the edgellm system user, /etc/edgellm/edgellm.json (kept if present), /var/lib/edgellm/models,
# installs the binary and the systemd units, and starts the service.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=artifacts/linux-arm64/edgellm
[ "$(uname -m)" = x86_64 ] && bin=artifacts/linux-x64/edgellm
[ -x "$bin" ] || { echo "install.sh: $bin missing; run ./build-arm.sh first" >&2; exit 1; }

id edgellm >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgellm --shell /usr/sbin/nologin --user-group edgellm
install -d -o root -g edgellm -m 0750 /etc/edgellm
install -d -o edgellm -g edgellm -m 0750 /var/lib/edgellm /var/lib/edgellm/models
install -m 0755 "$bin" /usr/local/bin/edgellm
[ -e /etc/edgellm/edgellm.json ] || install -o root -g edgellm -m 0640 deploy/edgellm.json /etc/edgellm/edgellm.json
if [ $# -ge 1 ]; then
  install -o edgellm -g edgellm -m 0640 "$1" /var/lib/edgellm/models/
  sed -i "s|\"model\": \"[^\"]*\"|\"model\": \"/var/lib/edgellm/models/$(basename "$1")\"|" /etc/edgellm/edgellm.json
fi
install -m 0644 systemd/edgellm.service systemd/edgellm.socket /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now edgellm.service
echo "installed; try: edgellm ask \"Hello\"   (as root or a member of the edgellm group)"
echo "HTTP (Ollama/OpenAI API, this machine only by default): curl http://127.0.0.1:11434/api/tags"
echo "  for Home Assistant on another machine set http_listen and an API key in /etc/edgellm/edgellm.json (README, Home Assistant)"
