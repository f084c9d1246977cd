import { describe, expect, it } from "vitest";
import { ReadbackOutput, forceOpaque } from "./readback-output.ts";

/** What putImageData received (Node has no ImageData: the stand-in keeps the fields we check). */
interface Put {
  data: number[];
  width: number;
  height: number;
  x: number;
  y: number;
}

function output(): { out: ReadbackOutput; puts: Put[] } {
  const puts: Put[] = [];
  const makeImage = (pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number) => ({ data: pixels, width, height }) as unknown as ImageData;
  const out = new ReadbackOutput(
    { putImageData: (img, x, y) => puts.push({ data: Array.from(img.data), width: img.width, height: img.height, x, y }) },
    makeImage,
  );
  return { out, puts };
}

describe("forceOpaque", () => {
  it("sets alpha to 255 and leaves R, G, B alone", () => {
    const px = new Uint8ClampedArray([1, 2, 3, 0, 250, 251, 252, 128, 7, 8, 9, 255]);
    forceOpaque(px);
    expect(Array.from(px)).toEqual([1, 2, 3, 255, 250, 251, 252, 255, 7, 8, 9, 255]);
  });

  it("works on a view into a larger buffer and touches nothing outside it", () => {
    const buf = new Uint8ClampedArray(16);
    forceOpaque(buf.subarray(4, 12));
    expect(Array.from(buf)).toEqual([0, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0]);
  });

  it("refuses bytes that are not whole pixels", () => {
    expect(() => forceOpaque(new Uint8ClampedArray(6))).toThrow(/not whole RGBA pixels/);
    expect(() => forceOpaque(new Uint8ClampedArray(12).subarray(2, 10))).toThrow(/offset 2/);
  });
});

describe("ReadbackOutput", () => {
  it("puts each rect at its place, opaque, sized to the rect", () => {
    const { out, puts } = output();
    const r = { x: 3, y: 5, width: 2, height: 1 };
    const px = out.pixels(r);
    expect(px.length).toBe(8);
    px.set([10, 20, 30, 0, 40, 50, 60, 1]);
    out.put(r, px);
    expect(puts).toEqual([{ data: [10, 20, 30, 255, 40, 50, 60, 255], width: 2, height: 1, x: 3, y: 5 }]);
  });

  it("reuses one scratch buffer, grown only for a larger rect", () => {
    const { out } = output();
    const big = out.pixels({ x: 0, y: 0, width: 4, height: 4 });
    const small = out.pixels({ x: 0, y: 0, width: 1, height: 2 });
    expect(small.buffer).toBe(big.buffer);
    expect(small.length).toBe(8);
    const bigger = out.pixels({ x: 0, y: 0, width: 8, height: 8 });
    expect(bigger.buffer).not.toBe(big.buffer);
    expect(bigger.length).toBe(256);
  });
});
