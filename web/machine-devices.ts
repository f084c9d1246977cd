/**
 * Device models the page plugs into the emulated PC (before the BIOS enumerates PCI).
 * The virtio-gpu factory goes here once it exists: `(context) => createVirtioGpu(context, ...)`.
 */
import type { DeviceFactory } from "../src/emulator/device.ts";

export function pageDevices(): DeviceFactory[] {
  return [];
}
