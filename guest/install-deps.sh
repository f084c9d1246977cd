#!/usr/bin/env bash
# Installs the Debian host packages the guest build needs (the only step that may need root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-install.sh \
  gcc-i686-linux-gnu g++-i686-linux-gnu binutils-i686-linux-gnu \
  meson ninja-build pkg-config python3-mako python3-yaml bison flex \
  make bc lz4 xz-utils \
  zstd gzip cpio dpkg-dev apt debian-archive-keyring ca-certificates \
  coreutils findutils file
