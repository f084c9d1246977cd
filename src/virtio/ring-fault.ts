/**
 * A guest-driver error found while reading a virtqueue (VIRTIO 1.2 2.7: a device that meets one
 * may set DEVICE_NEEDS_RESET, see 2.1.2). It names the exact place so the log says what was wrong.
 */
export class RingFault extends Error {
  constructor(
    /** Where: e.g. "descriptor 3", "indirect descriptor 1 (table at descriptor 0)", "avail ring". */
    readonly location: string,
    /** Which field of that structure: "next", "flags", "addr/len", "idx", ... */
    readonly field: string,
    /** The offending value, already formatted (hex for addresses). */
    readonly value: string,
    /** What rule it broke. */
    readonly reason: string,
  ) {
    super(`${location}: field ${field} = ${value}: ${reason}`);
    this.name = "RingFault";
  }
}

export function hex(value: number): string {
  return Number.isFinite(value) ? `0x${value.toString(16)}` : ">=2^53";
}
