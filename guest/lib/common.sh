# shellcheck shell=bash
# Shared helpers for guest/build.sh and its stages. Sourced, not executed.
# Everything here works without root: the private apt configuration keeps its lists, cache and
# state under the cache directory.

GUEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$GUEST_DIR/.." && pwd)
CACHE=${WEBVIRGL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webvirgl}
OUT_DIR=${WEBVIRGL_GUEST_OUT:-$REPO_DIR/public/guest}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C TZ=UTC
umask 022

die() { echo "webvirgl guest: ERROR${CURRENT_STEP:+ in step $CURRENT_STEP}: $*" >&2; exit 1; }
info() { echo "    $*"; }

sha256() { sha256sum "$@" | cut -d' ' -f1; }
# Hash of a list of files (names relative to $GUEST_DIR/$REPO_DIR are part of the hash) plus extra strings.
hash_inputs() { # hash_inputs FILE... -- STRING...
  local f
  {
    while (($#)) && [[ $1 != -- ]]; do
      f=$1; shift
      printf 'file %s %s\n' "${f#"$REPO_DIR"/}" "$(sha256 "$f")"
    done
    [[ ${1:-} == -- ]] && shift
    for f in "$@"; do printf 'str %s\n' "$f"; done
  } | sha256sum | cut -c1-16
}

# ---- private apt -------------------------------------------------------------------------------
APT_DIR=$CACHE/apt
apt_setup() {
  mkdir -p "$APT_DIR"/{lists/partial,archives/partial,state,etc/apt.conf.d,etc/preferences.d,etc/sources.list.d}
  : >"$APT_DIR/state/status"
  local kr=/usr/share/keyrings/debian-archive-keyring.gpg
  [[ -r $kr ]] || die "missing $kr (Debian package debian-archive-keyring)"
  cat >"$APT_DIR/etc/sources.list.new" <<EOF
deb [signed-by=$kr] http://deb.debian.org/debian bookworm main
deb [signed-by=$kr] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$kr] http://deb.debian.org/debian-security bookworm-security main
deb-src [signed-by=$kr] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$kr] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=$kr] http://deb.debian.org/debian-security bookworm-security main
EOF
  mv "$APT_DIR/etc/sources.list.new" "$APT_DIR/etc/sources.list"
  : >"$APT_DIR/etc/apt.conf"
}
APT_OPTS=()
apt_opts() {
  APT_OPTS=(
    -o "Dir::Etc=$APT_DIR/etc"
    -o "Dir::Etc::main=$APT_DIR/etc/apt.conf"
    -o "Dir::Etc::Parts=$APT_DIR/etc/apt.conf.d"
    -o "Dir::Etc::SourceList=$APT_DIR/etc/sources.list"
    -o "Dir::Etc::SourceParts=$APT_DIR/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$APT_DIR/etc/preferences"
    -o "Dir::Etc::PreferencesParts=$APT_DIR/etc/preferences.d"
    -o "Dir::State=$APT_DIR/state"
    -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::State::status=$APT_DIR/state/status"
    -o "Dir::Cache=$APT_DIR/cache"
    -o "Dir::Cache::archives=$APT_DIR/archives"
    -o "APT::Architecture=i386"
    -o "APT::Architectures::=i386"
    -o "APT::Get::List-Cleanup=false"
    -o "Acquire::Languages=none"
    -o "Debug::NoLocking=true"
  )
  # As root apt drops privileges to _apt for downloads, which cannot write into $HOME/.cache.
  [[ $(id -u) -eq 0 ]] && APT_OPTS+=(-o "APT::Sandbox::User=root")
  return 0
}
papt_get() { apt_opts; apt-get "${APT_OPTS[@]}" "$@"; }
papt_cache() { apt_opts; apt-cache "${APT_OPTS[@]}" "$@"; }

# ---- steps / timing ----------------------------------------------------------------------------
STEP_TOTAL=${STEP_TOTAL:-8}
CURRENT_STEP=
step() { # step N "message"
  CURRENT_STEP="$1/$STEP_TOTAL ($2)"
  echo "[guest $1/$STEP_TOTAL] $2${T_START:+ (at $((SECONDS - T_START)) s)}"
}
# Record how long a cold (cache-miss) build of a stage took: $CACHE/durations/<stage>
record_duration() { mkdir -p "$CACHE/durations"; echo "$2" >"$CACHE/durations/$1"; }
