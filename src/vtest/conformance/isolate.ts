// Per-test isolation: Mesa 22.3's vtest client connects to the fixed path /tmp/.virgl_test, so
// every test runs in its own mount namespace whose /tmp is a private tmpfs holding only that
// socket path, bind-mounted onto the one server's real socket. Tests running at the same time
// (and other vtest servers on the machine) never see each other's /tmp.
//
// In the namespace: mount a tmpfs on the (empty, shared) directory RUN/mnt — mounts are
// per-namespace, so every test can use the same mountpoint — create .virgl_test in it, bind the
// server socket onto it, then move the tmpfs onto /tmp and exec the test.

export const NS_SCRIPT = [
  "set -e",
  'mount -t tmpfs -o mode=1777,size=256m webvirgl-tmp "$1/mnt"',
  ': > "$1/mnt/.virgl_test"',
  'mount --bind "$1/virgl.sock" "$1/mnt/.virgl_test"',
  'mount --move "$1/mnt" /tmp',
  "shift",
  'exec "$@"',
].join("\n");

/** argv that runs `command` isolated; `runDir` holds `virgl.sock` and an empty `mnt/`. */
export function isolatedCommand(runDir: string, command: readonly string[], root = process.getuid?.() === 0): string[] {
  // Unprivileged: a user namespace mapping us to root allows the mounts.
  const ns = root ? ["unshare", "--mount", "--propagation", "private"] : ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"];
  return [...ns, "--", "sh", "-c", NS_SCRIPT, "webvirgl-ns", runDir, ...command];
}
