import {
  COMMON_CONFIG_GENERATION,
  COMMON_DEVICE_FEATURE,
  COMMON_DEVICE_FEATURE_SELECT,
  COMMON_DEVICE_STATUS,
  COMMON_DRIVER_FEATURE,
  COMMON_DRIVER_FEATURE_SELECT,
  COMMON_MSIX_CONFIG,
  COMMON_NUM_QUEUES,
  COMMON_QUEUE_DESC,
  COMMON_QUEUE_DEVICE,
  COMMON_QUEUE_DRIVER,
  COMMON_QUEUE_ENABLE,
  COMMON_QUEUE_MSIX_VECTOR,
  COMMON_QUEUE_NOTIFY_DATA,
  COMMON_QUEUE_NOTIFY_OFF,
  COMMON_QUEUE_RESET,
  COMMON_QUEUE_SELECT,
  COMMON_QUEUE_SIZE,
  STATUS_FEATURES_OK,
  VIRTIO_MSI_NO_VECTOR,
} from "./constants.ts";
import type { Virtqueue } from "./virtqueue.ts";

/** What the common config registers act on; implemented by the PCI transport. */
export interface CommonConfigHost {
  readonly deviceFeatures: bigint;
  readonly queues: readonly Virtqueue[];
  readonly status: number;
  readonly configGeneration: number;
  writeStatus(value: number): void;
  enableQueue(queue: Virtqueue): void;
}

/** Register-file state for save/restore. */
export interface CommonConfigSnapshot {
  deviceFeatureSelect: number;
  driverFeatureSelect: number;
  driverFeatureWords: number[];
  queueSelect: number;
}

function byteOf(value: number, byteIndex: number): number {
  return (value >>> (8 * byteIndex)) & 0xff;
}

function withByte(value: number, byteIndex: number, byte: number): number {
  const shift = 8 * byteIndex;
  return ((value & ~(0xff << shift)) | ((byte & 0xff) << shift)) >>> 0;
}

/**
 * The virtio_pci_common_cfg registers (VIRTIO 1.2 4.1.4.3) accessed one byte at a time.
 * v86 delivers 16-bit MMIO as two 8-bit accesses, so every multi-byte field is assembled from
 * byte writes and every read is composed of byte reads; 32-bit accesses are split the same way.
 */
export class CommonConfig {
  private deviceFeatureSelect = 0;
  private driverFeatureSelect = 0;
  /** Driver feature words 0 and 1 (higher selects are ignored: no feature bits above 63). */
  readonly driverFeatureWords = new Uint32Array(2);
  private queueSelect = 0;

  constructor(private readonly host: CommonConfigHost) {}

  reset(): void {
    this.deviceFeatureSelect = 0;
    this.driverFeatureSelect = 0;
    this.driverFeatureWords.fill(0);
    this.queueSelect = 0;
  }

  snapshot(): CommonConfigSnapshot {
    return { deviceFeatureSelect: this.deviceFeatureSelect, driverFeatureSelect: this.driverFeatureSelect, driverFeatureWords: [...this.driverFeatureWords], queueSelect: this.queueSelect };
  }

  restore(snapshot: CommonConfigSnapshot): void {
    this.deviceFeatureSelect = snapshot.deviceFeatureSelect >>> 0;
    this.driverFeatureSelect = snapshot.driverFeatureSelect >>> 0;
    this.driverFeatureWords.set(snapshot.driverFeatureWords.slice(0, 2));
    this.queueSelect = snapshot.queueSelect & 0xffff;
  }

  get driverFeatures(): bigint {
    return (BigInt(this.driverFeatureWords[1]) << 32n) | BigInt(this.driverFeatureWords[0]);
  }

  private get selectedQueue(): Virtqueue | undefined {
    return this.host.queues[this.queueSelect];
  }

  private deviceFeatureWord(): number {
    if (this.deviceFeatureSelect > 1) return 0;
    return Number((this.host.deviceFeatures >> BigInt(32 * this.deviceFeatureSelect)) & 0xffffffffn);
  }

  readByte(offset: number): number {
    const queue = this.selectedQueue;
    if (offset >= COMMON_DEVICE_FEATURE_SELECT && offset < COMMON_DEVICE_FEATURE) return byteOf(this.deviceFeatureSelect, offset - COMMON_DEVICE_FEATURE_SELECT);
    if (offset >= COMMON_DEVICE_FEATURE && offset < COMMON_DRIVER_FEATURE_SELECT) return byteOf(this.deviceFeatureWord(), offset - COMMON_DEVICE_FEATURE);
    if (offset >= COMMON_DRIVER_FEATURE_SELECT && offset < COMMON_DRIVER_FEATURE) return byteOf(this.driverFeatureSelect, offset - COMMON_DRIVER_FEATURE_SELECT);
    if (offset >= COMMON_DRIVER_FEATURE && offset < COMMON_MSIX_CONFIG) {
      const word = this.driverFeatureSelect < 2 ? this.driverFeatureWords[this.driverFeatureSelect] : 0;
      return byteOf(word, offset - COMMON_DRIVER_FEATURE);
    }
    if (offset >= COMMON_MSIX_CONFIG && offset < COMMON_NUM_QUEUES) return byteOf(VIRTIO_MSI_NO_VECTOR, offset - COMMON_MSIX_CONFIG);
    if (offset >= COMMON_NUM_QUEUES && offset < COMMON_DEVICE_STATUS) return byteOf(this.host.queues.length, offset - COMMON_NUM_QUEUES);
    if (offset === COMMON_DEVICE_STATUS) return this.host.status & 0xff;
    if (offset === COMMON_CONFIG_GENERATION) return this.host.configGeneration & 0xff;
    if (offset >= COMMON_QUEUE_SELECT && offset < COMMON_QUEUE_SIZE) return byteOf(this.queueSelect, offset - COMMON_QUEUE_SELECT);
    // 4.1.4.3.2: a queue_select beyond num_queues reads queue_size 0 (no such queue).
    if (offset >= COMMON_QUEUE_SIZE && offset < COMMON_QUEUE_MSIX_VECTOR) return byteOf(queue?.size ?? 0, offset - COMMON_QUEUE_SIZE);
    if (offset >= COMMON_QUEUE_MSIX_VECTOR && offset < COMMON_QUEUE_ENABLE) return byteOf(VIRTIO_MSI_NO_VECTOR, offset - COMMON_QUEUE_MSIX_VECTOR);
    if (offset >= COMMON_QUEUE_ENABLE && offset < COMMON_QUEUE_NOTIFY_OFF) return byteOf(queue?.enabled ? 1 : 0, offset - COMMON_QUEUE_ENABLE);
    if (offset >= COMMON_QUEUE_NOTIFY_OFF && offset < COMMON_QUEUE_DESC) return byteOf(queue ? queue.index : 0, offset - COMMON_QUEUE_NOTIFY_OFF);
    if (offset >= COMMON_QUEUE_DESC && offset < COMMON_QUEUE_NOTIFY_DATA) {
      if (!queue) return 0;
      const relative = offset - COMMON_QUEUE_DESC;
      return byteOf(queue.addressWords[relative >>> 2], relative & 3);
    }
    if (offset >= COMMON_QUEUE_NOTIFY_DATA && offset < COMMON_QUEUE_RESET) return byteOf(queue ? queue.index : 0, offset - COMMON_QUEUE_NOTIFY_DATA);
    return 0;
  }

  writeByte(offset: number, value: number): void {
    const queue = this.selectedQueue;
    if (offset >= COMMON_DEVICE_FEATURE_SELECT && offset < COMMON_DEVICE_FEATURE) {
      this.deviceFeatureSelect = withByte(this.deviceFeatureSelect, offset - COMMON_DEVICE_FEATURE_SELECT, value);
    } else if (offset >= COMMON_DRIVER_FEATURE_SELECT && offset < COMMON_DRIVER_FEATURE) {
      this.driverFeatureSelect = withByte(this.driverFeatureSelect, offset - COMMON_DRIVER_FEATURE_SELECT, value);
    } else if (offset >= COMMON_DRIVER_FEATURE && offset < COMMON_MSIX_CONFIG) {
      // 3.1.1: features are fixed once FEATURES_OK is set.
      if (this.driverFeatureSelect < 2 && !(this.host.status & STATUS_FEATURES_OK)) {
        const word = this.driverFeatureSelect;
        this.driverFeatureWords[word] = withByte(this.driverFeatureWords[word], offset - COMMON_DRIVER_FEATURE, value);
      }
    } else if (offset === COMMON_DEVICE_STATUS) {
      this.host.writeStatus(value & 0xff);
    } else if (offset >= COMMON_QUEUE_SELECT && offset < COMMON_QUEUE_SIZE) {
      this.queueSelect = withByte(this.queueSelect, offset - COMMON_QUEUE_SELECT, value) & 0xffff;
    } else if (offset >= COMMON_QUEUE_SIZE && offset < COMMON_QUEUE_MSIX_VECTOR) {
      if (queue && !queue.enabled) queue.size = withByte(queue.size, offset - COMMON_QUEUE_SIZE, value) & 0xffff;
    } else if (offset >= COMMON_QUEUE_ENABLE && offset < COMMON_QUEUE_NOTIFY_OFF) {
      // Enabling is the 1 in the low byte; the high byte (0) of a split 16-bit write and
      // writes of 0 are ignored (4.1.4.3.2: the driver MUST NOT write 0 to queue_enable).
      if (queue && !queue.enabled && offset === COMMON_QUEUE_ENABLE && (value & 1)) this.host.enableQueue(queue);
    } else if (offset >= COMMON_QUEUE_DESC && offset < COMMON_QUEUE_NOTIFY_DATA) {
      if (queue && !queue.enabled) {
        const relative = offset - COMMON_QUEUE_DESC;
        const word = relative >>> 2;
        queue.addressWords[word] = withByte(queue.addressWords[word], relative & 3, value);
      }
    }
    // msix_config / queue_msix_vector: no MSI-X, reads stay NO_VECTOR. Read-only fields ignore writes.
  }
}
