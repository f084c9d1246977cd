import type { GuestMemory } from "../virtio/guest-memory.ts";
import type { V86Cpu } from "./v86-internals.ts";

/**
 * Guest RAM as a plain Uint8Array over v86's wasm memory. `cpu.mem8` is a slow Proxy in
 * 0.5.x, so we build our own view at its byte offset and rebuild it whenever the wasm memory
 * has grown (growth replaces `wasm_memory.buffer` and detaches every old view).
 */
export class V86GuestMemory implements GuestMemory {
  private view: Uint8Array | null = null;
  private viewBuffer: ArrayBuffer | null = null;

  constructor(private readonly cpu: V86Cpu) {}

  get size(): number {
    return this.cpu.memory_size[0] ?? 0;
  }

  bytes(): Uint8Array {
    const buffer = this.cpu.wasm_memory.buffer;
    const size = this.size;
    if (this.view === null || this.viewBuffer !== buffer || this.view.length !== size) {
      const offset = this.cpu.mem8.byteOffset;
      if (offset + size > buffer.byteLength) {
        throw new RangeError(
          `guest RAM [${offset}, ${offset + size}) lies outside v86's wasm memory (${buffer.byteLength} bytes)`,
        );
      }
      this.view = new Uint8Array(buffer, offset, size);
      this.viewBuffer = buffer;
    }
    return this.view;
  }
}
