#!/usr/bin/env bash
# Installs the edgellm daemon on a Raspberry Pi (Raspberry Pi OS / Debian, as root):
#   sudo ./install.sh [--binary PATH] [--user NAME]... [path/to/model.gguf | --pull SOURCE]
#
# Needs only its own files, either in a repository checkout (after ./build-arm.sh) or copied flat into one
# directory beside this script: edgellm (the binary), edgellm.service, edgellm.socket, edgellm.json, README.md.
# Creates the edgellm system user, /etc/edgellm/edgellm.json (kept if present), /var/lib/edgellm/models, installs the
# binary, the units and the README the unit's Documentation= points to, and starts the service when a model is set.
# --user NAME adds NAME to the edgellm group, so that `edgellm ask` and `edgellm status` work for them (after they log
# in again). --pull SOURCE downloads the model first (edgellm pull: a name from `edgellm pull --list`, hf:OWNER/REPO/
# FILE.gguf, an https URL or an ollama name) as the edgellm user into /var/lib/edgellm/models and names it in the config.
# Without a model it installs everything and says how to get one.
# EDGELLM_INSTALL_ROOT=/some/dir installs below that directory instead of / (packaging, tests).
set -euo pipefail

root="${EDGELLM_INSTALL_ROOT:-}"
here="$(cd "$(dirname "$0")" && pwd)"
binary=""
model=""
pull=""
users=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --user) users+=("${2:?--user needs a name}"); shift 2 ;;
    --pull) pull="${2:?--pull needs a SOURCE (see edgellm pull --list)}"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$model" ] || { echo "install.sh: one model at most, got '$model' and '$1'" >&2; exit 2; }; model="$1"; shift ;;
  esac
done

# The first of the flat bundle (beside this script) or the repository layout that exists.
find_file() {
  local f
  for f in "$@"; do [ -e "$f" ] && { printf '%s\n' "$f"; return 0; }; done
  return 1
}
repo="$here/.."
arch_dir=linux-arm64
[ "$(uname -m)" = x86_64 ] && arch_dir=linux-x64
binary="${binary:-$(find_file "$here/edgellm" "$repo/artifacts/$arch_dir/edgellm" || true)}"
unit="$(find_file "$here/edgellm.service" "$repo/systemd/edgellm.service" || true)"
socket_unit="$(find_file "$here/edgellm.socket" "$repo/systemd/edgellm.socket" || true)"
config="$(find_file "$here/edgellm.json" "$repo/deploy/edgellm.json" || true)"
readme="$(find_file "$here/README.md" "$repo/README.md" || true)"
# Checked before anything is changed: a missing file never leaves a half-done installation.
for pair in "binary:$binary" "edgellm.service:$unit" "edgellm.socket:$socket_unit" "edgellm.json:$config" "README.md:$readme"; do
  [ -n "${pair#*:}" ] || { echo "install.sh: ${pair%%:*} not found beside $0 nor in the repository layout (run ./build-arm.sh for the binary)" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "install.sh: $binary is not executable" >&2; exit 1; }
[ -z "$model" ] || [ -f "$model" ] || { echo "install.sh: the model $model is not a file" >&2; exit 1; }
[ -z "$model" ] || [ -z "$pull" ] || { echo "install.sh: give a model file or --pull SOURCE, not both" >&2; exit 2; }

id edgellm >/dev/null 2>&1 || useradd --system --home-dir /var/lib/edgellm --shell /usr/sbin/nologin --user-group edgellm
install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/share/doc/edgellm"
install -d -o root -g edgellm -m 0750 "$root/etc/edgellm"
install -d -o edgellm -g edgellm -m 0750 "$root/var/lib/edgellm" "$root/var/lib/edgellm/models"
install -m 0755 "$binary" "$root/usr/local/bin/edgellm"
install -m 0644 "$readme" "$root/usr/share/doc/edgellm/README.md"
[ -e "$root/etc/edgellm/edgellm.json" ] || install -o root -g edgellm -m 0640 "$config" "$root/etc/edgellm/edgellm.json"

if [ -n "$model" ]; then
  name="$(basename -- "$model")"
  install -o edgellm -g edgellm -m 0640 -- "$model" "$root/var/lib/edgellm/models/$name"
  # The path goes into a JSON string (escape \ and ") inside a sed replacement (escape \, & and the | delimiter).
  json="$(printf '%s' "/var/lib/edgellm/models/$name" | sed -e 's/[\\"]/\\&/g')"
  replacement="$(printf '%s' "$json" | sed -e 's/[\\&|]/\\&/g')"
  sed -i "s|\"model\": \"[^\"]*\"|\"model\": \"$replacement\"|" "$root/etc/edgellm/edgellm.json"
fi
if [ -n "$pull" ]; then
  # As the service user, straight into the store the daemon reads; an interrupted pull resumes when run again.
  pulled="$(runuser -u edgellm -- "$root/usr/local/bin/edgellm" pull "$pull" --models-dir "$root/var/lib/edgellm/models" | tee /dev/stderr)"
  name="$(printf '%s\n' "$pulled" | sed -n 's/^name: *//p' | tail -n 1)"
  [ -n "$name" ] || { echo "install.sh: edgellm pull did not name the model" >&2; exit 1; }
  # Store names are letters, digits, '.', '_' and '-': nothing sed or JSON would read specially.
  sed -i "s|\"model\": \"[^\"]*\"|\"model\": \"$name\"|" "$root/etc/edgellm/edgellm.json"
fi

for user in "${users[@]}"; do
  usermod -aG edgellm "$user"
  echo "added $user to the edgellm group: edgellm ask works for them after they log in again"
done

install -m 0644 "$unit" "$socket_unit" "$root/etc/systemd/system/"
systemctl daemon-reload
configured="$(sed -n 's/^[[:space:]]*"model": "\(.*\)",\{0,1\}[[:space:]]*\(\/\/.*\)\{0,1\}$/\1/p' "$root/etc/edgellm/edgellm.json" | sed -e 's/",.*//' -e 's/\\\(.\)/\1/g')"
# "model" is a file, or the name of a model in the store (edgellm pull).
if [ -n "$configured" ] && { [ -f "$root$configured" ] || [ -f "$root/var/lib/edgellm/models/$configured.gguf" ]; }; then
  systemctl enable --now edgellm.service
  echo "installed and started; try: edgellm ask \"Hello\"   (as root or a member of the edgellm group)"
  echo "HTTP (Ollama/OpenAI API, this machine only by default): curl http://127.0.0.1:11434/api/tags"
  echo "  for Home Assistant on another machine set http_listen and an API key in /etc/edgellm/edgellm.json (README, Home Assistant)"
else
  systemctl enable edgellm.service
  cat <<'EOF'
installed, but no model is configured yet, so the service is not started. Either pull one (edgellm pull --list shows
the models known to work) with
  sudo ./install.sh --pull llama3.2-1b
or get a GGUF model (Q4_0 or Q4_K_M) onto the Pi and run
  sudo ./install.sh path/to/model.gguf
or copy it to /var/lib/edgellm/models/, set "model" in /etc/edgellm/edgellm.json and run
  sudo systemctl start edgellm
EOF
fi
