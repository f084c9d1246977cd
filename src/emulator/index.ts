/** Browser-safe public API of the emulator glue. Node-only helpers: ./node-harness.ts, ./node-images.ts. */
export { createEmulator, validateEmulatorConfig, EmulatorError, INITRD_LOAD_ADDRESS } from "./emulator.ts";
export type { Emulator, EmulatorConfig } from "./emulator.ts";
export type { Device, DeviceContext, DeviceFactory } from "./device.ts";
export { SerialPort, SerialLog, type SerialByteListener } from "./serial-port.ts";
export { FAST_KERNEL_ARGS, buildKernelCmdline, guestRunArg, type GuestRun } from "./kernel-cmdline.ts";
export { fetchImage, ImageFetchError, type FetchProgress, type ProgressCallback } from "./fetch-image.ts";
export { fetchGuestImages, type FetchedGuestImages, type GuestDownloadProgress } from "./fetch-guest-images.ts";
export { parseGuestManifest, GuestManifestError, type GuestManifest, type GuestFile } from "./guest-manifest.ts";
export { getV86Internals, V86InternalsError, V86_VERSION_VERIFIED } from "./v86-internals.ts";
export { V86GuestMemory } from "./v86-guest-memory.ts";
export { V86PciHost, MMIO_GRANULE } from "./v86-pci-host.ts";
