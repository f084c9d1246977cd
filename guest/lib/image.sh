# shellcheck shell=bash
# Steps 7-9 of guest/build.sh (sourced from it; uses its variables): glinfo, rootfs + initramfs,
# publish (kernel, BIOS, manifest, copy into public/guest/).

READELF=i686-linux-gnu-readelf
# Default: uncompressed. Measured in v86 (instructions executed up to /init, load-independent):
# none 2.64 G, gzip -9 3.48 G, zstd -19 3.70 G; sizes 45 / 19 / 17 MB. See guest/README.md.
COMP=${WEBVIRGL_INITRD_COMP:-none}
case $COMP in zstd | gzip | none) ;; *) die "WEBVIRGL_INITRD_COMP must be zstd, gzip or none (got $COMP)" ;; esac

# ---------------------------------------------------------------------------------------------
GLINFO_KEY=$(hash_inputs "$GUEST_DIR/glinfo/glinfo.c" -- "$TOOLCHAIN" "$SYSROOT_KEY")
GLINFO=$CACHE/glinfo/$GLINFO_KEY/glinfo
if [[ -f $GLINFO ]]; then
  step 7 "glinfo — cached ($GLINFO_KEY)"
else
  step 7 "compiling glinfo (surfaceless EGL) for i386"
  t=$SECONDS
  mkdir -p "$(dirname "$GLINFO")"
  i686-linux-gnu-gcc -O2 -Wall -Wextra -Werror -ffile-prefix-map="$GUEST_DIR"=/guest \
    -idirafter "$SYSROOT/usr/include" -o "$GLINFO.tmp" "$GUEST_DIR/glinfo/glinfo.c" \
    -L"$SYSROOT/usr/lib/i386-linux-gnu" -Wl,-rpath-link,"$SYSROOT/usr/lib/i386-linux-gnu" -Wl,--build-id=none -lEGL ||
    die "compiling guest/glinfo/glinfo.c failed"
  i686-linux-gnu-strip "$GLINFO.tmp"
  mv "$GLINFO.tmp" "$GLINFO"
  record_duration glinfo $((SECONDS - t))
fi

# ---------------------------------------------------------------------------------------------
# The image key: every input of the image. Changing any of them rebuilds steps 8-9.
mapfile -t GUEST_INPUTS < <(cd "$REPO_DIR" && find guest -type f \( -path 'guest/*.test.ts' -o -name README.md \) -prune -o -type f -print | LC_ALL=C sort)
IMAGE_KEY=$(hash_inputs "${GUEST_INPUTS[@]/#/$REPO_DIR/}" "$RES" -- "mesa $MESA_KEY" "kernel $KERNEL_KEY" "glinfo $GLINFO_KEY" "comp $COMP" "epoch $SOURCE_DATE_EPOCH")
IMG=$CACHE/image/$IMAGE_KEY
INITRD_NAME=initrd.img # the kernel detects the compression itself

if [[ -f $IMG/.done ]]; then
  step 8 "rootfs + initramfs — cached ($IMAGE_KEY)"
else
  step 8 "assembling the rootfs (DT_NEEDED closure) and the initramfs ($COMP)"
  t=$SECONDS
  # Pool: every runtime package unpacked (shared by image builds with the same package versions).
  mapfile -t RT_PKGS < <( grep -v '^\s*\(#\|$\)' "$GUEST_DIR/packages-runtime.txt" | sort -u)
  pool_desc=$(for p in "${RT_PKGS[@]}"; do awk -v p="$p" '$1==p{print $1, $2}' "$RES"; done)
  POOL=$CACHE/pool/$(hash_inputs -- "$pool_desc")
  if [[ ! -f $POOL/.done ]]; then
    rm -rf "$POOL"; mkdir -p "$POOL"
    for p in "${RT_PKGS[@]}"; do dpkg-deb -x "$(deb_path "$p")" "$POOL"; done
    touch "$POOL/.done"
  fi

  rm -rf "$IMG"; mkdir -p "$IMG"
  T=$IMG/rootfs
  L=usr/lib/i386-linux-gnu
  mkdir -p "$T"/{usr/bin,usr/sbin,$L/dri,usr/share,etc/webvirgl,proc,sys,dev,tmp,run,root,mnt}
  ln -s usr/bin "$T/bin"; ln -s usr/sbin "$T/sbin"; ln -s usr/lib "$T/lib"

  # -- binaries and dlopen'ed libraries: the roots of the closure
  install -m755 "$POOL/bin/busybox" "$T/usr/bin/busybox"
  install -m755 "$POOL/usr/bin/kmscube" "$T/usr/bin/kmscube"
  install -m755 "$POOL/usr/bin/glmark2-es2-drm" "$T/usr/bin/glmark2-es2-drm"
  install -m755 "$GLINFO" "$T/usr/bin/glinfo"
  install -m755 "$MESA/$L/dri/virtio_gpu_dri.so" "$T/$L/dri/virtio_gpu_dri.so"
  # One megadriver, three names (hard links: stored once in the cpio).
  ln "$T/$L/dri/virtio_gpu_dri.so" "$T/$L/dri/kms_swrast_dri.so"
  ln "$T/$L/dri/virtio_gpu_dri.so" "$T/$L/dri/swrast_dri.so"
  # glvnd loads the Mesa EGL vendor library; glmark2 dlopens libEGL/libGLESv2; glinfo dlopens libgbm.
  DLOPENED=(libEGL_mesa.so.0 libEGL.so.1 libGLESv2.so.2 libgbm.so.1)
  mkdir -p "$T/usr/share/glvnd/egl_vendor.d"
  cp "$MESA/usr/share/glvnd/egl_vendor.d/"*.json "$T/usr/share/glvnd/egl_vendor.d/"
  if [[ -d $MESA/usr/share/drirc.d ]]; then cp -r "$MESA/usr/share/drirc.d" "$T/usr/share/"; fi
  cp -r "$POOL/usr/share/glmark2" "$T/usr/share/glmark2"

  # -- DT_NEEDED closure, resolved inside the Mesa install and the unpacked packages only
  SEARCH=("$MESA/$L" "$POOL/$L" "$POOL/lib/i386-linux-gnu" "$SYSROOT/$L")
  find_lib() {
    local d
    for d in "${SEARCH[@]}"; do [[ -e $d/$1 ]] && { readlink -f "$d/$1"; return 0; }; done
    return 1
  }
  declare -A have=()
  queue=("$T/usr/bin/busybox" "$T/usr/bin/kmscube" "$T/usr/bin/glmark2-es2-drm" "$T/usr/bin/glinfo" "$T/$L/dri/virtio_gpu_dri.so")
  for so in "${DLOPENED[@]}"; do queue+=("@$so"); done
  missing=()
  while ((${#queue[@]})); do
    f=${queue[0]}; queue=("${queue[@]:1}")
    if [[ $f == @* ]]; then
      so=${f#@}
      [[ ${have[$so]:-} ]] && continue
      have[$so]=1
      src=$(find_lib "$so") || { missing+=("$so"); continue; }
      cp "$src" "$T/$L/$so"; chmod 0644 "$T/$L/$so"
      f=$T/$L/$so
    fi
    while read -r so; do
      [[ ${have[$so]:-} ]] || queue+=("@$so")
    done < <($READELF -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  done
  ((${#missing[@]} == 0)) || die "libraries not found in the unpacked packages: ${missing[*]} (add their Debian packages to guest/packages-runtime.txt)"
  # Programs are linked with PT_INTERP /lib/ld-linux.so.2 (/lib -> usr/lib here).
  for b in "$T"/usr/bin/{kmscube,glmark2-es2-drm,glinfo}; do
    interp=$($READELF -l "$b" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
    [[ $interp == /lib/ld-linux.so.2 ]] || die "unexpected program interpreter '$interp' in $b"
  done
  [[ -f $T/$L/ld-linux.so.2 ]] || cp "$(find_lib ld-linux.so.2)" "$T/$L/ld-linux.so.2"
  chmod 0755 "$T/$L/ld-linux.so.2" # the kernel opens the interpreter for execution
  ln -s i386-linux-gnu/ld-linux.so.2 "$T/usr/lib/ld-linux.so.2"
  info "closure: $(ls "$T/$L" | grep -c '\.so') shared libraries"

  # -- busybox applets as symlinks (the host runs the static i386 busybox; else /init installs them)
  ln -s busybox "$T/usr/bin/sh"
  if applets=$("$T/usr/bin/busybox" --list-full 2>/dev/null); then
    while read -r a; do
      case $a in bin/* | usr/bin/*) d=usr/bin rel=busybox ;; sbin/* | usr/sbin/*) d=usr/sbin rel=../bin/busybox ;; *) continue ;; esac
      n=${a##*/}
      [[ -e $T/$d/$n || -L $T/$d/$n ]] || ln -s "$rel" "$T/$d/$n"
    done <<<"$applets"
  else
    info "cannot run busybox on this host: /init will run 'busybox --install -s' at boot"
  fi

  # -- our files: /init, cmdline parser, profile, passwd
  install -m755 "$GUEST_DIR/rootfs/init" "$T/init"
  cp -r "$GUEST_DIR/rootfs/etc/." "$T/etc/"
  echo "$KVER" >"$T/etc/webvirgl/kernel"
  echo "$IMAGE_KEY" >"$T/etc/webvirgl/version"

  # -- cpio (deterministic, device node written directly) + compression
  node "$GUEST_DIR/tools/mkcpio.mjs" --root "$T" --out "$IMG/initrd.cpio" --mtime "$SOURCE_DATE_EPOCH" \
    --node dev/console:c:5:1:0600 --node dev/null:c:1:3:0666 --node dev/ttyS0:c:4:64:0600 >/dev/null ||
    die "writing the cpio archive failed"
  case $COMP in
    zstd) zstd -q -19 -T1 --no-progress -f "$IMG/initrd.cpio" -o "$IMG/$INITRD_NAME" ;;
    gzip) gzip -n -9 -c "$IMG/initrd.cpio" >"$IMG/$INITRD_NAME" ;;
    none) cp "$IMG/initrd.cpio" "$IMG/$INITRD_NAME" ;;
  esac
  info "initramfs: $(du -sh --apparent-size "$T" | cut -f1) unpacked, cpio $(stat -c %s "$IMG/initrd.cpio") bytes, $COMP $(stat -c %s "$IMG/$INITRD_NAME") bytes"
  rm -f "$IMG/initrd.cpio"

  # -- kernel and BIOS
  install -m644 "$KERNEL/bzImage" "$IMG/bzImage"
  install -m644 "$POOL/usr/share/seabios/bios.bin" "$IMG/bios.bin"
  install -m644 "$POOL/usr/share/seabios/vgabios-stdvga.bin" "$IMG/vgabios-stdvga.bin"
  ls "$T/$L" | LC_ALL=C sort >"$IMG/libraries.txt"
  touch "$IMG/.done"
  record_duration initramfs $((SECONDS - t))
fi

# ---------------------------------------------------------------------------------------------
step 9 "publishing to ${OUT_DIR#"$REPO_DIR"/}/"
FILES=(bzImage "$INITRD_NAME" bios.bin vgabios-stdvga.bin)
mkdir -p "$OUT_DIR"
for f in "${FILES[@]}"; do
  [[ $IMG/$f -ef $OUT_DIR/$f ]] && continue # already the cached file (hard link)
  rm -f "$OUT_DIR/$f.tmp"
  ln "$IMG/$f" "$OUT_DIR/$f.tmp" 2>/dev/null || cp "$IMG/$f" "$OUT_DIR/$f.tmp"
  mv -f "$OUT_DIR/$f.tmp" "$OUT_DIR/$f"
done
BUILD_SECONDS=$((SECONDS - T_START))
node "$GUEST_DIR/tools/manifest.mjs" --out "$OUT_DIR/manifest.json" --dir "$OUT_DIR" --version "$IMAGE_KEY" \
  --resolved "$RES" --kernel "$KVER" --kernel-package "$KSRC_PKG" --kernel-key "$KERNEL_KEY" --mesa "$MESA_VER" --mesa-key "$MESA_KEY" \
  --initrd "$INITRD_NAME" --compression "$COMP" --durations "$CACHE/durations" \
  --libraries "$IMG/libraries.txt" --this-build "$BUILD_SECONDS" "${FILES[@]}" ||
  die "writing manifest.json failed"
for f in "${FILES[@]}" manifest.json; do printf '    %-20s %10s bytes\n' "$f" "$(stat -c %s "$OUT_DIR/$f")"; done
echo "[guest] done in ${BUILD_SECONDS} s: image $IMAGE_KEY in ${OUT_DIR#"$REPO_DIR"/}/"
