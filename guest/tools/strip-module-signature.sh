#!/usr/bin/env bash
# strip-module-signature.sh SRC DST: copies a Linux kernel module without its appended signature.
#
# Debian signs its modules; checking the RSA signature was ~40% of all guest time spent loading
# them under v86 (EIP samples in mpihelp_mul_1 / mul_n_basecase). Debian's kernel has
# MODULE_SIG without MODULE_SIG_FORCE, so an unsigned module loads (the kernel logs "module
# verification failed" and taints itself once). The modules come from Debian's package, which
# the build fetched through apt; the signature adds nothing inside a VM the page itself built.
#
# Layout (scripts/sign-file.c, include/linux/module_signature.h): module bytes, signature
# (sig_len bytes), struct module_signature (12 bytes, sig_len big-endian in the last 4), then
# the 28-byte magic "~Module signature appended~\n". A file without the magic is copied as is.
set -euo pipefail
src=$1 dst=$2
size=$(stat -c %s "$src")
if ((size < 40)) || [[ $(tail -c 28 "$src" | od -An -c | tr -d ' \n') != '~Modulesignatureappended~\n' ]]; then
  install -m644 "$src" "$dst"
  exit 0
fi
siglen=$(tail -c 32 "$src" | head -c 4 | od -An -tu1 | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
if ((siglen <= 0 || siglen > size - 40)); then
  echo "strip-module-signature: $src: bad signature length $siglen" >&2
  exit 1
fi
head -c $((size - 28 - 12 - siglen)) "$src" >"$dst"
chmod 644 "$dst"
