#!/usr/bin/env bash
# Where an arm64 edgellm run spends its instructions, per function: runs the command under qemu-user with the
# insnprofile plugin (built from tests/arm/insnprofile.c on first use) and sums the executed instructions of each
# function of the binary's symbols (NativeAOT writes them to edgellm.dbg beside the binary). Counts outside the binary
# (libc, libm, the loader) are summed per 64 KiB region.
#
#   tests/arm/profile-insns.sh [--cpu cortex-a76] [--top 30] EDGELLM_ARM64 ARGS...
#   e.g. tests/arm/profile-insns.sh artifacts/linux-arm64/edgellm eval --model M.gguf --prompt-file P --n-gen 8 --threads 1
#
# Two runs that differ in one thing (say --n-gen 4 and 12), compared per function, show where a token's instructions go.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cpu=cortex-a76; top=30
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) cpu=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
bin=$1; shift
plugin=${INSNPROFILE_SO:-${XDG_CACHE_HOME:-$HOME/.cache}/edgellm-tools/insnprofile.so}
mkdir -p "$(dirname "$plugin")"
[ "$plugin" -nt "$here/insnprofile.c" ] || gcc -shared -fPIC -O2 -o "$plugin" "$here/insnprofile.c"
symbols=$bin.dbg; [ -f "$symbols" ] || symbols=$bin
out=$(mktemp); trap 'rm -f "$out" "$out.sym"' EXIT
qemu-aarch64 -cpu "$cpu" -L /usr/aarch64-linux-gnu -plugin "$plugin,out=$out" "$bin" "$@" >/dev/null
aarch64-linux-gnu-nm --defined-only -C "$symbols" | awk '$2 ~ /^[tTwW]$/' > "$out.sym"
# qemu-user maps a position-independent aarch64 executable at 0x5500000000
python3 - "$out" "$out.sym" "$top" <<'PY'
import bisect, sys, collections
prof, syms, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
base = 0x5500000000
table = sorted((int(l.split()[0], 16), l.split(None, 2)[2].strip()) for l in open(syms) if len(l.split()) >= 3)
addrs = [a for a, _ in table]
totals = collections.Counter()
for line in open(prof):
    pc, n = line.split(); pc = int(pc, 16); n = int(n)
    off = pc - base
    i = bisect.bisect_right(addrs, off) - 1
    if 0 <= off < (addrs[-1] + 65536) and i >= 0: totals[table[i][1]] += n
    else: totals["outside the binary @%x" % (pc >> 16 << 16)] += n
grand = sum(totals.values())
print("%14d instructions in all" % grand)
for name, n in totals.most_common(top):
    print("%14d %5.1f%%  %s" % (n, 100.0 * n / grand, name[:150]))
PY
