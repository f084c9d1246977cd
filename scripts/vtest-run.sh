#!/usr/bin/env bash
# Usage: scripts/vtest-run.sh [--record DIR] [--gzip] [--xvfb] [--server-arg ARG]... [--server-log FILE] [--] CMD [ARGS...]
#
# Runs CMD against our vtest server (bin/webvirgl-vtest.mjs) in a private mount + network
# namespace: Mesa 22.3 hard-codes the socket /tmp/.virgl_test, so a private /tmp keeps servers of
# different runs (and other engineers) apart; the private network namespace also isolates X11's
# abstract sockets. --xvfb starts an Xvfb (display :7) for X11 clients such as glxinfo/glxgears;
# prefer it to `xvfb-run`, whose X server would inherit GALLIUM_DRIVER and connect to us too. CMD gets GALLIUM_DRIVER=virpipe LIBGL_ALWAYS_SOFTWARE=1
# (override by setting them in CMD's own env, e.g. `env GALLIUM_DRIVER=... CMD`).
# Inside the namespace the host /tmp is visible as /tmp/.host-tmp; paths given to --record and
# the working directory are rewritten accordingly. Exit status: CMD's (97 if the server or Xvfb did not
# come up, 98 on usage/namespace errors).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
host_tmp_alias=/tmp/.host-tmp

if [[ -z "${WEBVIRGL_VTEST_INNER:-}" ]]; then
  command -v unshare >/dev/null || { echo "vtest-run: unshare (util-linux) is required" >&2; exit 98; }
  priv=$(mktemp -d /tmp/webvirgl-vtest-run.XXXXXX)
  trap 'rm -rf "$priv"' EXIT
  if [[ $(id -u) -eq 0 ]]; then ns=(unshare --mount --net --propagation private); else
    ns=(unshare --user --map-root-user --mount --net --propagation private); fi
  # Job control puts the namespace in its own process group, so a signal to us (e.g. a test
  # runner's timeout) takes down server, Xvfb and client together.
  set +e -m
  WEBVIRGL_VTEST_INNER="$priv" WEBVIRGL_VTEST_CWD="$PWD" "${ns[@]}" bash "${BASH_SOURCE[0]}" "$@" &
  child=$!
  trap 'kill -TERM -- "-$child" 2>/dev/null' TERM INT HUP
  while :; do
    wait "$child"
    rc=$?
    kill -0 "$child" 2>/dev/null || break
  done
  exit $rc
fi

# ---- inside the namespace --------------------------------------------------------------------
priv=$WEBVIRGL_VTEST_INNER
remap() { # host path -> path valid after /tmp is replaced
  local p; p=$(realpath -m -- "$1")
  if [[ $p == /tmp || $p == /tmp/* ]]; then echo "$host_tmp_alias${p#/tmp}"; else echo "$p"; fi
}

server_args=()
server_log=""
xvfb=0
while (($#)); do
  case "$1" in
    --record) server_args+=(--record "$(remap "$2")"); shift 2 ;;
    --gzip) server_args+=(--gzip); shift ;;
    --server-arg) server_args+=("$2"); shift 2 ;;
    --server-log) server_log=$(remap "$2"); shift 2 ;;
    --xvfb) xvfb=1; shift ;;
    --) shift; break ;;
    -*) echo "vtest-run: unknown option $1" >&2; exit 98 ;;
    *) break ;;
  esac
done
(($#)) || { echo "usage: scripts/vtest-run.sh [--record DIR] [--gzip] [--server-arg ARG]... [--] CMD [ARGS...]" >&2; exit 98; }

mkdir -p "$priv/.host-tmp"
mount --bind /tmp "$priv/.host-tmp"
mount --rbind "$priv" /tmp
ip link set lo up 2>/dev/null || true
cwd=$(remap "$WEBVIRGL_VTEST_CWD"); cd "$cwd" 2>/dev/null || cd /

out=/tmp/.vtest-server.out
if [[ -n $server_log ]]; then exec 3>>"$server_log"; else exec 3>&2; fi
# The repo itself may live under the host /tmp (a CI checkout in /tmp/...), now hidden: remap it.
node "$(remap "$repo")/bin/webvirgl-vtest.mjs" --socket /tmp/.virgl_test "${server_args[@]}" >"$out" 2>&3 &
server=$!
for ((i = 0; i < 300; i++)); do
  grep -q '^listening on ' "$out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "vtest-run: server exited before listening" >&2; exit 97; }
  sleep 0.1
done
grep -q '^listening on ' "$out" || { echo "vtest-run: server did not start in 30 s" >&2; kill "$server"; exit 97; }

xserver=""
if ((xvfb)); then
  command -v Xvfb >/dev/null || { echo "vtest-run: --xvfb needs Xvfb (Debian package xvfb)" >&2; kill "$server"; exit 98; }
  # Started without virpipe in its env, so the X server's own GLX does not connect to us.
  Xvfb :7 -screen 0 1024x768x24 -nolisten tcp >/tmp/.xvfb.log 2>&1 &
  xserver=$!
  for ((i = 0; i < 100; i++)); do [[ -e /tmp/.X11-unix/X7 ]] && break; sleep 0.1; done
  [[ -e /tmp/.X11-unix/X7 ]] || { echo "vtest-run: Xvfb did not start" >&2; cat /tmp/.xvfb.log >&2; kill "$server" "$xserver"; exit 97; }
  export DISPLAY=:7
fi

set +e
GALLIUM_DRIVER=${GALLIUM_DRIVER:-virpipe} LIBGL_ALWAYS_SOFTWARE=${LIBGL_ALWAYS_SOFTWARE:-1} "$@"
rc=$?
set -e
[[ -n $xserver ]] && { kill -TERM "$xserver" 2>/dev/null; wait "$xserver" 2>/dev/null; }
kill -TERM "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
exit $rc
