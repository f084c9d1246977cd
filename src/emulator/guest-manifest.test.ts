import { describe, expect, it } from "vitest";
import { GuestManifestError, parseGuestManifest } from "./guest-manifest.ts";

describe("parseGuestManifest", () => {
  it("reads an initrd field and a files array", () => {
    const m = parseGuestManifest(
      JSON.stringify({
        version: "abc123",
        initrd: "initramfs-abc.cpio.zst",
        files: [
          { name: "bzImage", size: 10 },
          { name: "initramfs-abc.cpio.zst", size: 20 },
          { name: "bios.bin", size: 30 },
          { name: "vgabios-stdvga.bin", size: 40 },
        ],
      }),
    );
    expect(m.version).toBe("abc123");
    expect(m.initrd).toEqual({ name: "initramfs-abc.cpio.zst", size: 20 });
    expect(m.bzimage).toEqual({ name: "bzImage", size: 10 });
    expect(m.vgaBios.size).toBe(40);
  });

  it("finds the initramfs in a files object when no field names it", () => {
    const m = parseGuestManifest(JSON.stringify({ files: { "initrd.img": { size: 5 }, bzImage: 7 } }));
    expect(m.initrd).toEqual({ name: "initrd.img", size: 5 });
    expect(m.bzimage).toEqual({ name: "bzImage", size: 7 });
    expect(m.bios).toEqual({ name: "bios.bin", size: null });
  });

  it("says what is wrong", () => {
    expect(() => parseGuestManifest("{", "m.json")).toThrow(/m\.json: is not JSON/);
    expect(() => parseGuestManifest("{}")).toThrow(GuestManifestError);
  });
});

describe("parseGuestManifest with guest/build.sh's fields", () => {
  it("does not take the kernel version field for a file name", () => {
    const m = parseGuestManifest(
      JSON.stringify({ version: "k1", kernel: "6.1.0-50-686", initrd: "initrd.img", files: ["bzImage", "initrd.img"] }),
    );
    expect(m.bzimage.name).toBe("bzImage");
    expect(m.initrd.name).toBe("initrd.img");
  });
});

describe("parseGuestManifest on guest/build.sh's manifest layout", () => {
  it("reads nested kernel/initrd/bios objects", () => {
    const m = parseGuestManifest(
      JSON.stringify({
        version: "f415587c12101d7e",
        files: [
          { name: "bzImage", size: 1 },
          { name: "initrd.img", size: 2 },
          { name: "bios.bin", size: 3 },
          { name: "vgabios-stdvga.bin", size: 4 },
        ],
        kernel: { release: "6.1.0-50-686", file: "bzImage" },
        initrd: { file: "initrd.img", compression: "zstd" },
        bios: { bios: "bios.bin", vgabios: "vgabios-stdvga.bin" },
      }),
    );
    expect(m.version).toBe("f415587c12101d7e");
    expect([m.bzimage, m.initrd, m.bios, m.vgaBios]).toEqual([
      { name: "bzImage", size: 1 },
      { name: "initrd.img", size: 2 },
      { name: "bios.bin", size: 3 },
      { name: "vgabios-stdvga.bin", size: 4 },
    ]);
  });
});
