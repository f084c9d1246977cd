import { describe, expect, it } from "vitest";
import { FORMATS_2D, conv2D, isFormat2D, pixelToRGBA, rgbaToPixel } from "./conv-2d.ts";

/** Applies the shader maths (colour = M * texel + b) on the CPU, texel in 0..255. */
function shade(format: Parameters<typeof conv2D>[0], bytes: number[]): number[] {
  const { matrix, bias } = conv2D(format);
  const out: number[] = [];
  for (let row = 0; row < 4; row++) {
    let v = bias[row] * 255;
    for (let col = 0; col < 4; col++) v += matrix[col * 4 + row] * bytes[col];
    out.push(v);
  }
  return out;
}

describe("conv-2d", () => {
  // Bytes in memory order 0x11 0x22 0x33 0x44, read per the Gallium name.
  const bytes = [0x11, 0x22, 0x33, 0x44];
  const expected: Record<number, number[]> = {
    1: [0x33, 0x22, 0x11, 0x44], // B8G8R8A8: B G R A
    2: [0x33, 0x22, 0x11, 0xff], // B8G8R8X8
    3: [0x22, 0x33, 0x44, 0x11], // A8R8G8B8: A R G B
    4: [0x22, 0x33, 0x44, 0xff], // X8R8G8B8
    67: [0x11, 0x22, 0x33, 0x44], // R8G8B8A8
    68: [0x44, 0x33, 0x22, 0xff], // X8B8G8R8: X B G R
    121: [0x44, 0x33, 0x22, 0x11], // A8B8G8R8: A B G R
    134: [0x11, 0x22, 0x33, 0xff], // R8G8B8X8
  };

  it("covers exactly the eight virtio 2D formats", () => {
    expect([...FORMATS_2D].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 67, 68, 121, 134]);
    expect(isFormat2D(2)).toBe(true);
    expect(isFormat2D(5)).toBe(false);
    expect(isFormat2D("1")).toBe(false);
  });

  for (const f of FORMATS_2D) {
    it(`format ${f} (${conv2D(f).name}) reference conversion`, () => {
      expect(pixelToRGBA(f, bytes)).toEqual(expected[f]);
    });
    it(`format ${f} shader matrix matches the reference`, () => {
      expect(shade(f, bytes)).toEqual(expected[f]);
    });
    it(`format ${f} round-trips through rgbaToPixel`, () => {
      const rgba: [number, number, number, number] = [1, 2, 3, conv2D(f).opaque ? 255 : 4];
      expect(pixelToRGBA(f, rgbaToPixel(f, rgba))).toEqual(rgba);
    });
  }

  it("X formats are opaque, A formats are not", () => {
    expect(FORMATS_2D.filter((f) => conv2D(f).opaque)).toEqual([2, 4, 68, 134]);
  });

  it("X formats ignore the padding byte", () => {
    expect(pixelToRGBA(2, [1, 2, 3, 0])).toEqual([3, 2, 1, 255]);
    expect(shade(68, [0, 1, 2, 3])).toEqual([3, 2, 1, 255]);
  });
});
