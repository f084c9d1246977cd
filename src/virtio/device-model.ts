import type { GuestRam } from "./guest-ram.ts";
import type { VirtioRequest } from "./virtio-request.ts";

/** Static description of one virtqueue a device offers. */
export interface QueueDescription {
  name: string;
  /** Largest queue_size the device accepts (power of two). */
  maxSize: number;
}

/** What the transport offers a device model. */
export interface DeviceTransport {
  readonly ram: GuestRam;
  /** Features the driver accepted (valid once FEATURES_OK was set). */
  readonly negotiatedFeatures: bigint;
  readonly driverOk: boolean;
  /** Bumps config_generation and sends a configuration change interrupt (VIRTIO 1.2 4.1.4.5). */
  notifyConfigChange(): void;
  log(message: string): void;
}

/**
 * A virtio device type (GPU, ...) behind the PCI transport. The transport owns rings, features,
 * status and interrupts; the model owns device config and request semantics.
 */
export interface VirtioDeviceModel {
  /** Virtio device type (VIRTIO 1.2 5): 16 = GPU. PCI device id = 0x1040 + type. */
  readonly deviceType: number;
  /** Short name used in logs, e.g. "virtio-gpu". */
  readonly name: string;
  readonly queues: readonly QueueDescription[];
  /** Device-specific feature bits offered (bit n = 1n << BigInt(n)); the transport adds its own. */
  readonly deviceFeatures: bigint;
  /** Bytes of device-specific config exposed through the DEVICE_CFG capability. */
  readonly configSize: number;
  /** Called once by the transport before anything else. */
  attach(transport: DeviceTransport): void;
  readConfigByte(offset: number): number;
  writeConfigByte(offset: number, value: number): void;
  /** A popped request; complete it (now or later) with request.complete(bytesWritten). */
  handleRequest(request: VirtioRequest): void;
  /** Device reset (status written 0, or machine reset): drop every resource and pending request. */
  reset(): void;
}
