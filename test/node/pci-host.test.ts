/**
 * The v86 PciHost adapter seen from inside the real guest: a scratch PCI function is listed
 * by Linux, owns its BAR, and its MMIO register reads back what the guest wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeGuest } from "../../src/emulator/node-harness.ts";
import { guestManifestPath, hasGuestImages } from "../../src/emulator/node-images.ts";
import {
  createScratchDevice,
  SCRATCH_BAR_BASE,
  SCRATCH_ID_VALUE,
  SCRATCH_PCI_ID,
  type ScratchDevice,
} from "./scratch-pci-device.ts";

const guestMissing = !hasGuestImages();
// Generous: on a shared 2-core machine under load a boot has taken 90 s (idle: ~10 s).
const BOOT_TIMEOUT_MS = 240_000;
const slot = `0000:00:${(SCRATCH_PCI_ID >> 3).toString(16).padStart(2, "0")}.0`;
const hex = (value: number) => `0x${value.toString(16)}`;

describe.skipIf(guestMissing)(
  guestMissing ? `PciHost in the guest (SKIPPED: ${guestManifestPath()} is missing; run \`bash guest/build.sh\`)` : "PciHost in the guest",
  () => {
    let guest: NodeGuest;
    let device: ScratchDevice | undefined;

    beforeAll(async () => {
      guest = await NodeGuest.boot({
        cmdline: "webvirgl.run=shell",
        devices: [(context) => (device = createScratchDevice(context))],
      });
      await guest.waitForSerial(/WEBVIRGL-RUN-BEGIN shell/, BOOT_TIMEOUT_MS);
    }, BOOT_TIMEOUT_MS + 10_000);

    afterAll(async () => {
      await guest?.stop();
    });

    it("lists the device with its ids and fixed BAR", async () => {
      const sysfs = `/sys/bus/pci/devices/${slot}`;
      const out = await guest.runCommand(`cat ${sysfs}/vendor ${sysfs}/device; head -n 1 ${sysfs}/resource`);
      const [vendor, deviceId, bar0] = out.trim().split("\n");
      expect(vendor).toBe("0x1234");
      expect(deviceId).toBe("0xbeef");
      expect(bar0).toMatch(new RegExp(`^0x0*${SCRATCH_BAR_BASE.toString(16)} 0x0*fe01ffff `));
    }, 60_000);

    it("routes guest MMIO reads and writes to the device", async () => {
      // /dev/mem needs devtmpfs; mounting again is harmless when /init already did.
      await guest.runCommand("[ -e /dev/mem ] || mount -t devtmpfs dev /dev");
      const id = await guest.runCommand(`devmem ${hex(SCRATCH_BAR_BASE + 4)} 32`);
      expect(id.trim().toLowerCase()).toBe(hex(SCRATCH_ID_VALUE));
      const readBack = await guest.runCommand(
        `devmem ${hex(SCRATCH_BAR_BASE)} 32 0x12345678; devmem ${hex(SCRATCH_BAR_BASE)} 32`,
      );
      expect(readBack.trim().toLowerCase()).toBe("0x12345678");
      expect(device?.scratch).toBe(0x12345678);
    }, 60_000);

    // Last: it ends the guest. v86 cannot restart a direct kernel boot, so a reboot stops the PC.
    it("a guest reboot stops the PC, resets the device and is reported", async () => {
      const reboots: number[] = [];
      guest.emulator.onReboot(() => reboots.push(device?.resets ?? -1));
      guest.sendSerial("reboot -f\n");
      await expect.poll(() => reboots.length, { timeout: 30_000 }).toBe(1);
      expect(reboots[0]).toBe(1); // devices are reset before listeners run
      expect(device?.scratch).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(guest.emulator.isRunning()).toBe(false);
      expect(reboots).toHaveLength(1);
    }, 60_000);
  },
);
