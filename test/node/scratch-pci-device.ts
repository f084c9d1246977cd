/**
 * A trivial PCI function for testing the v86 PciHost adapter from inside the guest: one 128 KiB
 * memory BAR with a read/write scratch register, a read-only id register and write counters.
 */
import type { Device, DeviceContext } from "../../src/emulator/device.ts";

export const SCRATCH_VENDOR_ID = 0x1234;
export const SCRATCH_DEVICE_ID = 0xbeef;
/** Device 0x0f on bus 0: a slot v86 0.5.462 leaves free. */
export const SCRATCH_PCI_ID = 0x0f << 3;
/** Fixed: v86 ignores BAR moves by the BIOS/kernel. */
export const SCRATCH_BAR_BASE = 0xfe000000;
export const SCRATCH_BAR_SIZE = 128 * 1024;
export const SCRATCH_ID_VALUE = 0xc0ffee01;

export const REG_SCRATCH = 0x0;
export const REG_ID = 0x4;
export const REG_WRITES = 0x8;

export interface ScratchDevice extends Device {
  readonly scratch: number;
  readonly writes: number;
  /** How often the machine reset this device (guest reboots). */
  readonly resets: number;
}

function configSpace(): Uint8Array {
  const space = new Uint8Array(256);
  const view = new DataView(space.buffer);
  view.setUint16(0x00, SCRATCH_VENDOR_ID, true);
  view.setUint16(0x02, SCRATCH_DEVICE_ID, true);
  view.setUint16(0x04, 0x0002, true); // command: memory space enabled
  view.setUint8(0x08, 0x01); // revision
  view.setUint8(0x0b, 0xff); // class: unassigned
  view.setUint32(0x10, SCRATCH_BAR_BASE, true); // BAR0: 32-bit memory, non-prefetchable
  view.setUint16(0x2c, SCRATCH_VENDOR_ID, true); // subsystem vendor
  view.setUint16(0x2e, 0x0001, true);
  view.setUint8(0x3d, 0x01); // interrupt pin INTA
  return space;
}

export function createScratchDevice({ pciHost }: DeviceContext): ScratchDevice {
  const state = { scratch: 0, writes: 0, resets: 0 };
  pciHost.registerDevice({
    pciId: SCRATCH_PCI_ID,
    configSpace: configSpace(),
    bars: [{ size: SCRATCH_BAR_SIZE }],
    name: "webvirgl-scratch",
  });
  const read32 = (offset: number): number => {
    switch (offset) {
      case REG_SCRATCH:
        return state.scratch;
      case REG_ID:
        return SCRATCH_ID_VALUE | 0;
      case REG_WRITES:
        return state.writes;
      default:
        return 0;
    }
  };
  pciHost.mapMmio(SCRATCH_BAR_BASE, SCRATCH_BAR_SIZE, {
    read32,
    read8: (offset) => (read32(offset & ~3) >>> ((offset & 3) * 8)) & 0xff,
    write32: (offset, value) => {
      if (offset === REG_SCRATCH) state.scratch = value >>> 0;
      state.writes++;
    },
    write8: (offset, value) => {
      if ((offset & ~3) === REG_SCRATCH) {
        const shift = (offset & 3) * 8;
        state.scratch = ((state.scratch & ~(0xff << shift)) | ((value & 0xff) << shift)) >>> 0;
      }
      state.writes++;
    },
  });
  return {
    name: "webvirgl-scratch",
    reset() {
      state.scratch = 0;
      state.resets++;
    },
    get scratch() {
      return state.scratch;
    },
    get writes() {
      return state.writes;
    },
    get resets() {
      return state.resets;
    },
  };
}
