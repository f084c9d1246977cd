import { describe, expect, it } from "vitest";
import { SerialIrqWatchdog, type UartView } from "./serial-irq-watchdog.ts";

/** A UART + CPU model: `iir` as v86 keeps it, an instruction counter the test advances. */
function rig(minInstructions = 1000) {
  const uart: UartView = { iir: 1, ier: 0x05, irq: 4 };
  const state = { instructions: 0, pulses: 0, logs: [] as string[], uart: uart as UartView | null };
  const watchdog = new SerialIrqWatchdog(
    {
      uart: () => state.uart,
      instructions: () => state.instructions,
      repulse: () => state.pulses++,
      log: (m) => state.logs.push(m),
    },
    minInstructions,
  );
  return { uart, state, watchdog };
}

describe("SerialIrqWatchdog", () => {
  it("re-raises a transmit interrupt that stayed pending while the guest ran on", () => {
    const { uart, state, watchdog } = rig();
    uart.ier = 0x07;
    uart.iir = 0x02; // THRE pending
    watchdog.check();
    state.instructions += 5000;
    watchdog.check();
    expect(state.pulses).toBe(1);
    expect(watchdog.stats.kicks).toBe(1);
    expect(state.logs[0]).toMatch(/ttyS0 interrupt pending \(IIR 0x2, IER 0x7\).*re-raising IRQ 4/);
  });

  it("leaves an interrupt alone while the guest has not run long enough to take it", () => {
    const { uart, state, watchdog } = rig();
    uart.iir = 0x04;
    watchdog.check();
    state.instructions += 999;
    watchdog.check();
    expect(state.pulses).toBe(0);
    state.instructions += 1;
    watchdog.check();
    expect(state.pulses).toBe(1);
  });

  it("does nothing while the CPU is stopped (no instructions) or nothing is pending", () => {
    const { uart, state, watchdog } = rig();
    uart.iir = 0x02;
    for (let i = 0; i < 5; i++) watchdog.check();
    expect(state.pulses).toBe(0);
    uart.iir = 0x01;
    state.instructions += 1e9;
    watchdog.check();
    watchdog.check();
    expect(state.pulses).toBe(0);
  });

  it("starts over when the pending interrupt was delivered in between", () => {
    const { uart, state, watchdog } = rig();
    uart.iir = 0x02;
    watchdog.check();
    uart.iir = 0x01; // the guest read IIR
    state.instructions += 600;
    watchdog.check();
    uart.iir = 0x02; // a new transmit interrupt
    state.instructions += 600;
    watchdog.check();
    state.instructions += 600;
    watchdog.check();
    expect(state.pulses).toBe(0);
  });

  it("copes with a wrapped 32-bit instruction counter and a missing UART", () => {
    const { uart, state, watchdog } = rig();
    uart.iir = 0x02;
    state.instructions = 0xffff_ff00;
    watchdog.check();
    state.instructions = 10; // wrapped: treated as a fresh observation
    watchdog.check();
    expect(state.pulses).toBe(0);
    state.uart = null;
    watchdog.check();
    expect(watchdog.stats).toEqual({ checks: 3, kicks: 0 });
  });
});
