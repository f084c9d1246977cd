// A bounds-checked view of one command's payload: `at(i)` is payload dword i (0 = first dword
// after the header). Reads outside the payload are impossible: the walker created the view with
// a length already checked against the submit, and every `at` re-checks the index.

import { fail } from "./errors.ts";

const f32 = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32OfF64 = new Uint32Array(f64.buffer);

export class Payload {
  constructor(
    readonly words: Uint32Array,
    /** Dword index of the first payload dword inside `words`. */
    readonly base: number,
    readonly length: number,
  ) {}

  at(i: number): number {
    if (i < 0 || i >= this.length) fail("payload", i, `read past the ${this.length}-dword payload`);
    return this.words[this.base + i];
  }
  i32(i: number): number {
    return this.at(i) | 0;
  }
  f32(i: number): number {
    u32OfF32[0] = this.at(i);
    return f32[0];
  }
  /** f64 stored as two dwords, low word first. */
  f64(i: number): number {
    u32OfF64[0] = this.at(i);
    u32OfF64[1] = this.at(i + 1);
    return f64[0];
  }
  /** Copy of dwords [from, from + count). */
  slice(from: number, count: number): Uint32Array {
    if (from < 0 || count < 0 || from + count > this.length) fail("payload", from + count, "slice past the payload");
    return this.words.slice(this.base + from, this.base + from + count);
  }
  /** Copy of the bytes of dwords [from, from + count). */
  bytes(from: number, count: number): Uint8Array {
    const dw = this.slice(from, count);
    return new Uint8Array(dw.buffer, dw.byteOffset, dw.byteLength);
  }

  /** Payload length must be exactly `n`. */
  exact(n: number): void {
    if (this.length !== n) fail("length", this.length, `must be ${n}`);
  }
  atLeast(n: number): void {
    if (this.length < n) fail("length", this.length, `must be at least ${n}`);
  }
}

/** A u32 that must fit a non-negative int32 (pipe_box fields, offsets used as ints by vrend). */
export function nonNegInt(p: Payload, i: number, field: string): number {
  const v = p.at(i);
  if (v > 0x7fffffff) fail(field, v, "must be a non-negative 32-bit int");
  return v;
}
