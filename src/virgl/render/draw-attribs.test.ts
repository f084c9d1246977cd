import { describe, expect, it } from "vitest";
import { misalignedAttrib } from "./draw.ts";

describe("misalignedAttrib (WebGL's offset/stride alignment rule)", () => {
  it("bytes never need repacking", () => {
    expect(misalignedAttrib(0x1401, 3, 7)).toBe(false);
    expect(misalignedAttrib(0x1400, 1, 0)).toBe(false);
  });
  it("16-bit types need even offsets and strides", () => {
    expect(misalignedAttrib(0x1403, 2, 6)).toBe(false);
    expect(misalignedAttrib(0x1403, 1, 6)).toBe(true);
    expect(misalignedAttrib(0x140b, 2, 5)).toBe(true);
  });
  it("32-bit and packed 2_10_10_10 types need multiples of 4 (stride 0 = constant is aligned)", () => {
    expect(misalignedAttrib(0x1406, 8, 27)).toBe(true);
    expect(misalignedAttrib(0x1406, 9, 0)).toBe(true);
    expect(misalignedAttrib(0x1406, 12, 0)).toBe(false);
    expect(misalignedAttrib(0x8368, 2, 4)).toBe(true);
  });
});
