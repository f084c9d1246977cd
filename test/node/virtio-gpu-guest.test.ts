/**
 * The whole 2D path in Node: our virtio-gpu device (src/gpu) plugged into v86 through the
 * emulator's device hook, and the guest kernel's virtio_gpu driver binding to it, setting a mode
 * and flushing its framebuffer console into a recording scanout backend.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeGuest } from "../../src/emulator/node-harness.ts";
import { guestManifestPath, hasGuestImages } from "../../src/emulator/node-images.ts";
import { createVirtioGpu, DEFAULT_GPU_PCI_ID, type VirtioGpu } from "../../src/gpu/index.ts";
import { FakeScanoutBackend } from "../../src/gpu/testing/fake-scanout-backend.ts";

const guestMissing = !hasGuestImages();
// Generous: on a shared 2-core machine under load a boot has taken 90 s (idle: ~10 s).
const BOOT_TIMEOUT_MS = 240_000;
const slot = `0000:00:${(DEFAULT_GPU_PCI_ID >> 3).toString(16).padStart(2, "0")}.0`;

describe.skipIf(guestMissing)(
  guestMissing ? `virtio-gpu in the guest (SKIPPED: ${guestManifestPath()} is missing; run \`bash guest/build.sh\`)` : "virtio-gpu in the guest",
  () => {
    let guest: NodeGuest;
    let gpu: VirtioGpu | undefined;
    const backend = new FakeScanoutBackend();

    beforeAll(async () => {
      guest = await NodeGuest.boot({
        cmdline: "webvirgl.run=shell",
        devices: [(context) => (gpu = createVirtioGpu({ ...context, backend }))],
      });
      await guest.waitForSerial(/WEBVIRGL-RUN-BEGIN shell/, BOOT_TIMEOUT_MS);
    }, BOOT_TIMEOUT_MS + 10_000);

    afterAll(async () => {
      await guest?.stop();
    });

    it("is listed on the PCI bus as a virtio 1.x GPU", async () => {
      const sysfs = `/sys/bus/pci/devices/${slot}`;
      const ids = (await guest.runCommand(`cat ${sysfs}/vendor ${sysfs}/device`)).trim().split("\n");
      expect(ids).toEqual(["0x1af4", "0x1050"]);
    }, 60_000);

    it("the kernel driver (built in: guest/kernel/webvirgl.config) binds, sets a mode and flushes its console to the backend", async () => {
      // fbcon's first frame arrives a moment after the driver reports itself.
      await expect
        .poll(() => backend.calls.filter((call) => call.method === "flush").length, { timeout: 60_000, interval: 250 })
        .toBeGreaterThan(0);
      const drm = await guest.runCommand("ls /sys/class/drm; dmesg | grep -i virtio_gpu | head -n 5");
      expect(drm).toContain("card0");
      expect(drm).toMatch(/Initialized virtio_gpu/);

      const created = backend.calls.find((call) => call.method === "createResource2D");
      expect(created).toMatchObject({ width: 1024, height: 768 });
      expect(backend.calls.some((call) => call.method === "setScanout" && call.resourceId !== 0)).toBe(true);
      expect(gpu?.stats.commands.errors).toBe(0);
      expect(gpu?.stats.transport.ringFaults).toBe(0);
      expect(gpu?.stats.transport.interruptsRaised).toBeGreaterThan(0);
    }, 150_000);

    it("exposes /dev/dri/card0 and the connector's mode list comes from our EDID", async () => {
      const dri = await guest.runCommand("ls /dev/dri");
      expect(dri).toContain("card0");
      const modes = (await guest.runCommand("cat /sys/class/drm/card0-*/modes")).trim().split(/\r?\n/);
      // Preferred mode first (our detailed timing), then the established/standard timings we list.
      expect(modes[0]).toBe("1024x768");
      expect(modes).toEqual(expect.arrayContaining(["800x600", "640x480", "1280x720"]));
    }, 60_000);
  },
);
