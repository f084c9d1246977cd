import type { GuestSegment } from "./descriptor-chain.ts";
import type { GuestRam } from "./guest-ram.ts";

/** Thrown when a device reads or writes past the end of a request's segments (a device bug). */
export class RequestRangeError extends Error {
  constructor(what: "read" | "write", offset: number, length: number, available: number) {
    super(`request ${what} of ${length} bytes at offset ${offset} exceeds the ${available} ${what === "read" ? "readable" : "writable"} bytes`);
    this.name = "RequestRangeError";
  }
}

function totalLength(segments: readonly GuestSegment[]): number {
  let total = 0;
  for (const segment of segments) total += segment.length;
  return total;
}

/** Visits the parts of [offset, offset + length) of a segment list as guest address ranges. */
function forEachPiece(
  segments: readonly GuestSegment[],
  offset: number,
  length: number,
  visit: (address: number, pieceLength: number, doneSoFar: number) => void,
): void {
  let skip = offset;
  let done = 0;
  for (const segment of segments) {
    if (done === length) return;
    if (skip >= segment.length) {
      skip -= segment.length;
      continue;
    }
    const piece = Math.min(segment.length - skip, length - done);
    visit(segment.address + skip, piece, done);
    done += piece;
    skip = 0;
  }
}

/**
 * One popped descriptor chain as a device handler sees it: the device-readable bytes (the
 * request) and device-writable bytes (the response), each a logical byte string spread over
 * guest segments. The handler completes it — now or much later, in any order — with the
 * number of bytes it wrote. Completion after a device reset is ignored by the transport.
 */
export class VirtioRequest {
  readonly readableLength: number;
  readonly writableLength: number;
  private completed = false;

  constructor(
    private readonly ram: GuestRam,
    readonly queueIndex: number,
    readonly head: number,
    readonly readable: readonly GuestSegment[],
    readonly writable: readonly GuestSegment[],
    private readonly onComplete: (request: VirtioRequest, bytesWritten: number) => void,
  ) {
    this.readableLength = totalLength(readable);
    this.writableLength = totalLength(writable);
  }

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Copies `length` readable bytes starting at `offset` into a new array. */
  readBytes(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.readableLength) {
      throw new RequestRangeError("read", offset, length, this.readableLength);
    }
    const out = new Uint8Array(length);
    forEachPiece(this.readable, offset, length, (address, pieceLength, doneSoFar) => {
      this.ram.copyOut(address, pieceLength, out, doneSoFar);
    });
    return out;
  }

  /** Copies `data` into the writable bytes starting at `offset`. */
  writeBytes(offset: number, data: Uint8Array): void {
    if (offset < 0 || offset + data.length > this.writableLength) {
      throw new RequestRangeError("write", offset, data.length, this.writableLength);
    }
    forEachPiece(this.writable, offset, data.length, (address, pieceLength, doneSoFar) => {
      this.ram.copyIn(address, data.subarray(doneSoFar, doneSoFar + pieceLength));
    });
  }

  /** Returns the request to the driver with `bytesWritten` in the used ring. Idempotent. */
  complete(bytesWritten: number): void {
    if (this.completed) return;
    this.completed = true;
    this.onComplete(this, Math.max(0, Math.min(bytesWritten, this.writableLength)));
  }
}
