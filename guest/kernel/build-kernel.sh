#!/usr/bin/env bash
# Builds the webvirgl guest kernel from Debian's linux-source-6.1 package: `allnoconfig` plus the
# options in guest/kernel/webvirgl.config, cross-compiled for i386. Called by guest/build.sh;
# this script and the config are part of the kernel cache key.
# Usage: build-kernel.sh SOURCE_DEB WORKDIR OUTDIR
#   SOURCE_DEB  linux-source-6.1_*.deb (ships /usr/src/linux-source-6.1.tar.xz, Debian's patched tree)
#   WORKDIR     scratch directory (source tree and objects, ~1.5 GB; deleted by the caller)
#   OUTDIR      gets bzImage, config (the full .config) and release (`make kernelrelease`)
set -euo pipefail
deb=$1 work=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/webvirgl.config
jobs=${WEBVIRGL_JOBS:-$(nproc)}
export PATH="/usr/bin:$PATH" LC_ALL=C
# Reproducible: no build host, user or time in the image (`uname -v` shows these).
export KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-1700000000}" KBUILD_BUILD_USER=webvirgl KBUILD_BUILD_HOST=webvirgl
MAKE=(make -C "$work/src" ARCH=i386 CROSS_COMPILE=i686-linux-gnu- "-j$jobs")

rm -rf "$work" "$out"
mkdir -p "$work/src" "$out"
echo "    unpacking $(basename "$deb") (Debian's patched 6.1 tree)"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz | tar -xJ -C "$work/src" --strip-components=1 ||
  { echo "unpacking the kernel source from $deb failed" >&2; exit 1; }

echo "    configuring: allnoconfig + $(grep -cv '^\s*\(#\|$\)' "$fragment") options from guest/kernel/webvirgl.config"
KCONFIG_ALLCONFIG=$fragment "${MAKE[@]}" -s allnoconfig >"$work/config.log" 2>&1 ||
  { cat "$work/config.log" >&2; echo "make allnoconfig failed" >&2; exit 1; }
# Kconfig drops a requested option silently when a dependency is missing: insist on every line.
bad=0
while IFS= read -r line; do
  [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
  key=${line%%=*} want=${line#*=}
  got=$(grep -E "^$key=" "$work/src/.config" | head -1 || true)
  if [[ $want == n ]]; then
    [[ -z $got ]] && continue
  else
    [[ $got == "$key=$want" ]] && continue
  fi
  echo "    kernel config: $key: wanted '$want', Kconfig gave '${got:-not set}' (a dependency is missing from webvirgl.config?)" >&2
  bad=1
done <"$fragment"
((bad == 0)) || { echo "the kernel configuration does not match guest/kernel/webvirgl.config" >&2; exit 1; }

echo "    make -j$jobs bzImage (log: $work/build.log; a dot per 100 compiled files)"
t=$SECONDS
"${MAKE[@]}" bzImage 2>&1 | tee "$work/build.log" |
  awk '/^  (CC|AS|LD|AR)/ { if (++n % 100 == 0) { printf "."; fflush() } } / error: |^make.*Error [0-9]/ { print; fflush() } END { print "" }'
status=${PIPESTATUS[0]}
((status == 0)) || { tail -30 "$work/build.log" >&2; echo "the kernel build failed (log: $work/build.log)" >&2; exit 1; }

install -m644 "$work/src/arch/x86/boot/bzImage" "$out/bzImage"
install -m644 "$work/src/.config" "$out/config"
"${MAKE[@]}" -s kernelrelease >"$out/release"
echo "    kernel $(cat "$out/release"): bzImage $(stat -c %s "$out/bzImage") bytes in $((SECONDS - t)) s"
