/**
 * Guest physical memory as a device model sees it.
 *
 * v86 keeps guest RAM in a wasm memory that grows at run time; every growth detaches old
 * ArrayBuffer views, so implementations hand out a fresh view on each call and callers must
 * not keep one across a call back into the emulator.
 */
export interface GuestMemory {
  /** Bytes of guest RAM. Addresses at or above this are outside guest RAM. */
  readonly size: number;
  /** A view of all guest RAM, index = guest physical address. Valid until the emulator runs again. */
  bytes(): Uint8Array;
}

/** GuestMemory over a plain buffer: for unit tests and for recorded streams. */
export class ArrayGuestMemory implements GuestMemory {
  readonly size: number;
  private readonly ram: Uint8Array;

  constructor(size: number) {
    this.size = size;
    this.ram = new Uint8Array(size);
  }

  bytes(): Uint8Array {
    return this.ram;
  }
}
