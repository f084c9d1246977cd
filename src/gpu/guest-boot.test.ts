import { describe, expect, it } from "vitest";
import { NodeGuest } from "../emulator/node-harness.ts";
import { hasGuestImages } from "../emulator/node-images.ts";
import { createVirtioGpu, type VirtioGpu } from "./create-virtio-gpu.ts";
import { FakeScanoutBackend } from "./testing/fake-scanout-backend.ts";

/**
 * Opt-in (slow, ~20-60 s on 2 shared cores): boots the real guest in v86 with our device and
 * checks that Linux' virtio_gpu driver probes it, sets up fbcon and talks to it without a single
 * error response or ring fault. Run with WEBVIRGL_BOOT_TESTS=1 after `npm run guest`
 * (or WEBVIRGL_GUEST_DIR pointing at a guest whose /init loads the virtio-gpu modules).
 */
const enabled = process.env.WEBVIRGL_BOOT_TESTS === "1" && hasGuestImages();

describe.runIf(enabled)("real Linux guest", () => {
  it("probes virtio-gpu, gets EDID/display info, runs fbcon; no errors, no ring faults", { timeout: 300_000 }, async () => {
    const backend = new FakeScanoutBackend();
    const logs: string[] = [];
    let gpu: VirtioGpu | null = null;
    const guest = await NodeGuest.boot({
      cmdline: "webvirgl.run=sysinfo",
      devices: [
        (context) => {
          gpu = createVirtioGpu({ pciHost: context.pciHost, memory: context.memory, backend, log: (m) => logs.push(m) });
          return gpu;
        },
      ],
    });
    try {
      await guest.waitForSerial(/WEBVIRGL-RUN-END sysinfo status=\d+/, 240_000);
      const out = guest.output();
      expect(out).toMatch(/virtio-gpu-pci detected at 0000:00:0f\.0/);
      expect(out).toMatch(/Initialized virtio_gpu/);
      expect(out).toMatch(/fb0: virtio_gpudrmfb frame buffer device/);
      const stats = gpu!.stats;
      expect(logs).toEqual([]);
      expect(stats.transport.ringFaults).toBe(0);
      expect(stats.commands.errors).toBe(0);
      expect(stats.resources).toBeGreaterThanOrEqual(1);
      expect(backend.calls.some((c) => c.method === "createResource2D" && c.width === 1024 && c.height === 768)).toBe(true);
      expect(backend.calls.some((c) => c.method === "setScanout" && c.resourceId !== 0)).toBe(true);
    } finally {
      await guest.stop();
    }
  });
});
