import { describe, expect, it } from "vitest";
import { ArrayGuestMemory } from "../virtio/guest-memory.ts";
import { GuestRam } from "../virtio/guest-ram.ts";
import { Backing } from "./backing.ts";

describe("Backing.gather", () => {
  const memory = new ArrayGuestMemory(4096);
  const ram = new GuestRam(memory);
  memory.bytes().forEach((_, i, a) => (a[i] = i & 0xff));
  // Linear bytes: [100..103] [10..14] [200..201] = 11 bytes.
  const backing = new Backing([
    { address: 100, length: 4 },
    { address: 10, length: 5 },
    { address: 200, length: 2 },
  ]);

  it("maps linear offsets across entries", () => {
    expect(backing.totalLength).toBe(11);
    const out = new Uint8Array(11);
    backing.gather(ram, 0, 11, out, 0);
    expect([...out]).toEqual([100, 101, 102, 103, 10, 11, 12, 13, 14, 200, 201]);
    const part = new Uint8Array(4);
    backing.gather(ram, 3, 4, part, 0);
    expect([...part]).toEqual([103, 10, 11, 12]);
    backing.gather(ram, 9, 2, part, 1);
    expect([...part]).toEqual([103, 200, 201, 12]);
  });

  it("refuses reads beyond its length", () => {
    expect(() => backing.gather(ram, 8, 4, new Uint8Array(4), 0)).toThrow(/beyond its 11 bytes/);
  });
});
