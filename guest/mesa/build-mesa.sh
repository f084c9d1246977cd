#!/usr/bin/env bash
# Cross-builds Debian's Mesa source package for the i386 guest with only the virgl and swrast
# (softpipe) Gallium drivers, no LLVM. Called by guest/build.sh; part of the Mesa cache key.
# Usage: build-mesa.sh SRC_DSC SYSROOT WORKDIR DESTDIR
#   SRC_DSC  the .dsc downloaded by `apt-get source --download-only`
#   SYSROOT  unpacked i386 -dev packages
#   WORKDIR  scratch directory (source tree + build directory)
#   DESTDIR  where `meson install` puts usr/...
set -euo pipefail
dsc=$1 sysroot=$2 work=$3 dest=$4
here=$(cd "$(dirname "$0")" && pwd)
# Debian's python3 (with python3-mako from guest/install-deps.sh), not a pyenv/venv one.
export PATH="/usr/bin:$PATH"

rm -rf "$work" "$dest"
mkdir -p "$work"
echo "    unpacking $(basename "$dsc") with Debian's patches"
dpkg-source --no-check -x "$dsc" "$work/src" >"$work/dpkg-source.log" 2>&1 ||
  { cat "$work/dpkg-source.log" >&2; echo "dpkg-source -x failed" >&2; exit 1; }

cat >"$work/sysroot.ini" <<EOF
[constants]
sysroot = '$sysroot'
srcdir = '$work/src'
EOF

mapfile -t opts < <(grep -v '^\s*\(#\|$\)' "$here/options.txt")
echo "    meson setup (${#opts[@]} options from guest/mesa/options.txt)"
(
  cd "$work/src"
  meson setup "$work/build" \
    --cross-file "$work/sysroot.ini" --cross-file "$here/cross-i386.ini" \
    --prefix=/usr --libdir=lib/i386-linux-gnu --wrap-mode=nodownload \
    "${opts[@]}" >"$work/meson-setup.log" 2>&1
) || { tail -40 "$work/meson-setup.log" >&2; echo "meson setup failed (log: $work/meson-setup.log)" >&2; exit 1; }

echo "    ninja -j2 (progress follows)"
ninja -C "$work/build" -j2
DESTDIR="$dest" meson install -C "$work/build" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
  { tail -20 "$work/install.log" >&2; echo "meson install failed" >&2; exit 1; }

# Strip (reproducible, smaller image) and drop what the guest does not use.
rm -rf "$dest/usr/include" "$dest/usr/lib/i386-linux-gnu/pkgconfig"
find "$dest" -name '*.so*' -type f -exec i686-linux-gnu-strip --strip-unneeded {} +
dri=$dest/usr/lib/i386-linux-gnu/dri
for d in virtio_gpu_dri.so kms_swrast_dri.so swrast_dri.so; do
  [[ -f $dri/$d ]] || { echo "Mesa did not produce $d" >&2; exit 1; }
done
echo "    Mesa installed into $dest"
