import type { GuestRam } from "../virtio/guest-ram.ts";

/** One guest-physical range of a resource's backing (struct virtio_gpu_mem_entry). */
export interface BackingEntry {
  address: number;
  length: number;
}

/**
 * A resource's guest backing: scattered guest pages seen as one linear byte string (the
 * resource's "iov"). Only addresses are kept; bytes are read from guest RAM at transfer time
 * through the bounds-checked GuestRam, since the guest owns and rewrites those pages.
 */
export class Backing {
  readonly totalLength: number;
  /** starts[i] = linear offset of entries[i]; sorted, for binary search. */
  private readonly starts: Float64Array;

  constructor(readonly entries: readonly BackingEntry[]) {
    this.starts = new Float64Array(entries.length);
    let total = 0;
    entries.forEach((entry, i) => {
      this.starts[i] = total;
      total += entry.length;
    });
    this.totalLength = total;
  }

  /** Copies linear bytes [offset, offset + length) into `target` at `targetOffset`. Caller checked the range. */
  gather(ram: GuestRam, offset: number, length: number, target: Uint8Array, targetOffset: number): void {
    if (offset < 0 || length < 0 || offset + length > this.totalLength) {
      throw new RangeError(`backing read ${offset}+${length} beyond its ${this.totalLength} bytes`);
    }
    let index = this.entryAt(offset);
    let within = offset - this.starts[index];
    let done = 0;
    while (done < length) {
      const entry = this.entries[index];
      const piece = Math.min(entry.length - within, length - done);
      ram.copyOut(entry.address + within, piece, target, targetOffset + done);
      done += piece;
      index++;
      within = 0;
    }
  }

  /** Copies `source` to linear bytes [offset, offset + source.length) (host results into guest pages). Caller checked the range. */
  scatter(ram: GuestRam, offset: number, source: Uint8Array): void {
    const length = source.length;
    if (offset < 0 || offset + length > this.totalLength) {
      throw new RangeError(`backing write ${offset}+${length} beyond its ${this.totalLength} bytes`);
    }
    if (length === 0) return;
    let index = this.entryAt(offset);
    let within = offset - this.starts[index];
    let done = 0;
    while (done < length) {
      const entry = this.entries[index];
      const piece = Math.min(entry.length - within, length - done);
      ram.copyIn(entry.address + within, source.subarray(done, done + piece));
      done += piece;
      index++;
      within = 0;
    }
  }

  /** Index of the entry containing linear byte `offset` (skipping zero-length entries). */
  private entryAt(offset: number): number {
    let low = 0;
    let high = this.entries.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    while (low < this.entries.length - 1 && this.entries[low].length === 0) low++;
    return low;
  }
}
