/**
 * The guest kernel meets the virgl 3D module in Node (no WebGL: a headless stand-in answers the
 * renderer's side). Checks what Linux' virtio_gpu driver negotiates and reads at probe:
 * `features: +virgl`, two capsets with the right ids, versions and sizes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeGuest } from "../../src/emulator/node-harness.ts";
import { guestManifestPath, hasGuestImages } from "../../src/emulator/node-images.ts";
import { createVirtioGpu, type VirtioGpu } from "../../src/gpu/index.ts";
import { FakeScanoutBackend } from "../../src/gpu/testing/fake-scanout-backend.ts";
import { createVirglModule, type VirglModule } from "../../src/gpu/virgl/index.ts";
import { FakeVirglPort } from "../../src/gpu/virgl/testing/fake-virgl-port.ts";

const guestMissing = !hasGuestImages();
const BOOT_TIMEOUT_MS = 240_000;

describe.skipIf(guestMissing)(
  guestMissing ? `virgl module in the guest (SKIPPED: ${guestManifestPath()} is missing)` : "virgl module in the guest",
  () => {
    let guest: NodeGuest;
    let gpu: VirtioGpu | undefined;
    const port = new FakeVirglPort(true);
    const module: VirglModule = createVirglModule({ port, capsets: { v1: new Uint8Array(308), v2: new Uint8Array(1376) } });

    beforeAll(async () => {
      guest = await NodeGuest.boot({
        cmdline: "webvirgl.run=shell",
        devices: [(context) => (gpu = createVirtioGpu({ ...context, backend: new FakeScanoutBackend(), modules: [module] }))],
      });
      await guest.waitForSerial(/WEBVIRGL-RUN-BEGIN shell/, BOOT_TIMEOUT_MS);
    }, BOOT_TIMEOUT_MS + 10_000);

    afterAll(async () => {
      await guest?.stop();
    });

    it("Linux negotiates +virgl and reads both capsets", async () => {
      const out = await guest.runCommand("dmesg | grep -i -E 'virtio_gpu|\\[drm\\]' | head -n 20", 60_000);
      console.log(out);
      expect(out).toMatch(/features: \+virgl/);
      expect(out).toMatch(/number of cap sets: 2/);
      expect(out).toMatch(/cap set 0: id 1, max-version 1, max-size 308/);
      expect(out).toMatch(/cap set 1: id 2, max-version 2, max-size 1376/);
      expect(gpu?.stats.commands.errors).toBe(0);
      expect(gpu?.stats.transport.ringFaults).toBe(0);
    }, 120_000);
  },
);
