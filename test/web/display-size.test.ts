import { describe, expect, it } from "vitest";
import { clampSize, readDisplayChoice } from "../../web/ui/display-size.ts";

describe("display size choice", () => {
  it("reads ?display=auto and WIDTHxHEIGHT", () => {
    expect(readDisplayChoice("?display=auto")).toBe("auto");
    expect(readDisplayChoice("?display=800x600")).toEqual({ width: 800, height: 600 });
    expect(readDisplayChoice("?run=shell")).toBeNull();
    expect(() => readDisplayChoice("?display=big")).toThrow(/WIDTHxHEIGHT/);
  });
  it("clamps to what the device takes, widths a multiple of 8", () => {
    expect(clampSize({ width: 1001, height: 700.6 })).toEqual({ width: 1000, height: 700 });
    expect(clampSize({ width: 100, height: 50 })).toEqual({ width: 320, height: 200 });
    expect(clampSize({ width: 9999, height: 9999 })).toEqual({ width: 3840, height: 2160 });
  });
});
