/**
 * ttyS0 interrupt watchdog: a workaround for an interrupt edge the guest never receives.
 *
 * Observed (CI and local, roughly 1 boot in 20-60, more under load): serial output stopped for
 * good right after `WEBVIRGL-INIT-START` while the guest ran on (fbcon on the virtio-gpu screen
 * showed /init reaching its shell). Linux queues tty output and sends it from the 8250 interrupt,
 * so one lost transmit interrupt silences ttyS0 forever. v86's 16550 model (src/uart.js) raises
 * IRQ 4 through `device_raise_irq`, and both v86 interrupt controllers (src/rust/cpu/pic.rs,
 * ioapic.rs) latch an ISA interrupt only on a low-to-high change of the line: a raise while the
 * line is already high is dropped, and an edge that arrives while the IOAPIC pin is masked is
 * dropped too. The UART then sits with an enabled interrupt pending (IIR bit 0 clear) that is
 * never delivered, because the line never goes low and high again.
 *
 * So: every check, if the UART reports an enabled interrupt pending and it was already pending at
 * the previous check while the guest executed at least `minInstructions` in between (the guest
 * services a delivered interrupt within microseconds of its own time; a paused CPU does not
 * count), pulse the line low and let the UART raise it again. A spurious pulse costs the guest
 * one handled interrupt; each pulse is counted and the first one is logged.
 *
 * Spec: 16550 IIR (National Semiconductor PC16550D datasheet, "Interrupt Identification
 * Register"): bit 0 = 0 means an interrupt is pending.
 */

/** IIR bit 0: set = no interrupt pending. */
const IIR_NO_INTERRUPT = 0x01;

/** What the watchdog reads from the emulated UART (v86's `UART` object has these fields). */
export interface UartView {
  /** Interrupt identification register as the UART model keeps it. */
  iir: number;
  ier: number;
  irq: number;
}

export interface SerialIrqWatchdogHooks {
  /** The UART's current registers, or null when there is none. */
  uart(): UartView | null;
  /** Guest instructions executed so far (monotonic while the CPU runs). */
  instructions(): number;
  /** Drive the UART's line low, then let the UART raise it again (a fresh edge). */
  repulse(): void;
  log(message: string): void;
}

export interface SerialIrqWatchdogStats {
  checks: number;
  /** Pulses sent: each one is an interrupt the guest had not received. */
  kicks: number;
}

/** Guest instructions an interrupt may stay pending before it counts as lost (~20-100 ms of guest time). */
export const DEFAULT_MIN_INSTRUCTIONS = 20_000_000;

export class SerialIrqWatchdog {
  readonly stats: SerialIrqWatchdogStats = { checks: 0, kicks: 0 };
  /** Instruction count when the pending interrupt was first seen, or null. */
  private pendingSince: number | null = null;

  constructor(
    private readonly hooks: SerialIrqWatchdogHooks,
    private readonly minInstructions = DEFAULT_MIN_INSTRUCTIONS,
  ) {}

  /** One check (call it periodically, e.g. every 250 ms of wall time). */
  check(): void {
    this.stats.checks++;
    const uart = this.hooks.uart();
    const now = this.hooks.instructions();
    if (!uart || (uart.iir & IIR_NO_INTERRUPT) !== 0) {
      this.pendingSince = null;
      return;
    }
    if (this.pendingSince === null || now < this.pendingSince) {
      this.pendingSince = now;
      return;
    }
    if (now - this.pendingSince < this.minInstructions) return;
    this.stats.kicks++;
    if (this.stats.kicks === 1) {
      this.hooks.log(
        `webvirgl: ttyS0 interrupt pending (IIR 0x${uart.iir.toString(16)}, IER 0x${uart.ier.toString(16)}) for ` +
          `${Math.round((now - this.pendingSince) / 1e6)} M guest instructions without delivery; re-raising IRQ ${uart.irq} ` +
          "(v86 dropped the edge; counted in serialIrqWatchdog.kicks)",
      );
    }
    this.pendingSince = null;
    this.hooks.repulse();
  }
}
