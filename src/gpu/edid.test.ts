import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildEdid, reducedBlankingTiming } from "./edid.ts";

const SIZES: [number, number][] = [
  [640, 480],
  [1024, 768],
  [1280, 800],
  [1920, 1080],
  [2560, 1440],
  [3840, 2160],
  [1366, 768],
  [5000, 3000],
];

describe("buildEdid", () => {
  it.each(SIZES)("%ix%i: 128 bytes, header, version 1.4, checksum, no extensions", (width, height) => {
    const edid = buildEdid(width, height);
    expect(edid.length).toBe(128);
    expect([...edid.subarray(0, 8)]).toEqual([0, 255, 255, 255, 255, 255, 255, 0]);
    expect([edid[18], edid[19]]).toEqual([1, 4]);
    expect(edid.reduce((a, b) => a + b, 0) % 256).toBe(0);
    expect(edid[126]).toBe(0);
    const dtdWidth = edid[56] | ((edid[58] >> 4) << 8);
    const dtdHeight = edid[59] | ((edid[61] >> 4) << 8);
    if (width <= 4095 && height <= 4095) expect([dtdWidth, dtdHeight]).toEqual([width, height]);
    else expect(dtdWidth).toBeLessThanOrEqual(4095);
  });

  it("timings refresh at about 60 Hz with a 16-bit pixel clock", () => {
    const t = reducedBlankingTiming(1920, 1080)!;
    const refresh = (t.pixelClock10kHz * 10000) / ((1920 + t.hBlank) * (1080 + t.vBlank));
    expect(refresh).toBeGreaterThan(59.9);
    expect(refresh).toBeLessThan(60.1);
    expect(reducedBlankingTiming(4096, 100)).toBeNull();
  });

  it.runIf(existsSync("/usr/bin/edid-decode"))("every size passes edid-decode --check", () => {
    const dir = mkdtempSync(join(tmpdir(), "edid-"));
    try {
      for (const [width, height] of SIZES) {
        const file = join(dir, `${width}x${height}.bin`);
        writeFileSync(file, buildEdid(width, height));
        const out = execFileSync("/usr/bin/edid-decode", ["--check", file], { encoding: "utf8" });
        expect(out, `${width}x${height}`).toMatch(/EDID conformity: PASS/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
