import {
  DESC_SIZE,
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
} from "./constants.ts";
import type { GuestRam } from "./guest-ram.ts";
import { RingFault, hex } from "./ring-fault.ts";

/** One guest-physical buffer of a request. Addresses, never views: RAM views go stale. */
export interface GuestSegment {
  address: number;
  length: number;
}

export interface DescriptorChain {
  /** Head descriptor index: the id written back to the used ring. */
  head: number;
  /** Device-readable buffers, in order (VIRTIO 1.2 2.7.4.2: all come before the writable ones). */
  readable: GuestSegment[];
  /** Device-writable buffers, in order. */
  writable: GuestSegment[];
}

interface RawDescriptor {
  address: number;
  length: number;
  flags: number;
  next: number;
}

function readDescriptor(ram: GuestRam, tableAddress: number, index: number): RawDescriptor {
  const at = tableAddress + index * DESC_SIZE;
  return {
    address: ram.readU64(at),
    length: ram.readU32(at + 8),
    flags: ram.readU16(at + 12),
    next: ram.readU16(at + 14),
  };
}

/** Accumulates segments and enforces "readable before writable" (2.7.4.2). */
class ChainBuilder {
  readonly readable: GuestSegment[] = [];
  readonly writable: GuestSegment[] = [];

  constructor(private readonly ram: GuestRam) {}

  add(location: string, descriptor: RawDescriptor): void {
    if (!this.ram.contains(descriptor.address, descriptor.length)) {
      throw new RingFault(
        location,
        "addr/len",
        `${hex(descriptor.address)}/${hex(descriptor.length)}`,
        `buffer lies outside guest RAM (${hex(this.ram.size)} bytes)`,
      );
    }
    const segment = { address: descriptor.address, length: descriptor.length };
    if (descriptor.flags & VIRTQ_DESC_F_WRITE) {
      this.writable.push(segment);
    } else {
      if (this.writable.length > 0) {
        throw new RingFault(
          location,
          "flags",
          hex(descriptor.flags),
          "device-readable descriptor after a device-writable one",
        );
      }
      this.readable.push(segment);
    }
  }
}

/**
 * Walks the chain starting at `head` of a queue's descriptor table (already checked to be in
 * RAM at queue enable). Bounded: at most `queueSize` descriptors in the table, at most the
 * table's length in an indirect table, so loops end with a RingFault instead of hanging.
 */
export function readDescriptorChain(
  ram: GuestRam,
  tableAddress: number,
  queueSize: number,
  head: number,
  indirectAllowed: boolean,
): DescriptorChain {
  const builder = new ChainBuilder(ram);
  const visited = new Uint8Array(queueSize);
  let index = head;
  for (let count = 0; ; count++) {
    const location = `descriptor ${index}`;
    if (index >= queueSize) {
      throw new RingFault(count === 0 ? "avail ring" : `descriptor ${index}`, count === 0 ? "ring[] (head)" : "index", String(index), `descriptor index beyond queue size ${queueSize}`);
    }
    if (visited[index]) {
      throw new RingFault(location, "next", String(index), `descriptor loop: chain from head ${head} visits descriptor ${index} twice`);
    }
    if (count >= queueSize) {
      throw new RingFault(location, "next", String(index), `chain from head ${head} is longer than the queue size ${queueSize}`);
    }
    visited[index] = 1;
    const descriptor = readDescriptor(ram, tableAddress, index);
    if (descriptor.flags & VIRTQ_DESC_F_INDIRECT) {
      if (!indirectAllowed) {
        throw new RingFault(location, "flags", hex(descriptor.flags), "INDIRECT used but VIRTIO_RING_F_INDIRECT_DESC was not negotiated");
      }
      if (descriptor.flags & VIRTQ_DESC_F_NEXT) {
        throw new RingFault(location, "flags", hex(descriptor.flags), "INDIRECT and NEXT set together (2.7.5.3.1)");
      }
      // The table's descriptors join whatever this chain already gathered; since INDIRECT
      // excludes NEXT, the indirect descriptor always ends the chain.
      readIndirectTable(ram, builder, descriptor, index);
      break;
    }
    builder.add(location, descriptor);
    if (!(descriptor.flags & VIRTQ_DESC_F_NEXT)) break;
    index = descriptor.next;
  }
  return { head, readable: builder.readable, writable: builder.writable };
}

function readIndirectTable(ram: GuestRam, builder: ChainBuilder, table: RawDescriptor, parentIndex: number): void {
  const parent = `descriptor ${parentIndex}`;
  if (table.length === 0 || table.length % DESC_SIZE !== 0) {
    throw new RingFault(parent, "len", hex(table.length), `indirect table length is not a non-zero multiple of ${DESC_SIZE}`);
  }
  if (!ram.contains(table.address, table.length)) {
    throw new RingFault(parent, "addr/len", `${hex(table.address)}/${hex(table.length)}`, `indirect table lies outside guest RAM (${hex(ram.size)} bytes)`);
  }
  const entries = table.length / DESC_SIZE;
  const visited = new Uint8Array(entries);
  let index = 0;
  for (let count = 0; ; count++) {
    const location = `indirect descriptor ${index} (table at descriptor ${parentIndex})`;
    if (index >= entries) {
      throw new RingFault(location, "next", String(index), `index beyond the indirect table's ${entries} entries`);
    }
    if (visited[index]) {
      throw new RingFault(location, "next", String(index), `descriptor loop inside the indirect table: entry ${index} visited twice`);
    }
    if (count >= entries) {
      throw new RingFault(location, "next", String(index), `indirect chain longer than its table (${entries} entries)`);
    }
    visited[index] = 1;
    const descriptor = readDescriptor(ram, table.address, index);
    if (descriptor.flags & VIRTQ_DESC_F_INDIRECT) {
      throw new RingFault(location, "flags", hex(descriptor.flags), "INDIRECT descriptor inside an indirect table (2.7.5.3.1)");
    }
    builder.add(location, descriptor);
    if (!(descriptor.flags & VIRTQ_DESC_F_NEXT)) break;
    index = descriptor.next;
  }
}
