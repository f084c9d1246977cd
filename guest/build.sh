#!/usr/bin/env bash
# `bash guest/build.sh` (= `npm run guest`): builds the webvirgl guest image into public/guest/.
#
#   bzImage, initrd.img, bios.bin, vgabios-stdvga.bin, manifest.json
#
# Everything comes from Debian bookworm i386 packages (Mesa rebuilt from Debian's source package,
# the kernel built from Debian's linux-source-6.1 with guest/kernel/webvirgl.config).
# Only step 1 (installing host build tools) may need root; the rest runs as any user.
# Cache: ${WEBVIRGL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webvirgl}, keyed by input hashes.
# Environment:
#   WEBVIRGL_OFFLINE=1          reuse the last package resolution instead of refreshing the index
#   WEBVIRGL_CACHE=DIR          cache directory
#   WEBVIRGL_INITRD_COMP=none|gzip|zstd   initramfs compression (default: none, fastest boot in v86)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
STEP_TOTAL=9
T_START=$SECONDS
trap 'rc=$?; ((rc)) && echo "webvirgl guest: build failed${CURRENT_STEP:+ in step $CURRENT_STEP} (exit $rc)" >&2' EXIT
mkdir -p "$CACHE"
# One build per cache at a time: a second build.sh (another checkout, `npm test`) would otherwise
# delete the Mesa tree the first one is compiling.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  echo "[guest] another guest build is using $CACHE; waiting for it to finish"
  flock 9
fi

# ---------------------------------------------------------------------------------------------
step 1 "host build tools"
bash "$GUEST_DIR/install-deps.sh"

# ---------------------------------------------------------------------------------------------
step 2 "resolving Debian bookworm i386 package versions"
apt_setup
RES=$CACHE/resolved.txt
if [[ ${WEBVIRGL_OFFLINE:-} == 1 && -s $RES ]]; then
  info "WEBVIRGL_OFFLINE=1: reusing the last resolution ($(wc -l <"$RES") packages)"
else
  t=$SECONDS
  if ! papt_get -q update >"$CACHE/apt-update.log" 2>&1; then
    # A mirror mid-sync makes one index fail; apt keeps the others. Fail only if nothing is usable.
    grep -E '^(E|W):' "$CACHE/apt-update.log" | sed 's/^/    apt: /' >&2 || true
    [[ $(papt_cache policy libc6 2>/dev/null) == *'Candidate: '[0-9]* ]] ||
      die "private apt-get update failed (see $CACHE/apt-update.log)"
    info "warning: some package indexes failed to refresh; using the ones that did"
  fi
  info "package index refreshed in $((SECONDS - t)) s"
  # Print "name version arch filename sha256 size" for the candidate of each requested package
  # (one apt-cache call: loading the cache dominates).
  resolve() {
    local out
    out=$(papt_cache show --no-all-versions "$@" 2>&1) || die "apt-cache show failed: $(grep -m1 '^E:' <<<"$out")"
    awk '
      /^Package: /{n=$2} /^Version: /{v=$2} /^Architecture: /{a=$2} /^Filename: /{f=$2}
      /^SHA256: /{h=$2} /^Size: /{s=$2}
      /^$/{ if (n!="") print n, v, a, f, h, s; n=v=a=f=h=s="" }
      END{ if (n!="") print n, v, a, f, h, s }' <<<"$out"
  }
  pkgs=()
  while read -r p; do pkgs+=("$p"); done < <(grep -hv '^\s*\(#\|$\)' "$GUEST_DIR/packages-runtime.txt" "$GUEST_DIR/packages-sysroot.txt" | sort -u)
  # The kernel source: Debian's patched tree (arch all), built in step 6.
  pkgs+=(linux-source-6.1)
  {
    resolve "${pkgs[@]}" | sort -u
    # Mesa source = the version of bookworm's libgbm1 binary (built from source package mesa).
    mver=$(papt_cache show --no-all-versions libgbm1 | sed -n 's/^Version: //p')
    [[ $mver ]] || die "cannot resolve the Mesa version (libgbm1)"
    echo "src:mesa $mver source - - -"
  } >"$RES.new"
  for p in "${pkgs[@]}"; do
    awk -v p="$p" '$1==p{f=1} END{exit !f}' "$RES.new" || die "package $p not found in bookworm i386"
  done
  mv "$RES.new" "$RES"
fi
KSRC_PKG=linux-source-6.1
MESA_VER=$(awk '$1=="src:mesa"{print $2}' "$RES")
info "kernel source $KSRC_PKG $(awk -v k="$KSRC_PKG" '$1==k{print $2}' "$RES"), Mesa $MESA_VER, $(($(wc -l <"$RES") - 1)) binary packages"

# ---------------------------------------------------------------------------------------------
step 3 "downloading packages"
DEBS=$CACHE/debs
mkdir -p "$DEBS" "$CACHE/src"
deb_path() { # deb_path PKG -> path of the downloaded .deb for the resolved version
  local f
  f=$(awk -v p="$1" '$1==p{print $4}' "$RES")
  [[ $f ]] || die "package $1 is not in the resolution"
  echo "$DEBS/$(basename "$f")"
}
need=()
while read -r name ver arch file sha size; do
  [[ $name == src:* ]] && continue
  d=$DEBS/$(basename "$file")
  if [[ -f $d ]] && [[ $(sha256 "$d") == "$sha" ]]; then continue; fi
  need+=("$name=$ver")
done <"$RES"
t=$SECONDS
if ((${#need[@]})); then
  info "downloading ${#need[@]} .deb files"
  (cd "$DEBS" && papt_get -q download "${need[@]}") >"$CACHE/apt-download.log" 2>&1 ||
    { tail -5 "$CACHE/apt-download.log" >&2; die "apt-get download failed (see $CACHE/apt-download.log)"; }
  while read -r name ver arch file sha size; do
    [[ $name == src:* ]] && continue
    d=$DEBS/$(basename "$file")
    # apt-get download writes the epoch as %3a; keep the archive's own file name.
    got=$DEBS/${name}_${ver//:/%3a}_$arch.deb
    [[ -f $d || ! -f $got ]] || mv "$got" "$d"
    [[ -f $d ]] || die "apt-get download did not produce $(basename "$file")"
    [[ $(sha256 "$d") == "$sha" ]] || die "checksum mismatch for $(basename "$file")"
  done <"$RES"
  record_duration download $((SECONDS - t))
else
  info "all .deb files cached"
fi
MESA_DSC=$CACHE/src/mesa_${MESA_VER#*:}.dsc
if [[ ! -f $MESA_DSC ]]; then
  info "downloading the mesa $MESA_VER source package"
  (cd "$CACHE/src" && papt_get -q source --download-only "mesa=$MESA_VER") >"$CACHE/apt-source.log" 2>&1 ||
    { tail -5 "$CACHE/apt-source.log" >&2; die "apt-get source mesa=$MESA_VER failed"; }
  [[ -f $MESA_DSC ]] || die "apt-get source did not produce $MESA_DSC"
else
  info "mesa source $MESA_VER cached"
fi

# ---------------------------------------------------------------------------------------------
step 4 "cross-compilation sysroot (i386 -dev packages)"
mapfile -t SYSROOT_PKGS < <(grep -v '^\s*\(#\|$\)' "$GUEST_DIR/packages-sysroot.txt" | sort -u)
sysroot_desc=$(for p in "${SYSROOT_PKGS[@]}"; do awk -v p="$p" '$1==p{print $1, $2}' "$RES"; done)
SYSROOT_KEY=$(hash_inputs -- "$sysroot_desc")
SYSROOT=$CACHE/sysroot/$SYSROOT_KEY
if [[ -f $SYSROOT/.done ]]; then
  info "cached ($SYSROOT_KEY)"
else
  t=$SECONDS
  rm -rf "$SYSROOT"; mkdir -p "$SYSROOT"
  for p in "${SYSROOT_PKGS[@]}"; do dpkg-deb -x "$(deb_path "$p")" "$SYSROOT"; done
  # Absolute symlinks (e.g. libfoo.so -> /lib/i386-linux-gnu/libfoo.so.1) must point into the sysroot.
  while IFS= read -r l; do
    tgt=$(readlink "$l"); [[ $tgt == /* ]] && ln -sfn "$SYSROOT$tgt" "$l"
  done < <(find "$SYSROOT" -type l)
  touch "$SYSROOT/.done"
  record_duration sysroot $((SECONDS - t))
  info "unpacked ${#SYSROOT_PKGS[@]} packages ($SYSROOT_KEY)"
fi

# ---------------------------------------------------------------------------------------------
TOOLCHAIN="$(i686-linux-gnu-gcc --version | head -1) / $(i686-linux-gnu-g++ --version | head -1) / $(dpkg-query -W -f='${Version}' binutils-i686-linux-gnu) / meson $(meson --version)"
MESA_KEY=$(hash_inputs "$GUEST_DIR/mesa/build-mesa.sh" "$GUEST_DIR/mesa/options.txt" "$GUEST_DIR/mesa/cross-i386.ini" -- \
  "mesa $MESA_VER" "$TOOLCHAIN" "$sysroot_desc")
MESA_DIR=$CACHE/mesa/$MESA_KEY
MESA=$MESA_DIR/install
if [[ -f $MESA/.done ]]; then
  step 5 "Mesa $MESA_VER (virgl, softpipe) — cached ($MESA_KEY)"
else
  step 5 "building Mesa $MESA_VER (virgl, softpipe) — cache miss, ~5-15 min on 2 cores"
  t=$SECONDS
  bash "$GUEST_DIR/mesa/build-mesa.sh" "$MESA_DSC" "$SYSROOT" "$MESA_DIR/work" "$MESA" ||
    die "the Mesa build failed (logs in $MESA_DIR/work)"
  touch "$MESA/.done"
  record_duration mesa $((SECONDS - t))
  rm -rf "$MESA_DIR/work/src" "$MESA_DIR/work/"*.orig.tar.* "$MESA_DIR/work/"*.debian.tar.*
  info "Mesa built in $((SECONDS - t)) s"
fi
[[ ${WEBVIRGL_GUEST_STOP_AFTER:-} == 5 ]] && exit 0

# ---------------------------------------------------------------------------------------------
KTOOLCHAIN="$(i686-linux-gnu-gcc --version | head -1) / $(dpkg-query -W -f='${Version}' binutils-i686-linux-gnu) / $(lz4 --version 2>&1 | head -1)"
KERNEL_KEY=$(hash_inputs "$GUEST_DIR/kernel/build-kernel.sh" "$GUEST_DIR/kernel/webvirgl.config" -- \
  "$KSRC_PKG $(awk -v k="$KSRC_PKG" '$1==k{print $2}' "$RES")" "$KTOOLCHAIN" "epoch $SOURCE_DATE_EPOCH")
KERNEL=$CACHE/kernel/$KERNEL_KEY
if [[ -f $KERNEL/.done ]]; then
  step 6 "Linux kernel $(cat "$KERNEL/release") — cached ($KERNEL_KEY)"
else
  step 6 "building the Linux kernel (linux-source-6.1 + guest/kernel/webvirgl.config) — cache miss, ~5-10 min on 2 cores"
  t=$SECONDS
  bash "$GUEST_DIR/kernel/build-kernel.sh" "$(deb_path "$KSRC_PKG")" "$CACHE/kernel/work" "$KERNEL" ||
    die "the kernel build failed (logs in $CACHE/kernel/work)"
  rm -rf "$CACHE/kernel/work"
  touch "$KERNEL/.done"
  record_duration kernel $((SECONDS - t))
fi
KVER=$(cat "$KERNEL/release")

source "$GUEST_DIR/lib/image.sh"
