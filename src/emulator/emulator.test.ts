import { describe, expect, it } from "vitest";
import { createEmulator, EmulatorError, type EmulatorConfig } from "./emulator.ts";
import { readV86Wasm } from "./node-images.ts";

const MiB = 1024 * 1024;

/** Enough for v86 to initialise (it never runs: these are not a real BIOS or kernel). */
async function fakeConfig(): Promise<EmulatorConfig> {
  return {
    wasm: await readV86Wasm(),
    bios: new ArrayBuffer(128 * 1024),
    bzimage: new ArrayBuffer(4096),
    initrd: new ArrayBuffer(4096),
    cmdline: "console=ttyS0",
    memorySize: 128 * MiB,
    autostart: false,
    log: () => {},
  };
}

describe("createEmulator", () => {
  it("refuses a memory size that cannot hold the initrd at 64 MiB", async () => {
    const config = { ...(await fakeConfig()), memorySize: 64 * MiB };
    expect(() => createEmulator(config)).toThrow(/at least 65 MiB/);
  });

  it("plugs devices in with a PciHost and GuestMemory of the right size", async () => {
    const seen: number[] = [];
    const emulator = await createEmulator({
      ...(await fakeConfig()),
      devices: [
        ({ memory, pciHost }) => {
          seen.push(memory.size, memory.bytes().length);
          pciHost.mapMmio(0xfe000000, 0x20000, { read8: () => 0, read32: () => 0, write8() {}, write32() {} });
          return { name: "probe" };
        },
      ],
    });
    try {
      expect(seen).toEqual([128 * MiB, 128 * MiB]);
      expect(emulator.devices.map((d) => d.name)).toEqual(["probe"]);
      expect(emulator.isRunning()).toBe(false);
    } finally {
      await emulator.destroy();
    }
  });

  it("names a device factory that throws", async () => {
    const broken = function brokenGpu(): never {
      throw new Error("no BAR for you");
    };
    const error = await createEmulator({ ...(await fakeConfig()), devices: [broken] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorError);
    expect(String(error)).toMatch(/device factory "brokenGpu" failed to plug in: no BAR for you/);
  });

  it("reports a v86.wasm that does not compile", async () => {
    const config = { ...(await fakeConfig()), wasm: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]).buffer };
    await expect(createEmulator(config)).rejects.toThrow(/could not load the v86 WebAssembly module/);
  });
});
