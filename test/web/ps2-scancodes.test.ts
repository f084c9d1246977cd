import { describe, expect, it } from "vitest";
import { scancodesFor } from "../../web/ui/ps2-scancodes.ts";

describe("scancodesFor", () => {
  it("gives set-1 make and break codes", () => {
    expect(scancodesFor("KeyA", true)).toEqual([0x1e]);
    expect(scancodesFor("KeyA", false)).toEqual([0x9e]);
    expect(scancodesFor("Enter", true)).toEqual([0x1c]);
  });
  it("prefixes extended keys with 0xE0", () => {
    expect(scancodesFor("ArrowUp", true)).toEqual([0xe0, 0x48]);
    expect(scancodesFor("ArrowUp", false)).toEqual([0xe0, 0xc8]);
  });
  it("returns null for keys PS/2 cannot send", () => {
    expect(scancodesFor("MediaPlayPause", true)).toBeNull();
  });
});
