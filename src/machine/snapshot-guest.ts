/**
 * The guest side of instant start. The snapshot is taken at the guest's shell prompt (booted with
 * `webvirgl.run=shell`): virtio_gpu is loaded and fbcon shows a 2D resource, but no program has
 * touched 3D yet, so nothing lives in the GPU worker that the snapshot would miss. The demo then
 * starts by typing its command line into the serial console, both right after saving and after
 * every restore, with the same markers /init prints (guest/rootfs/init `run`).
 *
 * Typed lines are echoed by the guest's tty, so markers are spelled through a shell variable
 * (`$M-BEGIN`): the echo never contains a marker, only the command's output does.
 */
import type { Demo } from "./demos.ts";

/** busybox sh prompt of the guest (guest/rootfs/etc/profile: PS1='webvirgl:\w# '). */
const PROMPT = /webvirgl:[^\n]*# $/;

export const SNAPSHOT_READY_MARKER = "WEBVIRGL-SNAPSHOT-READY";

/** Whether the current (unterminated) serial line is the shell waiting for input. */
export function isShellPrompt(partialLine: string): boolean {
  return PROMPT.test(partialLine);
}

// glmark2-es2-drm only finds a config the primary plane takes with this (as /init adds it).
const GLMARK2_VISUAL = "--visual-config r=8:g=8:b=8:a=0";

/** The shell command for a demo's program, as /init's `run` would start it. */
export function demoProgram(demo: Demo): string | null {
  const args = demo.args ? ` ${demo.args}` : "";
  switch (demo.run) {
    case "kmscube":
      return `kmscube${args}`;
    case "glmark2":
      return demo.args.includes("--visual-config") ? `glmark2-es2-drm${args}` : `glmark2-es2-drm ${GLMARK2_VISUAL}${args}`;
    case "glinfo":
      return `glinfo${args}`;
    case "sysinfo":
      return "{ uname -a; cat /proc/cpuinfo; dmesg | grep -i virtio; ls -l /dev/dri; }";
    case "shell":
      return null;
  }
}

/** The line to type at the prompt to run a demo with /init's markers (ends with a newline). */
export function demoCommandLine(demo: Demo): string {
  const program = demoProgram(demo);
  const begin = `M=WEBVIRGL-RUN; echo $M-BEGIN ${demo.run}`;
  if (!program) return `${begin}\n`;
  // Demo arguments are plain words (no quotes or shell metacharacters); globbing off like /init's `set -f`.
  return `${begin}; set -f; ${program}; s=$?; set +f; echo $M-END ${demo.run} status=$s\n`;
}

/**
 * Typed before saving: fills the guest's free RAM with zeros and frees it again, so pages that
 * held e.g. the freed initrd copy become zero and v86 (which stores only non-zero pages) leaves
 * them out of the snapshot. tmpfs mounts hold at most half the RAM each, so it is split across
 * /tmp and /dev/shm; 24 MiB stay free so nothing else runs short. Ends with the ready marker.
 */
export function prepareSnapshotCommandLine(): string {
  return (
    "f=$(awk '/MemFree/ { print int($2 / 1024) - 24 }' /proc/meminfo); " +
    "[ \"$f\" -gt 0 ] && { dd if=/dev/zero of=/tmp/.z bs=1M count=$((f / 2)) 2>/dev/null; dd if=/dev/zero of=/dev/shm/.z bs=1M count=$((f - f / 2)) 2>/dev/null; }; " +
    "rm -f /tmp/.z /dev/shm/.z; M=WEBVIRGL-SNAPSHOT; echo $M-READY\n"
  );
}
