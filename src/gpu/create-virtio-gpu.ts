import { DEFAULT_MMIO_BASE } from "../virtio/bar-layout.ts";
import type { GuestMemory } from "../virtio/guest-memory.ts";
import type { PciHost } from "../virtio/pci-host.ts";
import { VirtioPciTransport, type TransportSnapshot, type TransportStats } from "../virtio/pci-transport.ts";
import type { GpuCounters } from "./gpu-state.ts";
import { VirtioGpuDevice, type GpuDeviceSnapshot, type GpuModule } from "./gpu-device.ts";
import { DEFAULT_RESOURCE_LIMITS, type ResourceLimits } from "./resource-table.ts";
import type { ScanoutBackend } from "./scanout-backend.ts";
import type { DisplaySize } from "./scanouts.ts";

/** PCI class 0x03 (display), subclass 0x80 (other): like QEMU's virtio-gpu-pci, not VGA-compatible. */
const PCI_CLASS_DISPLAY_OTHER = 0x038000;
/** Subsystem id QEMU uses for virtio devices (VIRTIO 1.2 4.1.2: any value is allowed for modern devices). */
const PCI_SUBSYSTEM_ID_QEMU = 0x1100;
/** Default slot 0x0f on bus 0 (v86 itself uses slots 0, 1, 6, 7, 10, 11, 12). */
export const DEFAULT_GPU_PCI_ID = 0x0f << 3;

export interface CreateVirtioGpuOptions {
  pciHost: PciHost;
  memory: GuestMemory;
  backend: ScanoutBackend;
  /** Fixed BAR 0 base; default 0xFE000000. */
  mmioBase?: number;
  /** (bus << 8) | (device << 3) | function; default slot 0x0f. */
  pciId?: number;
  /** Log sink; every line starts with "virtio-gpu: ". Default console.warn. */
  log?: (message: string) => void;
  /** Preferred mode per scanout (1..16 scanouts); default one 1024x768 display. */
  displays?: DisplaySize[];
  limits?: Partial<ResourceLimits>;
  /** Offer VIRTIO_GPU_F_EDID; default true. */
  edid?: boolean;
  /** Virtqueue size offered for controlq and cursorq; default 256. */
  queueSize?: number;
  /** Extra command modules (the 3D/virgl module); default none. */
  modules?: GpuModule[];
}

export interface VirtioGpuStats {
  transport: Readonly<TransportStats>;
  commands: Readonly<GpuCounters>;
  resources: number;
  resourceHostBytes: number;
  deviceStatus: number;
}

/** Device + transport state to keep beside a v86 snapshot (v86 does not save outside devices). */
export interface VirtioGpuSnapshot {
  transport: TransportSnapshot;
  device: GpuDeviceSnapshot;
}

/** Shaped so it can be returned as-is from an emulator DeviceFactory (src/emulator/device.ts). */
export interface VirtioGpu {
  readonly name: "virtio-gpu";
  /** Machine reset / guest reboot: same as the driver writing status 0; frees all resources. */
  reset(): void;
  /** New preferred mode for a scanout (0x0 = disconnected): raises VIRTIO_GPU_EVENT_DISPLAY + config interrupt. */
  setDisplaySize(scanoutId: number, width: number, height: number): void;
  readonly stats: VirtioGpuStats;
  /** Throws while requests are in flight (never with 2D: they complete synchronously). */
  saveState(): VirtioGpuSnapshot;
  /** After v86's restore_state (guest RAM restored): registers, rings, resources; re-sends all pixels to the backend. */
  restoreState(snapshot: VirtioGpuSnapshot): void;
  /** The device model, for the 3D module to register commands into controlCommands. */
  readonly device: VirtioGpuDevice;
  readonly transport: VirtioPciTransport;
}

/** Builds the virtio-gpu PCI device, registers it with the host and maps its BAR. */
export function createVirtioGpu(options: CreateVirtioGpuOptions): VirtioGpu {
  const log = options.log ?? ((message: string) => console.warn(message));
  const device = new VirtioGpuDevice({
    backend: options.backend,
    displays: options.displays ?? [{ width: 1024, height: 768 }],
    limits: { ...DEFAULT_RESOURCE_LIMITS, ...options.limits },
    edid: options.edid ?? true,
    queueSize: options.queueSize ?? 256,
    maxLoggedErrors: 100,
    modules: options.modules ?? [],
  });
  const transport = new VirtioPciTransport({
    pciHost: options.pciHost,
    memory: options.memory,
    device,
    mmioBase: options.mmioBase ?? DEFAULT_MMIO_BASE,
    pciId: options.pciId ?? DEFAULT_GPU_PCI_ID,
    classCode: PCI_CLASS_DISPLAY_OTHER,
    subsystemId: PCI_SUBSYSTEM_ID_QEMU,
    log,
  });
  return {
    name: "virtio-gpu",
    reset: () => transport.reset(),
    setDisplaySize: (scanoutId, width, height) => device.setDisplaySize(scanoutId, width, height),
    get stats(): VirtioGpuStats {
      const resources = device.resourceStats;
      return {
        transport: { ...transport.stats },
        commands: { ...device.counters },
        resources: resources.resources,
        resourceHostBytes: resources.hostBytes,
        deviceStatus: transport.status,
      };
    },
    saveState: () => ({ transport: transport.saveState(), device: device.saveState() }),
    restoreState: (snapshot) => {
      transport.restoreState(snapshot.transport);
      device.restoreState(snapshot.device);
    },
    device,
    transport,
  };
}
