import {
  BAR_SIZE,
  COMMON_CFG_LENGTH,
  COMMON_CFG_OFFSET,
  DEVICE_CFG_OFFSET,
  ISR_LENGTH,
  ISR_OFFSET,
  NOTIFY_OFFSET,
  NOTIFY_OFF_MULTIPLIER,
} from "./bar-layout.ts";
import { CommonConfig, type CommonConfigSnapshot } from "./common-config.ts";
import {
  ISR_CONFIG,
  ISR_QUEUE,
  STATUS_DEVICE_NEEDS_RESET,
  STATUS_DRIVER_OK,
  STATUS_FEATURES_OK,
  VIRTIO_F_VERSION_1,
  VIRTIO_PCI_CAP_COMMON_CFG,
  VIRTIO_PCI_CAP_DEVICE_CFG,
  VIRTIO_PCI_CAP_ISR_CFG,
  VIRTIO_PCI_CAP_NOTIFY_CFG,
  VIRTIO_PCI_MODERN_DEVICE_ID_BASE,
  VIRTIO_PCI_REVISION,
  VIRTIO_PCI_VENDOR_ID,
  VIRTIO_RING_F_INDIRECT_DESC,
} from "./constants.ts";
import type { DeviceTransport, VirtioDeviceModel } from "./device-model.ts";
import type { GuestMemory } from "./guest-memory.ts";
import { GuestRam, GuestRamRangeError } from "./guest-ram.ts";
import { buildPciConfigSpace } from "./pci-config-space.ts";
import type { MmioHandlers, PciHost } from "./pci-host.ts";
import { RingFault } from "./ring-fault.ts";
import { VirtioRequest } from "./virtio-request.ts";
import { Virtqueue, type QueueSnapshot } from "./virtqueue.ts";

export interface VirtioPciTransportOptions {
  pciHost: PciHost;
  memory: GuestMemory;
  device: VirtioDeviceModel;
  /** Fixed guest-physical base of BAR 0 (multiple of 128 KiB). */
  mmioBase: number;
  /** (bus << 8) | (device << 3) | function. */
  pciId: number;
  /** PCI class code (base << 16 | sub << 8 | prog-if). */
  classCode: number;
  subsystemId: number;
  log: (message: string) => void;
  /**
   * Pulse INTx again when the ISR stays set, unread, this long (ms); 0 disables. See
   * `reassertIfUnread`.
   */
  interruptReassertMs?: number;
}

/** Default for VirtioPciTransportOptions.interruptReassertMs. */
export const DEFAULT_INTERRUPT_REASSERT_MS = 1000;

/** Counters for tests and the UI. */
export interface TransportStats {
  notifications: number;
  requestsPopped: number;
  requestsCompleted: number;
  interruptsRaised: number;
  /** INTx pulses for an ISR left unread (reassertIfUnread): non-zero means the guest missed an interrupt. */
  interruptsReasserted: number;
  resets: number;
  ringFaults: number;
}

/**
 * Transport state for save/restore beside a v86 snapshot (v86 does not snapshot devices added
 * from outside). Plain data: numbers, booleans, strings, arrays — structured-clone and JSON friendly.
 */
export interface TransportSnapshot {
  version: 1;
  status: number;
  configGeneration: number;
  /** Hex string (bigint is not JSON-serialisable). */
  negotiatedFeatures: string;
  isr: number;
  pendingConfigInterrupt: boolean;
  common: CommonConfigSnapshot;
  queues: QueueSnapshot[];
}

const bit = (n: number): bigint => 1n << BigInt(n);

/**
 * virtio 1.x PCI transport (VIRTIO 1.2 4.1) for one device model: config space with the
 * four virtio capabilities, BAR 0 MMIO (common cfg, ISR, device cfg, notify), feature
 * negotiation, status/reset, split virtqueues and INTx interrupts.
 */
export class VirtioPciTransport implements DeviceTransport {
  readonly ram: GuestRam;
  readonly queues: Virtqueue[];
  readonly deviceFeatures: bigint;
  readonly configSpace: Uint8Array;
  readonly stats: TransportStats = { notifications: 0, requestsPopped: 0, requestsCompleted: 0, interruptsRaised: 0, interruptsReasserted: 0, resets: 0, ringFaults: 0 };
  status = 0;
  configGeneration = 0;
  negotiatedFeatures = 0n;
  private isr = 0;
  /** A config change that happened before DRIVER_OK; delivered once the driver is ready. */
  private pendingConfigInterrupt = false;
  /** Bumped on reset so completions of requests popped before it are dropped. */
  private epoch = 0;
  private readonly common: CommonConfig;
  private readonly device: VirtioDeviceModel;
  private readonly pciHost: PciHost;
  private readonly pciId: number;
  private readonly logSink: (message: string) => void;
  private readonly reassertMs: number;
  private reassertTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped each time the line goes from idle to raised; the re-assert check compares it. */
  private raiseSerial = 0;

  constructor(options: VirtioPciTransportOptions) {
    this.reassertMs = options.interruptReassertMs ?? DEFAULT_INTERRUPT_REASSERT_MS;
    this.device = options.device;
    this.pciHost = options.pciHost;
    this.pciId = options.pciId;
    this.logSink = options.log;
    this.ram = new GuestRam(options.memory);
    if (options.mmioBase % BAR_SIZE !== 0 || options.mmioBase <= 0 || options.mmioBase + BAR_SIZE > 0x1_0000_0000) {
      throw new Error(`virtio: mmioBase 0x${options.mmioBase.toString(16)} must be a non-zero multiple of 0x${BAR_SIZE.toString(16)} below 4 GiB`);
    }
    this.queues = this.device.queues.map((q, i) => new Virtqueue(i, q.name, q.maxSize));
    this.deviceFeatures = this.device.deviceFeatures | bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_RING_F_INDIRECT_DESC);
    const transport = this; // the register file reads live status through this reference
    this.common = new CommonConfig({
      deviceFeatures: this.deviceFeatures,
      queues: this.queues,
      get status() {
        return transport.status;
      },
      get configGeneration() {
        return transport.configGeneration;
      },
      writeStatus: (value) => this.writeStatus(value),
      enableQueue: (queue) => this.enableQueue(queue),
    });

    this.configSpace = buildPciConfigSpace(
      {
        vendorId: VIRTIO_PCI_VENDOR_ID,
        deviceId: VIRTIO_PCI_MODERN_DEVICE_ID_BASE + this.device.deviceType,
        revision: VIRTIO_PCI_REVISION,
        classCode: options.classCode,
        subsystemVendorId: VIRTIO_PCI_VENDOR_ID,
        subsystemId: options.subsystemId,
      },
      options.mmioBase,
      [
        { cfgType: VIRTIO_PCI_CAP_COMMON_CFG, offset: COMMON_CFG_OFFSET, length: COMMON_CFG_LENGTH },
        { cfgType: VIRTIO_PCI_CAP_NOTIFY_CFG, offset: NOTIFY_OFFSET, length: NOTIFY_OFF_MULTIPLIER * this.queues.length, notifyOffMultiplier: NOTIFY_OFF_MULTIPLIER },
        { cfgType: VIRTIO_PCI_CAP_ISR_CFG, offset: ISR_OFFSET, length: ISR_LENGTH },
        { cfgType: VIRTIO_PCI_CAP_DEVICE_CFG, offset: DEVICE_CFG_OFFSET, length: this.device.configSize },
      ],
    );
    this.device.attach(this);
    this.pciHost.registerDevice({ pciId: this.pciId, configSpace: this.configSpace, bars: [{ size: BAR_SIZE }], name: this.device.name });
    this.pciHost.mapMmio(options.mmioBase, BAR_SIZE, this.mmioHandlers());
  }

  get driverOk(): boolean {
    return (this.status & STATUS_DRIVER_OK) !== 0;
  }

  log(message: string): void {
    this.logSink(`${this.device.name}: ${message}`);
  }

  // --- MMIO ------------------------------------------------------------------------------

  /**
   * The handlers v86 calls. They never throw into the emulator: an exception here would be a
   * bug in a device model or backend, so it is logged with the access that caused it.
   */
  private mmioHandlers(): MmioHandlers {
    const guarded = <T>(what: string, offset: number, fallback: T, access: () => T): T => {
      try {
        return access();
      } catch (error) {
        this.log(`internal error during MMIO ${what} at BAR offset 0x${offset.toString(16)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback;
      }
    };
    return {
      read8: (offset) => guarded("read8", offset, 0, () => this.readByte(offset)),
      read32: (offset) =>
        guarded("read32", offset, 0, () => {
          // ISR is read-to-clear: a 32-bit read must clear once, not per byte.
          if (offset >= ISR_OFFSET && offset < ISR_OFFSET + ISR_LENGTH) return this.readByte(offset);
          return (this.readByte(offset) | (this.readByte(offset + 1) << 8) | (this.readByte(offset + 2) << 16) | (this.readByte(offset + 3) << 24)) >>> 0;
        }),
      write8: (offset, value) => guarded("write8", offset, undefined, () => this.writeByte(offset, value & 0xff)),
      write32: (offset, value) =>
        guarded("write32", offset, undefined, () => {
          if (offset >= NOTIFY_OFFSET && offset < NOTIFY_OFFSET + NOTIFY_OFF_MULTIPLIER * this.queues.length) {
            this.writeByte(offset, value & 0xff);
            return;
          }
          for (let i = 0; i < 4; i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xff);
        }),
    };
  }

  private readByte(offset: number): number {
    if (offset >= COMMON_CFG_OFFSET && offset < COMMON_CFG_OFFSET + COMMON_CFG_LENGTH) return this.common.readByte(offset - COMMON_CFG_OFFSET);
    if (offset === ISR_OFFSET) return this.readAndClearIsr();
    if (offset >= DEVICE_CFG_OFFSET && offset < DEVICE_CFG_OFFSET + this.device.configSize) return this.device.readConfigByte(offset - DEVICE_CFG_OFFSET) & 0xff;
    return 0;
  }

  private writeByte(offset: number, value: number): void {
    if (offset >= COMMON_CFG_OFFSET && offset < COMMON_CFG_OFFSET + COMMON_CFG_LENGTH) {
      this.common.writeByte(offset - COMMON_CFG_OFFSET, value);
    } else if (offset >= DEVICE_CFG_OFFSET && offset < DEVICE_CFG_OFFSET + this.device.configSize) {
      this.device.writeConfigByte(offset - DEVICE_CFG_OFFSET, value);
    } else if (offset >= NOTIFY_OFFSET && offset < NOTIFY_OFFSET + NOTIFY_OFF_MULTIPLIER * this.queues.length) {
      // The driver writes the 16-bit queue index at the queue's notify address; v86 splits it
      // into two byte writes, so the low byte (at the slot start) is the notification.
      const relative = offset - NOTIFY_OFFSET;
      if (relative % NOTIFY_OFF_MULTIPLIER === 0) this.notify(relative / NOTIFY_OFF_MULTIPLIER);
    }
  }

  // --- status, features, reset -------------------------------------------------------------

  private writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    const previous = this.status;
    let next = value | (previous & STATUS_DEVICE_NEEDS_RESET);
    if (next & STATUS_FEATURES_OK && !(previous & STATUS_FEATURES_OK)) {
      const accepted = this.common.driverFeatures;
      const unknown = accepted & ~this.deviceFeatures;
      if (unknown !== 0n || !(accepted & bit(VIRTIO_F_VERSION_1))) {
        this.log(
          `feature negotiation failed: driver features 0x${accepted.toString(16)}` +
            (unknown !== 0n ? ` include unoffered bits 0x${unknown.toString(16)}` : " lack VIRTIO_F_VERSION_1 (bit 32)") +
            "; FEATURES_OK not accepted",
        );
        next &= ~STATUS_FEATURES_OK;
      } else {
        this.negotiatedFeatures = accepted;
      }
    }
    this.status = next & 0xff;
    if (this.status & STATUS_DRIVER_OK && !(previous & STATUS_DRIVER_OK)) {
      if (this.pendingConfigInterrupt) {
        this.pendingConfigInterrupt = false;
        this.raiseIsr(ISR_CONFIG);
      }
      // Notifications that arrived before DRIVER_OK were held back (3.1.1: no buffers consumed before it).
      for (const queue of this.queues) this.processQueue(queue);
    }
  }

  /** Device reset (status 0 or machine reset): the device model frees everything it held. */
  reset(): void {
    this.epoch++;
    this.stats.resets++;
    this.status = 0;
    this.negotiatedFeatures = 0n;
    this.pendingConfigInterrupt = false;
    this.common.reset();
    for (const queue of this.queues) queue.reset();
    if (this.isr !== 0) {
      this.isr = 0;
      this.pciHost.lowerIrq(this.pciId);
    }
    this.stopReassert();
    this.device.reset();
  }

  // --- save / restore ------------------------------------------------------------------------

  /** Requests popped and not yet completed, over all queues. */
  get requestsInFlight(): number {
    return this.queues.reduce((sum, queue) => sum + queue.inFlight, 0);
  }

  /** Throws if requests are in flight: their completions could not be replayed after a restore. */
  saveState(): TransportSnapshot {
    const inFlight = this.requestsInFlight;
    if (inFlight > 0) throw new Error(`${this.device.name}: cannot save state while ${inFlight} requests are in flight; retry after they complete`);
    return {
      version: 1,
      status: this.status,
      configGeneration: this.configGeneration,
      negotiatedFeatures: this.negotiatedFeatures.toString(16),
      isr: this.isr,
      pendingConfigInterrupt: this.pendingConfigInterrupt,
      common: this.common.snapshot(),
      queues: this.queues.map((queue) => queue.snapshot()),
    };
  }

  /**
   * Puts the registers and ring positions back (guest RAM, with the rings, comes back with the
   * v86 snapshot). Does not touch the device model: restore its state separately. Requests in
   * flight now are dropped; the INTx line is set to match the restored ISR.
   */
  restoreState(snapshot: TransportSnapshot): void {
    if (snapshot.version !== 1 || snapshot.queues.length !== this.queues.length) {
      throw new Error(`${this.device.name}: snapshot version ${snapshot.version} with ${snapshot.queues.length} queues does not fit this device (${this.queues.length} queues)`);
    }
    this.epoch++;
    this.status = snapshot.status & 0xff;
    this.configGeneration = snapshot.configGeneration & 0xff;
    this.negotiatedFeatures = BigInt(`0x${snapshot.negotiatedFeatures || "0"}`);
    this.pendingConfigInterrupt = snapshot.pendingConfigInterrupt;
    this.common.restore(snapshot.common);
    snapshot.queues.forEach((queueSnapshot, i) => this.queues[i].restore(queueSnapshot));
    this.isr = snapshot.isr & (ISR_QUEUE | ISR_CONFIG);
    this.stopReassert();
    if (this.isr !== 0) {
      this.pciHost.raiseIrq(this.pciId);
      this.raiseSerial++;
      this.armReassert();
    } else this.pciHost.lowerIrq(this.pciId);
  }

  // --- queues --------------------------------------------------------------------------------

  private enableQueue(queue: Virtqueue): void {
    try {
      queue.validateLayout(this.ram);
      queue.enabled = true;
    } catch (error) {
      this.fault(queue, error);
    }
  }

  private notify(queueIndex: number): void {
    this.stats.notifications++;
    const queue = this.queues[queueIndex];
    if (!queue) return;
    this.processQueue(queue);
  }

  private processQueue(queue: Virtqueue): void {
    if (!queue.enabled || queue.broken || !this.driverOk) return;
    const indirect = (this.negotiatedFeatures & bit(VIRTIO_RING_F_INDIRECT_DESC)) !== 0n;
    const epoch = this.epoch;
    // Bounded: each iteration consumes one avail entry and popAvailable rejects idx jumps > size.
    for (;;) {
      let chain;
      try {
        chain = queue.popAvailable(this.ram, indirect);
      } catch (error) {
        this.fault(queue, error);
        return;
      }
      if (!chain) return;
      this.stats.requestsPopped++;
      const request = new VirtioRequest(this.ram, queue.index, chain.head, chain.readable, chain.writable, (done, bytes) =>
        this.completeRequest(queue, epoch, done, bytes),
      );
      try {
        this.device.handleRequest(request);
      } catch (error) {
        // A device bug must not take the emulator down: return the buffer empty and say why.
        this.log(`queue ${queue.index} (${queue.name}): device handler threw on descriptor ${chain.head}: ${String(error)}`);
        request.complete(0);
      }
      if (this.epoch !== epoch || queue.broken) return; // the handler reset the device
    }
  }

  private completeRequest(queue: Virtqueue, epoch: number, request: VirtioRequest, bytesWritten: number): void {
    if (epoch !== this.epoch || queue.broken || !queue.enabled) return;
    try {
      queue.pushUsed(this.ram, request.head, bytesWritten);
      this.stats.requestsCompleted++;
      if (!queue.interruptSuppressed(this.ram)) this.raiseIsr(ISR_QUEUE);
    } catch (error) {
      this.fault(queue, error);
    }
  }

  /** Malformed ring: DEVICE_NEEDS_RESET, config interrupt, queue stopped, exact log (2.1.2). */
  private fault(queue: Virtqueue, error: unknown): void {
    queue.broken = true;
    this.stats.ringFaults++;
    let what: string;
    if (error instanceof RingFault || error instanceof GuestRamRangeError) what = error.message;
    else what = `unexpected error: ${String(error)}`;
    this.log(`queue ${queue.index} (${queue.name}): ${what}; queue stopped, device needs reset`);
    this.status |= STATUS_DEVICE_NEEDS_RESET;
    this.configGeneration = (this.configGeneration + 1) & 0xff;
    if (this.driverOk) this.raiseIsr(ISR_CONFIG);
    else this.pendingConfigInterrupt = true;
  }

  // --- interrupts ------------------------------------------------------------------------------

  notifyConfigChange(): void {
    this.configGeneration = (this.configGeneration + 1) & 0xff;
    if (this.driverOk) this.raiseIsr(ISR_CONFIG);
    else this.pendingConfigInterrupt = true;
  }

  private raiseIsr(bits: number): void {
    const wasIdle = this.isr === 0;
    this.isr |= bits;
    if (wasIdle) {
      this.stats.interruptsRaised++;
      this.pciHost.raiseIrq(this.pciId);
      this.raiseSerial++;
      this.armReassert();
    }
  }

  /**
   * INTx is level-triggered: real hardware keeps interrupting while the ISR is set. We raise the
   * line only on the idle -> set transition, so if the interrupt controller ever dropped that one
   * edge (an emulator bug, a race with completions that arrive asynchronously from the GPU
   * worker), the ISR would stay set, no new edge would come, and the guest would wait forever.
   * A line still raised by the same edge `reassertMs` later is pulsed (lowered and raised): at
   * worst one spurious interrupt, which the guest reads as ISR 0 bits already handled.
   */
  private armReassert(): void {
    if (this.reassertMs <= 0 || this.reassertTimer !== null) return;
    const serial = this.raiseSerial;
    const timer = setTimeout(() => this.reassertIfUnread(serial), this.reassertMs);
    // Never keep a Node process (tests, the Node harness) alive just for this.
    (timer as { unref?: () => void }).unref?.();
    this.reassertTimer = timer;
  }

  private reassertIfUnread(serial: number): void {
    this.reassertTimer = null;
    if (this.isr === 0) return;
    if (serial === this.raiseSerial) {
      this.stats.interruptsReasserted++;
      if (this.stats.interruptsReasserted <= 3) {
        this.log(`ISR 0x${this.isr.toString(16)} unread ${this.reassertMs} ms after the interrupt: pulsing INTx again (${this.stats.interruptsReasserted} so far)`);
      }
      this.pciHost.lowerIrq(this.pciId);
      this.pciHost.raiseIrq(this.pciId);
    }
    this.armReassert();
  }

  private stopReassert(): void {
    if (this.reassertTimer !== null) clearTimeout(this.reassertTimer);
    this.reassertTimer = null;
  }

  /** 4.1.4.5.1: reading the ISR returns and clears it and deasserts INTx. */
  private readAndClearIsr(): number {
    const value = this.isr;
    if (value !== 0) {
      this.isr = 0;
      this.pciHost.lowerIrq(this.pciId);
    }
    return value;
  }
}
