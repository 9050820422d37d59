#!/usr/bin/env bash
# Instructions a Pi 4 (cortex-a72) or Pi 5 (cortex-a76) core executes per token, ours against llama.cpp b4748 built for
# the same core, on the same file, 1 thread, counted under qemu-user with ../shared/tools/arm's plugin. Three figures:
#
#   tg@S   per generated token after an S-token prompt (short context, default 32)
#   tg@L   per generated token after an L-token prompt (long context, default 1400; attention grows with it)
#   pp     per prompt token in 64-token batches: prompts of 64 and 128 tokens, the difference / 64
#
# Each figure is the difference of two runs that differ only in what is counted (generated tokens, prompt length),
# so process start, model load, weight repacking and warm-up cancel out. Ours runs `edgellm eval` (which computes only
# the last prompt row's logits unless it dumps them, as llama.cpp does); llama.cpp runs llama-bench with -pg P,N for
# generation and -p P for prompts (llama-bench runs each prompt twice: warm-up and the repetition).
#
#   tests/arm/count-insns.sh [--bin EDGELLM_ARM64] [--cores "cortex-a72 cortex-a76"] [--short 32] [--long 1400|0]
#                            [--gen N1,N2] [--no-pp] [--no-llama] MODEL.gguf...
#
# Prints one markdown table row per model, core and figure (millions of instructions): paste it into the README.
# Emulated time means nothing; instructions are a core's work (not cycles). Long prompts on a 1B file take a
# long time under qemu (~1 G instructions per token): measure long context on small files, or pass --long 0.
# Needs qemu-user (the dynamic qemu-aarch64), gcc and the aarch64 libc, as ../shared/tools/arm/arm-insns.sh.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tools=${EDGELLM_ARM_TOOLS:-$repo/../shared/tools/arm}
bin=$repo/artifacts/linux-arm64/edgellm
cores="cortex-a72 cortex-a76"
short=32; long=1400; n1=2; n2=6; pp=yes; llama=yes
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --cores) cores=$2; shift 2 ;;
    --short) short=$2; shift 2 ;;
    --long) long=$2; shift 2 ;;
    --gen) n1=${2%,*}; n2=${2#*,}; shift 2 ;;
    --no-pp) pp=no; shift ;;
    --no-llama) llama=no; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "count-insns.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
[ ${#models[@]} -gt 0 ] || { echo "count-insns.sh: no model given (try --help)" >&2; exit 2; }
[ -x "$bin" ] || { echo "count-insns.sh: no arm64 binary at $bin (./build-arm.sh, or --bin)" >&2; exit 2; }
[ "$n2" -gt "$n1" ] || { echo "count-insns.sh: --gen N1,N2 needs N2 > N1" >&2; exit 2; }

plugin=${INSNCOUNT_SO:-${XDG_CACHE_HOME:-$HOME/.cache}/edgellm-tools/insncount.so}
mkdir -p "$(dirname "$plugin")"
[ -f "$plugin" ] || gcc -shared -fPIC -O2 -o "$plugin" "$tools/insncount.c"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# count CPU CMD...: instructions executed by CMD on that core (the plugin prints "insncount: N" on stderr)
count() {
  local cpu=$1; shift
  local n
  n=$(qemu-aarch64 -cpu "$cpu" -L /usr/aarch64-linux-gnu -plugin "$plugin" "$@" 2>&1 >/dev/null | sed -n 's/^insncount: //p')
  [ -n "$n" ] || { echo "count-insns.sh: no count from: $*" >&2; exit 1; }
  echo "$n"
}
run() { qemu-aarch64-static -L /usr/aarch64-linux-gnu "$bin" "$@"; }

# prompt MODEL K FILE: a prompt of about K tokens ("a a a ..."), written to FILE; prints its real token count (with BOS)
prompt() {
  local model=$1 k=$2 file=$3
  { printf 'a'; for ((i = 1; i < k - 1; i++)); do printf ' a'; done; } > "$file"
  run tokenize --model "$model" --file "$file" --json | tr -cd ',' | wc -c | awk '{ print $1 + 1 }'
}

row() { # row MODEL CORE FIGURE OURS LLAMA (instruction counts per token)
  awk -v m="$1" -v c="$2" -v f="$3" -v e="$4" -v l="$5" 'BEGIN {
    if (l == "") printf "| %s | %s | %s | %.1f | - | - |\n", m, c, f, e / 1e6
    else printf "| %s | %s | %s | %.1f | %.1f | %.2f |\n", m, c, f, e / 1e6, l / 1e6, e / l }'
}

echo "| file | core | figure | edgellm M | llama.cpp M | ratio |"
echo "|---|---|---|---|---|---|"
for model in "${models[@]}"; do
  name=$(basename "$model" .gguf)
  ps=$(prompt "$model" "$short" "$work/short.txt")
  if [ "$long" -gt 0 ]; then pl=$(prompt "$model" "$long" "$work/long.txt"); fi
  if [ "$pp" = yes ]; then
    p64=$(prompt "$model" 64 "$work/p64.txt"); p128=$(prompt "$model" 128 "$work/p128.txt")
  fi
  for cpu in $cores; do
    ref=$tools/llama-bench-${cpu#cortex-}
    # an uncounted first run: the first load of a file may build the interleaved weight cache
    qemu-aarch64 -cpu "$cpu" -L /usr/aarch64-linux-gnu "$bin" eval --model "$model" --prompt-file "$work/short.txt" --n-gen 1 --threads 1 >/dev/null 2>&1 || true
    gen() { # gen PROMPTFILE TOKENS FIGURE
      local ctx=$(($2 + n2 + 1)) a b e l=""
      # each count in its own assignment, so that a failed run stops the script (set -e) instead of counting as zero
      a=$(count "$cpu" "$bin" eval --model "$model" --prompt-file "$1" --n-gen "$n2" --threads 1 --ctx "$ctx")
      b=$(count "$cpu" "$bin" eval --model "$model" --prompt-file "$1" --n-gen "$n1" --threads 1 --ctx "$ctx")
      e=$(( (a - b) / (n2 - n1) ))
      if [ "$llama" = yes ]; then
        a=$(count "$cpu" "$ref" -m "$model" -p 0 -n 0 -pg "$2,$n2" -r 1 -t 1)
        b=$(count "$cpu" "$ref" -m "$model" -p 0 -n 0 -pg "$2,$n1" -r 1 -t 1)
        l=$(( (a - b) / (n2 - n1) ))
      fi
      row "$name" "$cpu" "$3" "$e" "$l"
    }
    gen "$work/short.txt" "$ps" "tg@$ps"
    if [ "$long" -gt 0 ]; then gen "$work/long.txt" "$pl" "tg@$pl"; fi
    if [ "$pp" = yes ]; then
      a=$(count "$cpu" "$bin" eval --model "$model" --prompt-file "$work/p128.txt" --n-gen 0 --threads 1 --batch 64)
      b=$(count "$cpu" "$bin" eval --model "$model" --prompt-file "$work/p64.txt" --n-gen 0 --threads 1 --batch 64)
      e=$(( (a - b) / (p128 - p64) ))
      l=""
      if [ "$llama" = yes ]; then
        # llama-bench runs a prompt twice (warm-up, then the repetition): the difference covers 2 x (p128 - p64) tokens
        a=$(count "$cpu" "$ref" -m "$model" -p "$p128" -n 0 -r 1 -t 1)
        b=$(count "$cpu" "$ref" -m "$model" -p "$p64" -n 0 -r 1 -t 1)
        l=$(( (a - b) / (2 * (p128 - p64)) ))
      fi
      row "$name" "$cpu" "pp$p64-$p128" "$e" "$l"
    fi
  done
done
