/**
 * Kernel command lines for the Debian 686 guest under v86.
 *
 * Measured on v86 0.5.462, Debian 6.1.0-50-686, 2 shared cores (noisy, ±1 s): boot to /init took
 * ~12 s with only `console=ttyS0`; ~9-10 s with FAST_KERNEL_ARGS. Of what remains, ~3.5 s is the
 * kernel's own XZ decompression (before any printk) and ~1.2 s unpacking the initramfs; neither is
 * reachable from the command line.
 */
export const FAST_KERNEL_ARGS: readonly string[] = [
  "console=ttyS0",
  // Kernel messages over the emulated UART cost time and hide our serial markers.
  "quiet",
  "loglevel=3",
  // The crypto self-tests dominated boot time (platform notes: ~12 s -> ~5 s).
  "cryptomgr.notests",
  // v86's BIOS has no PnP BIOS: the probe only fails, slowly.
  "noisapnp",
  // v86's TSC runs at a fixed 1 GHz: skip calibration and the clocksource watchdog.
  "tsc=reliable",
  "no_timer_check",
  "lpj=4000000",
  "nowatchdog",
  // Deterministic kernel addresses (and no random-offset work in the decompressor).
  "nokaslr",
  // No security boundary inside a page-local VM worth paying speculation mitigations for.
  "mitigations=off",
  // The guest has no entropy source besides RDRAND; don't block on the crng.
  "random.trust_cpu=on",
  // We do not probe the PS/2 aux port away (i8042.noaux): the VGA view forwards the mouse.
];

/** The fast defaults, then `extra` (later arguments win in the kernel's parser). */
export function buildKernelCmdline(extra: string | readonly string[] = []): string {
  const extras = typeof extra === "string" ? extra.split(/\s+/) : extra;
  return [...FAST_KERNEL_ARGS, ...extras].filter((arg) => arg.length > 0).join(" ");
}

/** Names a guest program for the guest's /init (`webvirgl.run=<name>`). */
export type GuestRun = "kmscube" | "glinfo" | "glmark2" | "shell" | "sysinfo";

export function guestRunArg(run: GuestRun): string {
  return `webvirgl.run=${run}`;
}
