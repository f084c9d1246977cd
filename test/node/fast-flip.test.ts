/**
 * kmscube flipping as fast as the emulated CPU allows (a stand-in renderer answers every request at
 * once: 200-1000 fps) keeps running. It used to hang the guest within 6-16 s (7 of 7 runs): the
 * device completed requests synchronously inside the guest's notify write, and v86 delivered the
 * interrupt in the middle of that instruction (src/emulator/v86-pci-host.ts defers it now).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guestManifestPath, hasGuestImages } from "../../src/emulator/node-images.ts";
import { bootFastFlipGuest, type FastFlipGuest } from "./fast-flip-guest.ts";

const guestMissing = !hasGuestImages();
const BOOT_TIMEOUT_MS = 240_000;
const WINDOWS = 6;
const WINDOW_MS = 5_000;

describe.skipIf(guestMissing)(guestMissing ? `fast page flips (SKIPPED: ${guestManifestPath()} is missing)` : "fast page flips", () => {
  let flip: FastFlipGuest;

  beforeAll(async () => {
    flip = await bootFastFlipGuest();
    await flip.guest.waitForSerial(/WEBVIRGL-RUN-BEGIN kmscube/, BOOT_TIMEOUT_MS);
  }, BOOT_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await flip?.guest.stop();
  });

  it(`kmscube submits frames in each of ${WINDOWS} windows of ${WINDOW_MS / 1000} s`, async () => {
    // GL start-up first: the first submit.
    await expect.poll(() => flip.module.stats.submits, { timeout: 120_000, interval: 250 }).toBeGreaterThan(0);
    const perWindow: number[] = [];
    for (let i = 0; i < WINDOWS; i++) {
      const before = flip.module.stats.submits;
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      perWindow.push(flip.module.stats.submits - before);
    }
    console.log(`submits per ${WINDOW_MS / 1000} s window: ${perWindow.join(", ")}`);
    expect(perWindow.every((n) => n > 0), `a window without submits: ${perWindow.join(", ")}`).toBe(true);
    expect(flip.gpu.stats.commands.errors).toBe(0);
    expect(flip.gpu.stats.transport.ringFaults).toBe(0);
  }, WINDOWS * WINDOW_MS + 150_000);
});
