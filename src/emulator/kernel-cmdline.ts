/**
 * Kernel command lines for the webvirgl guest kernel under v86 (guest/kernel: Debian's 6.1 source,
 * allnoconfig + webvirgl.config, everything built in).
 *
 * With Debian's 686 kernel `quiet` + `cryptomgr.notests` + `noisapnp` had made boot fast (35 s ->
 * 23 s wall under load); our kernel has no crypto self-tests and no PnP BIOS probe, so only `quiet`
 * is left of those (kernel messages over the emulated UART cost time and hide our markers). The
 * other flags are for run-time behaviour on a slow, jittery virtual CPU, not for boot speed.
 */
export const FAST_KERNEL_ARGS: readonly string[] = [
  "console=ttyS0",
  // Kernel messages over the emulated UART cost time and hide our serial markers.
  "quiet",
  "loglevel=3",
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
