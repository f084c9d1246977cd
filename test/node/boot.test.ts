/**
 * Boots the real guest (public/guest, built by `bash guest/build.sh`) in v86 under Node and
 * reads the kernel version and CPU features over the serial console.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeGuest } from "../../src/emulator/node-harness.ts";
import { guestManifestPath, hasGuestImages } from "../../src/emulator/node-images.ts";

const guestMissing = !hasGuestImages();
// Generous: on a shared 2-core machine under load a boot has taken 90 s (idle: ~10 s).
const BOOT_TIMEOUT_MS = 240_000;

describe.skipIf(guestMissing)(
  guestMissing ? `guest boot (SKIPPED: ${guestManifestPath()} is missing; run \`bash guest/build.sh\`)` : "guest boot",
  () => {
    let guest: NodeGuest;

    beforeAll(async () => {
      guest = await NodeGuest.boot({ cmdline: "webvirgl.run=shell" });
      await guest.waitForSerial(/WEBVIRGL-INIT-START/, BOOT_TIMEOUT_MS);
      await guest.waitForSerial(/WEBVIRGL-RUN-BEGIN shell/, 30_000);
    }, BOOT_TIMEOUT_MS + 40_000);

    afterAll(async () => {
      await guest?.stop();
    });

    it("runs our kernel (guest/kernel: Debian's 6.1 source, webvirgl config)", async () => {
      const release = (await guest.runCommand("uname -r")).trim();
      expect(release).toMatch(/^6\.1\.\d+-webvirgl$/);
    }, 60_000);

    it("sees v86's Pentium III class CPU with SSE2", async () => {
      const cpuinfo = await guest.runCommand("cat /proc/cpuinfo");
      const flags = cpuinfo.match(/^flags\s*:\s*(.*)$/m)?.[1]?.split(/\s+/) ?? [];
      expect(flags, cpuinfo).toContain("sse2");
      expect(flags).toContain("cmov");
      expect(cpuinfo).toMatch(/^model name\s*:\s*Pentium III/m);
    }, 60_000);
  },
);
