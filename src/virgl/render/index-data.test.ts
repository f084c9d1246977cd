import { describe, expect, it } from "vitest";
import { prepareIndices } from "./index-data.ts";

const u16 = (...v: number[]) => new Uint8Array(Uint16Array.from(v).buffer);
const asU16 = (d: Uint8Array) => Array.from(new Uint16Array(d.buffer, d.byteOffset, d.length / 2));
const asU32 = (d: Uint8Array) => Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length / 4));

describe("prepareIndices", () => {
  it("copies the range when nothing needs rewriting", () => {
    const r = prepareIndices(u16(9, 1, 2, 3, 9), 2, 2, 0, 3, 0, false, 0);
    if (typeof r === "string") throw new Error(r);
    expect(r.size).toBe(2);
    expect(asU16(r.data)).toEqual([1, 2, 3]);
  });
  it("adds index_bias, widening when it no longer fits", () => {
    const a = prepareIndices(u16(0, 1, 2), 2, 0, 0, 3, 10, false, 0);
    if (typeof a === "string") throw new Error(a);
    expect(asU16(a.data)).toEqual([10, 11, 12]);
    const b = prepareIndices(u16(0, 0xfff0), 2, 0, 0, 2, 0x20, false, 0);
    if (typeof b === "string") throw new Error(b);
    expect(b.size).toBe(4);
    expect(asU32(b.data)).toEqual([0x20, 0x10010]);
  });
  it("negative bias clamps at 0", () => {
    const a = prepareIndices(u16(5, 6), 2, 0, 0, 2, -6, false, 0);
    if (typeof a === "string") throw new Error(a);
    expect(asU16(a.data)).toEqual([0, 0]);
  });
  it("rewrites a custom restart index to the fixed one", () => {
    const a = prepareIndices(u16(0, 1, 7, 2, 3), 2, 0, 0, 5, 0, true, 7);
    if (typeof a === "string") throw new Error(a);
    expect(asU16(a.data)).toEqual([0, 1, 0xffff, 2, 3]);
    const b = prepareIndices(Uint8Array.from([1, 0xfe, 2]), 1, 0, 0, 3, 0, true, 0xfe);
    if (typeof b === "string") throw new Error(b);
    expect(Array.from(b.data)).toEqual([1, 0xff, 2]);
  });
  it("rejects ranges beyond the buffer", () => {
    expect(prepareIndices(u16(1, 2), 2, 2, 1, 1, 0, false, 0)).toMatch(/beyond/);
    expect(prepareIndices(u16(1, 2), 3, 0, 0, 1, 0, false, 0)).toMatch(/index size/);
  });
});
