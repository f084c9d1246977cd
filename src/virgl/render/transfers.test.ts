import { describe, expect, it } from "vitest";
import { spanWrites } from "./transfers.ts";

describe("spanWrites", () => {
  const bytes = Uint8Array.from({ length: 80 }, (_, i) => i);
  it("one write for contiguous rows", () => {
    const w = spanWrites(7, 100, bytes.subarray(0, 24), { stride: 8, layerStride: 24, rowBytes: 8, rows: 3, bytes: 24 }, 1);
    expect(w).toEqual([{ res: 7, offset: 100, bytes: bytes.subarray(0, 24) }]);
  });
  it("one write per row when the guest stride leaves gaps (never clobbering them)", () => {
    // 2 layers × 2 rows of 4 bytes, stride 16, layer stride 40
    const w = spanWrites(7, 100, bytes, { stride: 16, layerStride: 40, rowBytes: 4, rows: 2, bytes: 60 }, 2);
    expect(w.map((x) => [x.offset, Array.from(x.bytes)])).toEqual([
      [100, [0, 1, 2, 3]],
      [116, [16, 17, 18, 19]],
      [140, [40, 41, 42, 43]],
      [156, [56, 57, 58, 59]],
    ]);
  });
});
