/**
 * Kernel command lines for the Debian 686 guest under v86.
 *
 * Measured on v86 0.5.462, Debian 6.1.0-50-686, a busybox initramfs, 2 shared cores under load:
 * what makes boot fast is `quiet` + `cryptomgr.notests` + `noisapnp` (one run: 35 s -> 23 s wall
 * with only `console=ttyS0` as the baseline; platform notes: ~12 s -> ~5 s on an idle machine).
 * The other flags change the guest's instruction count to /init by under 0.2% (2.636 G vs
 * 2.642 G instructions); they are here for run-time behaviour on a slow, jittery virtual CPU, not
 * for boot speed. Of the remaining boot time, ~3.5 s is the kernel's own XZ decompression (before
 * any printk) and ~1.2 s unpacking the initramfs; neither is reachable from the command line.
 */
export const FAST_KERNEL_ARGS: readonly string[] = [
  "console=ttyS0",
  // Kernel messages over the emulated UART cost time and hide our serial markers.
  "quiet",
  "loglevel=3",
  // The crypto self-tests dominated boot time.
  "cryptomgr.notests",
  // v86's BIOS has no PnP BIOS: the probe only fails, slowly.
  "noisapnp",
  // v86's TSC is a fixed 1 GHz clock: when the host is busy, the clocksource watchdog would
  // otherwise declare it unstable and fall back to a slower clocksource.
  "tsc=reliable",
  "no_timer_check",
  "lpj=4000000",
  // No soft-lockup reports when the host starves the emulator for seconds.
  "nowatchdog",
  // Deterministic kernel addresses: stack traces and symbol lookups match between boots.
  "nokaslr",
  // No security boundary inside a page-local VM worth paying speculation mitigations for.
  "mitigations=off",
  // The guest has no entropy source besides RDRAND; don't block on the crng.
  "random.trust_cpu=on",
  // No i8042.noaux: the VGA view forwards the mouse to the PS/2 aux port.
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
