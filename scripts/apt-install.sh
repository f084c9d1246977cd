#!/usr/bin/env bash
# Usage: scripts/apt-install.sh PKG... — installs the Debian packages that are missing.
# Needs root or sudo; says so clearly when neither is available.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "webvirgl: need root or sudo to install Debian packages: ${missing[*]}" >&2; exit 1
fi
echo "webvirgl: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
