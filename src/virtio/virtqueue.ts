import {
  AVAIL_RING_ALIGN,
  AVAIL_RING_HEADER,
  DESC_SIZE,
  DESC_TABLE_ALIGN,
  USED_ELEM_SIZE,
  USED_RING_ALIGN,
  USED_RING_HEADER,
  VIRTQ_AVAIL_F_NO_INTERRUPT,
} from "./constants.ts";
import { readDescriptorChain, type DescriptorChain } from "./descriptor-chain.ts";
import { u64ToNumber, type GuestRam } from "./guest-ram.ts";
import { RingFault, hex } from "./ring-fault.ts";

/** A queue's state for save/restore (plain data, structured-clone friendly). */
export interface QueueSnapshot {
  size: number;
  addressWords: number[];
  enabled: boolean;
  broken: boolean;
  lastAvailIdx: number;
  usedIdx: number;
}

/**
 * Device side of one split virtqueue (VIRTIO 1.2 2.7): the registers the driver programs
 * through the common config, and the avail/used ring walking. Ring contents are read from
 * guest RAM on every call; nothing is cached except our own indices.
 */
export class Virtqueue {
  /** queue_size register (driver may lower it before enabling). */
  size: number;
  /** queue_desc / queue_driver / queue_device as 32-bit halves, assembled byte by byte. */
  readonly addressWords = new Uint32Array(6);
  enabled = false;
  /** Set when the ring was found malformed: the queue stops until the device is reset. */
  broken = false;
  private lastAvailIdx = 0;
  private usedIdx = 0;
  /** Requests popped but not yet completed (bounded by the queue size). */
  inFlight = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly maxSize: number,
  ) {
    this.size = maxSize;
  }

  get descAddress(): number {
    return u64ToNumber(this.addressWords[0], this.addressWords[1]);
  }
  get driverAddress(): number {
    return u64ToNumber(this.addressWords[2], this.addressWords[3]);
  }
  get deviceAddress(): number {
    return u64ToNumber(this.addressWords[4], this.addressWords[5]);
  }

  reset(): void {
    this.size = this.maxSize;
    this.addressWords.fill(0);
    this.enabled = false;
    this.broken = false;
    this.lastAvailIdx = 0;
    this.usedIdx = 0;
    this.inFlight = 0;
  }

  snapshot(): QueueSnapshot {
    return { size: this.size, addressWords: [...this.addressWords], enabled: this.enabled, broken: this.broken, lastAvailIdx: this.lastAvailIdx, usedIdx: this.usedIdx };
  }

  restore(snapshot: QueueSnapshot): void {
    this.size = snapshot.size;
    this.addressWords.set(snapshot.addressWords.slice(0, 6));
    this.enabled = snapshot.enabled;
    this.broken = snapshot.broken;
    this.lastAvailIdx = snapshot.lastAvailIdx & 0xffff;
    this.usedIdx = snapshot.usedIdx & 0xffff;
    this.inFlight = 0;
  }

  /** Checks the programmed layout when the driver enables the queue (4.1.4.3.2). */
  validateLayout(ram: GuestRam): void {
    const size = this.size;
    if (size === 0 || size > this.maxSize || (size & (size - 1)) !== 0) {
      throw new RingFault("common config", "queue_size", String(size), `must be a power of two in 1..${this.maxSize}`);
    }
    const parts: [string, number, number, number][] = [
      ["queue_desc", this.descAddress, DESC_SIZE * size, DESC_TABLE_ALIGN],
      ["queue_driver", this.driverAddress, AVAIL_RING_HEADER + 2 * size, AVAIL_RING_ALIGN],
      ["queue_device", this.deviceAddress, USED_RING_HEADER + USED_ELEM_SIZE * size, USED_RING_ALIGN],
    ];
    for (const [field, address, length, align] of parts) {
      if (!ram.contains(address, length)) {
        throw new RingFault("common config", field, hex(address), `ring part of ${length} bytes lies outside guest RAM (${hex(ram.size)} bytes)`);
      }
      if (address % align !== 0) {
        throw new RingFault("common config", field, hex(address), `not aligned to ${align} bytes`);
      }
    }
  }

  /** Pops the next available descriptor chain, or null when the driver has offered nothing new. */
  popAvailable(ram: GuestRam, indirectAllowed: boolean): DescriptorChain | null {
    const availIdx = ram.readU16(this.driverAddress + 2);
    const pending = (availIdx - this.lastAvailIdx) & 0xffff;
    if (pending === 0) return null;
    if (pending > this.size) {
      throw new RingFault(
        "avail ring",
        "idx",
        String(availIdx),
        `jumped ${pending} entries past the device's position ${this.lastAvailIdx} (queue size ${this.size})`,
      );
    }
    const slot = this.lastAvailIdx % this.size;
    const head = ram.readU16(this.driverAddress + AVAIL_RING_HEADER + 2 * slot);
    if (head >= this.size) {
      throw new RingFault(`avail ring slot ${slot}`, "ring[]", String(head), `head descriptor index beyond queue size ${this.size}`);
    }
    const chain = readDescriptorChain(ram, this.descAddress, this.size, head, indirectAllowed);
    this.lastAvailIdx = (this.lastAvailIdx + 1) & 0xffff;
    this.inFlight++;
    return chain;
  }

  /** Appends {head, length} to the used ring and publishes the new used idx (2.7.8). */
  pushUsed(ram: GuestRam, head: number, bytesWritten: number): void {
    const slot = this.usedIdx % this.size;
    const element = this.deviceAddress + USED_RING_HEADER + USED_ELEM_SIZE * slot;
    ram.writeU32(element, head);
    ram.writeU32(element + 4, bytesWritten);
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    ram.writeU16(this.deviceAddress + 2, this.usedIdx);
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** 2.7.7: without EVENT_IDX the driver suppresses interrupts with VIRTQ_AVAIL_F_NO_INTERRUPT. */
  interruptSuppressed(ram: GuestRam): boolean {
    return (ram.readU16(this.driverAddress) & VIRTQ_AVAIL_F_NO_INTERRUPT) !== 0;
  }
}
