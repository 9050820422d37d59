#!/usr/bin/env bash
# Builds the self-contained NativeAOT `edgellm` binary.
#
#   ./build-arm.sh            linux-arm64 (Raspberry Pi 4 and 5), cross-compiled on an x64 host
#   ./build-arm.sh --x64      linux-x64 for this machine (benchmarks), instruction set $EDGELLM_X64_ISA
#   ./build-arm.sh --install  first apt-get installs the cross toolchain if anything is missing
#
# Output: artifacts/<rid>/edgellm (the path is printed at the end).
# The arm64 binary selects its kernels at run time (AdvSimd on a Pi 4, SDOT on a Pi 5): never
# pass a dotprod instruction set here, or a Pi 4 would refuse to start it.
set -euo pipefail
cd "$(dirname "$0")"

target=arm64
install=no
for arg in "$@"; do
  case "$arg" in
    --x64) target=x64 ;;
    --arm64) target=arm64 ;;
    --install) install=yes ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build-arm.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# Tools NativeAOT needs to link: clang as the driver, lld for cross links, the aarch64 libc and objcopy.
declare -A need=([clang]=clang)
if [ "$target" = arm64 ]; then
  need+=([ld.lld]=lld [aarch64-linux-gnu-objcopy]=binutils-aarch64-linux-gnu [aarch64-linux-gnu-gcc]=gcc-aarch64-linux-gnu)
fi
missing=()
for tool in "${!need[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${need[$tool]}"); done
if [ "$target" = arm64 ] && [ ! -e /usr/aarch64-linux-gnu/lib/libc.so ]; then missing+=(libc6-dev-arm64-cross); fi
if [ "$target" = x64 ] && [ ! -e /usr/lib/x86_64-linux-gnu/libz.so ] && [ ! -e /usr/lib/x86_64-linux-gnu/libz.a ]; then missing+=(zlib1g-dev); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" = yes ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "build-arm.sh: missing build tools; install them with:" >&2
    echo "  apt-get install ${missing[*]}    (or run ./build-arm.sh --install)" >&2
    exit 1
  fi
fi

# x86-64-v4 (AVX-512 F/BW/DQ/VL), v3 (AVX2, FMA, BMI2) or v2, plus AVX-VNNI where present.
host_x64_isa() {
  local flags level
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  has() { local f; for f in "$@"; do [[ "$flags" == *" $f "* ]] || return 1; done; }
  if has avx512f avx512bw avx512dq avx512vl avx2 fma bmi2; then level=x86-64-v4
  elif has avx2 fma bmi1 bmi2 movbe f16c; then level=x86-64-v3
  else level=x86-64-v2
  fi
  if has avx_vnni && [ "$level" != x86-64-v2 ]; then level="$level,avxvnni"; fi
  echo "$level"
}

if [ "$target" = arm64 ]; then
  rid=linux-arm64
  extra=(-p:LinkerFlavor=lld -p:ObjCopyName=aarch64-linux-gnu-objcopy)
else
  rid=linux-x64
  # The AOT default for x64 is a baseline without AVX2; benchmarks need the real instruction set.
  # It is named explicitly: $EDGELLM_X64_ISA if set, otherwise the highest level this CPU has, read
  # from /proc/cpuinfo (a binary built for AVX-512 refuses to start on an AVX2-only CPU).
  isa="${EDGELLM_X64_ISA:-$(host_x64_isa)}"
  echo "x64 instruction set: $isa"
  extra=("-p:IlcInstructionSet=${isa//,/%2C}")
fi

out="artifacts/$rid"
dotnet publish src/EdgeLlm/EdgeLlm.csproj -c Release -r "$rid" -o "$out" -nologo "${extra[@]}"
echo "built: $(pwd)/$out/edgellm"
