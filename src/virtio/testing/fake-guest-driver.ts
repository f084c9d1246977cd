import {
  COMMON_DEVICE_FEATURE,
  COMMON_DEVICE_FEATURE_SELECT,
  COMMON_DEVICE_STATUS,
  COMMON_DRIVER_FEATURE,
  COMMON_DRIVER_FEATURE_SELECT,
  COMMON_NUM_QUEUES,
  COMMON_QUEUE_DESC,
  COMMON_QUEUE_DEVICE,
  COMMON_QUEUE_DRIVER,
  COMMON_QUEUE_ENABLE,
  COMMON_QUEUE_NOTIFY_OFF,
  COMMON_QUEUE_SELECT,
  COMMON_QUEUE_SIZE,
  PCI_CAPABILITY_LIST,
  STATUS_ACKNOWLEDGE,
  STATUS_DRIVER,
  STATUS_DRIVER_OK,
  STATUS_FEATURES_OK,
  VIRTIO_PCI_CAP_COMMON_CFG,
  VIRTIO_PCI_CAP_DEVICE_CFG,
  VIRTIO_PCI_CAP_ISR_CFG,
  VIRTIO_PCI_CAP_NOTIFY_CFG,
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
} from "../constants.ts";
import type { ArrayGuestMemory } from "../guest-memory.ts";
import type { FakePciHost } from "./fake-pci-host.ts";

export interface RawDescriptor {
  addr: number;
  len: number;
  flags: number;
  next: number;
}

export interface QueueRings {
  index: number;
  size: number;
  desc: number;
  avail: number;
  used: number;
  notifyOffset: number;
  /** Our shadow of avail idx. */
  availIdx: number;
  /** How many used entries we have consumed. */
  usedSeen: number;
  nextFreeDescriptor: number;
}

export interface SubmittedBuffers {
  head: number;
  /** Guest addresses of the writable buffers, in order. */
  writableAddresses: number[];
}

export interface UsedElement {
  id: number;
  len: number;
}

/**
 * A tiny virtio guest driver for unit tests: walks the capability list like Linux does, runs
 * the status handshake, lays out split rings in an ArrayGuestMemory and submits buffers.
 * 16-bit register accesses are issued as two 8-bit ones, as v86 delivers them.
 */
export class FakeGuestDriver {
  readonly caps = new Map<number, { offset: number; length: number; multiplier: number }>();
  readonly queues: QueueRings[] = [];
  private nextFree = 0x10000;

  constructor(
    readonly host: FakePciHost,
    readonly memory: ArrayGuestMemory,
  ) {
    const space = host.registration?.configSpace;
    if (!space) throw new Error("device not registered");
    const view = new DataView(space.buffer, space.byteOffset);
    let at = space[PCI_CAPABILITY_LIST];
    for (let guard = 0; at !== 0 && guard < 48; guard++) {
      if (space[at] === 0x09) {
        this.caps.set(space[at + 3], {
          offset: view.getUint32(at + 8, true),
          length: view.getUint32(at + 12, true),
          multiplier: space[at + 3] === VIRTIO_PCI_CAP_NOTIFY_CFG ? view.getUint32(at + 16, true) : 0,
        });
      }
      at = space[at + 1];
    }
  }

  cap(type: number): { offset: number; length: number; multiplier: number } {
    const found = this.caps.get(type);
    if (!found) throw new Error(`capability ${type} missing`);
    return found;
  }
  get common(): number {
    return this.cap(VIRTIO_PCI_CAP_COMMON_CFG).offset;
  }
  get deviceCfg(): number {
    return this.cap(VIRTIO_PCI_CAP_DEVICE_CFG).offset;
  }

  // --- register access ----------------------------------------------------------------------
  read8(offset: number): number {
    return this.host.mmio.read8(offset);
  }
  read16(offset: number): number {
    return this.host.mmio.read8(offset) | (this.host.mmio.read8(offset + 1) << 8);
  }
  read32(offset: number): number {
    return this.host.mmio.read32(offset) >>> 0;
  }
  write8(offset: number, value: number): void {
    this.host.mmio.write8(offset, value);
  }
  write16(offset: number, value: number): void {
    this.host.mmio.write8(offset, value & 0xff);
    this.host.mmio.write8(offset + 1, (value >>> 8) & 0xff);
  }
  write32(offset: number, value: number): void {
    this.host.mmio.write32(offset, value >>> 0);
  }
  write64(offset: number, value: number): void {
    this.write32(offset, value % 0x1_0000_0000);
    this.write32(offset + 4, Math.floor(value / 0x1_0000_0000));
  }

  readStatus(): number {
    return this.read8(this.common + COMMON_DEVICE_STATUS);
  }
  writeStatus(value: number): void {
    this.write8(this.common + COMMON_DEVICE_STATUS, value);
  }
  readIsr(): number {
    return this.read8(this.cap(VIRTIO_PCI_CAP_ISR_CFG).offset);
  }
  deviceFeatures(): bigint {
    this.write32(this.common + COMMON_DEVICE_FEATURE_SELECT, 0);
    const lo = this.read32(this.common + COMMON_DEVICE_FEATURE);
    this.write32(this.common + COMMON_DEVICE_FEATURE_SELECT, 1);
    const hi = this.read32(this.common + COMMON_DEVICE_FEATURE);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  writeDriverFeatures(features: bigint): void {
    this.write32(this.common + COMMON_DRIVER_FEATURE_SELECT, 0);
    this.write32(this.common + COMMON_DRIVER_FEATURE, Number(features & 0xffffffffn));
    this.write32(this.common + COMMON_DRIVER_FEATURE_SELECT, 1);
    this.write32(this.common + COMMON_DRIVER_FEATURE, Number((features >> 32n) & 0xffffffffn));
  }
  numQueues(): number {
    return this.read16(this.common + COMMON_NUM_QUEUES);
  }

  // --- guest memory -------------------------------------------------------------------------
  alloc(size: number, align = 16): number {
    const at = Math.ceil(this.nextFree / align) * align;
    this.nextFree = at + size;
    if (this.nextFree > this.memory.size) throw new Error("fake guest out of memory");
    return at;
  }
  put(address: number, data: Uint8Array): void {
    this.memory.bytes().set(data, address);
  }
  get(address: number, length: number): Uint8Array {
    return this.memory.bytes().slice(address, address + length);
  }
  view(): DataView {
    const ram = this.memory.bytes();
    return new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  }

  // --- handshake and rings -----------------------------------------------------------------
  /** Full Linux-like init: reset, ACK, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
  initialize(options: { features?: bigint; queueSize?: number } = {}): void {
    this.writeStatus(0);
    this.writeStatus(STATUS_ACKNOWLEDGE);
    this.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    const offered = this.deviceFeatures();
    this.writeDriverFeatures(options.features ?? offered);
    this.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    if (!(this.readStatus() & STATUS_FEATURES_OK)) throw new Error("FEATURES_OK refused");
    this.queues.length = 0;
    const count = this.numQueues();
    for (let i = 0; i < count; i++) this.setupQueue(i, options.queueSize ?? 16);
    this.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
  }

  setupQueue(index: number, size: number, enable = true): QueueRings {
    this.write16(this.common + COMMON_QUEUE_SELECT, index);
    this.write16(this.common + COMMON_QUEUE_SIZE, size);
    const desc = this.alloc(16 * size, 16);
    const avail = this.alloc(6 + 2 * size, 2);
    const used = this.alloc(6 + 8 * size, 4);
    this.write64(this.common + COMMON_QUEUE_DESC, desc);
    this.write64(this.common + COMMON_QUEUE_DRIVER, avail);
    this.write64(this.common + COMMON_QUEUE_DEVICE, used);
    const notifyOff = this.read16(this.common + COMMON_QUEUE_NOTIFY_OFF);
    const notify = this.cap(VIRTIO_PCI_CAP_NOTIFY_CFG);
    const rings: QueueRings = { index, size, desc, avail, used, notifyOffset: notify.offset + notifyOff * notify.multiplier, availIdx: 0, usedSeen: 0, nextFreeDescriptor: 0 };
    this.queues[index] = rings;
    if (enable) this.write16(this.common + COMMON_QUEUE_ENABLE, 1);
    return rings;
  }

  writeDescriptor(queue: number, index: number, descriptor: RawDescriptor, tableAddress?: number): void {
    const view = this.view();
    const at = (tableAddress ?? this.queues[queue].desc) + 16 * index;
    view.setUint32(at, descriptor.addr % 0x1_0000_0000, true);
    view.setUint32(at + 4, Math.floor(descriptor.addr / 0x1_0000_0000), true);
    view.setUint32(at + 8, descriptor.len, true);
    view.setUint16(at + 12, descriptor.flags, true);
    view.setUint16(at + 14, descriptor.next, true);
  }

  /** Puts `head` in the avail ring and bumps avail idx by `idxStep` (1 normally). */
  publish(queue: number, head: number, idxStep = 1): void {
    const rings = this.queues[queue];
    const view = this.view();
    view.setUint16(rings.avail + 4 + 2 * (rings.availIdx % rings.size), head, true);
    rings.availIdx = (rings.availIdx + idxStep) & 0xffff;
    view.setUint16(rings.avail + 2, rings.availIdx, true);
  }

  setAvailFlags(queue: number, flags: number): void {
    this.view().setUint16(this.queues[queue].avail, flags, true);
  }

  notify(queue: number): void {
    this.write16(this.queues[queue].notifyOffset, queue);
  }

  /**
   * Copies `readable` buffers into fresh guest memory, allocates `writable` buffers and links
   * them into one chain (or one indirect table), publishes and notifies.
   */
  submit(queue: number, readable: Uint8Array[], writable: number[], options: { indirect?: boolean; notify?: boolean } = {}): SubmittedBuffers {
    const rings = this.queues[queue];
    const parts: { addr: number; len: number; write: boolean }[] = [];
    for (const data of readable) {
      const addr = this.alloc(Math.max(1, data.length));
      this.put(addr, data);
      parts.push({ addr, len: data.length, write: false });
    }
    const writableAddresses: number[] = [];
    for (const length of writable) {
      const addr = this.alloc(Math.max(1, length));
      this.memory.bytes().fill(0xcd, addr, addr + length);
      writableAddresses.push(addr);
      parts.push({ addr, len: length, write: true });
    }
    const head = rings.nextFreeDescriptor;
    if (options.indirect) {
      const table = this.alloc(16 * parts.length, 16);
      parts.forEach((part, i) => {
        const last = i === parts.length - 1;
        this.writeDescriptor(queue, i, { addr: part.addr, len: part.len, flags: (part.write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT), next: last ? 0 : i + 1 }, table);
      });
      this.writeDescriptor(queue, head, { addr: table, len: 16 * parts.length, flags: VIRTQ_DESC_F_INDIRECT, next: 0 });
      rings.nextFreeDescriptor = (head + 1) % rings.size;
    } else {
      parts.forEach((part, i) => {
        const index = (head + i) % rings.size;
        const last = i === parts.length - 1;
        this.writeDescriptor(queue, index, { addr: part.addr, len: part.len, flags: (part.write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT), next: last ? 0 : (index + 1) % rings.size });
      });
      rings.nextFreeDescriptor = (head + parts.length) % rings.size;
    }
    this.publish(queue, head);
    if (options.notify ?? true) this.notify(queue);
    return { head, writableAddresses };
  }

  /** Used elements the device added since the last call. */
  takeUsed(queue: number): UsedElement[] {
    const rings = this.queues[queue];
    const view = this.view();
    const usedIdx = view.getUint16(rings.used + 2, true);
    const out: UsedElement[] = [];
    while (rings.usedSeen !== usedIdx) {
      const at = rings.used + 4 + 8 * (rings.usedSeen % rings.size);
      out.push({ id: view.getUint32(at, true), len: view.getUint32(at + 4, true) });
      rings.usedSeen = (rings.usedSeen + 1) & 0xffff;
    }
    return out;
  }
}
