import type { GuestMemory } from "./guest-memory.ts";

/** A guest-physical address range that failed a bounds check. */
export class GuestRamRangeError extends Error {
  constructor(
    readonly address: number,
    readonly length: number,
    readonly ramSize: number,
  ) {
    super(`guest range 0x${address.toString(16)}+0x${length.toString(16)} is outside guest RAM (0x${ramSize.toString(16)} bytes)`);
    this.name = "GuestRamRangeError";
  }
}

/** Guest-physical 64-bit value (hi:lo) as a JS number; values ≥ 2^53 become Infinity (never in RAM). */
export function u64ToNumber(lo: number, hi: number): number {
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY;
  return hi * 0x1_0000_0000 + (lo >>> 0);
}

/**
 * Bounds-checked little-endian access to guest RAM. Every call takes a fresh view from
 * GuestMemory.bytes() because v86 detaches views when its wasm memory grows.
 */
export class GuestRam {
  constructor(readonly memory: GuestMemory) {}

  get size(): number {
    return this.memory.size;
  }

  /** True when [address, address + length) lies inside guest RAM (length may be 0). */
  contains(address: number, length: number): boolean {
    return (
      Number.isFinite(address) &&
      Number.isFinite(length) &&
      address >= 0 &&
      length >= 0 &&
      address + length <= this.memory.size
    );
  }

  check(address: number, length: number): void {
    if (!this.contains(address, length)) throw new GuestRamRangeError(address, length, this.memory.size);
  }

  readU8(address: number): number {
    this.check(address, 1);
    return this.memory.bytes()[address];
  }

  readU16(address: number): number {
    this.check(address, 2);
    const ram = this.memory.bytes();
    return ram[address] | (ram[address + 1] << 8);
  }

  readU32(address: number): number {
    this.check(address, 4);
    const ram = this.memory.bytes();
    return (ram[address] | (ram[address + 1] << 8) | (ram[address + 2] << 16) | (ram[address + 3] << 24)) >>> 0;
  }

  /** Reads a u64 as a number (Infinity if ≥ 2^53; such an address is never inside RAM). */
  readU64(address: number): number {
    const lo = this.readU32(address);
    const hi = this.readU32(address + 4);
    return u64ToNumber(lo, hi);
  }

  writeU16(address: number, value: number): void {
    this.check(address, 2);
    const ram = this.memory.bytes();
    ram[address] = value & 0xff;
    ram[address + 1] = (value >>> 8) & 0xff;
  }

  writeU32(address: number, value: number): void {
    this.check(address, 4);
    const ram = this.memory.bytes();
    ram[address] = value & 0xff;
    ram[address + 1] = (value >>> 8) & 0xff;
    ram[address + 2] = (value >>> 16) & 0xff;
    ram[address + 3] = (value >>> 24) & 0xff;
  }

  /** Copies guest bytes into `target` at `targetOffset`. */
  copyOut(address: number, length: number, target: Uint8Array, targetOffset: number): void {
    this.check(address, length);
    target.set(this.memory.bytes().subarray(address, address + length), targetOffset);
  }

  /** Copies `source` into guest RAM at `address`. */
  copyIn(address: number, source: Uint8Array): void {
    this.check(address, source.length);
    this.memory.bytes().set(source, address);
  }
}
