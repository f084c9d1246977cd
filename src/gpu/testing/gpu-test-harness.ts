import { ArrayGuestMemory } from "../../virtio/guest-memory.ts";
import { FakeGuestDriver } from "../../virtio/testing/fake-guest-driver.ts";
import { FakePciHost } from "../../virtio/testing/fake-pci-host.ts";
import { createVirtioGpu, type CreateVirtioGpuOptions, type VirtioGpu } from "../create-virtio-gpu.ts";
import { CTRL_HDR_SIZE, VIRTIO_GPU_FLAG_FENCE } from "../protocol.ts";
import { FakeScanoutBackend } from "./fake-scanout-backend.ts";

export interface GpuResponseView {
  type: number;
  flags: number;
  fenceId: bigint;
  ctxId: number;
  /** The whole response (header included). */
  view: DataView;
  length: number;
}

export interface CommandOptions {
  fenceId?: bigint;
  ctxId?: number;
  /** Writable response buffer size (default 24 + 1024 + 8, enough for anything). */
  responseSize?: number;
  queue?: number;
  indirect?: boolean;
  /** Split the request into this many readable descriptors (exercise gathering). */
  splitAt?: number[];
}

/** Encodes a request: virtio_gpu_ctrl_hdr then u32 fields then optional raw bytes. */
export function encodeCommand(type: number, fields: readonly number[], extra: Uint8Array = new Uint8Array(0), options: CommandOptions = {}): Uint8Array {
  const out = new Uint8Array(CTRL_HDR_SIZE + 4 * fields.length + extra.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  if (options.fenceId !== undefined) {
    view.setUint32(4, VIRTIO_GPU_FLAG_FENCE, true);
    view.setBigUint64(8, options.fenceId, true);
  }
  view.setUint32(16, options.ctxId ?? 0, true);
  fields.forEach((value, i) => view.setUint32(CTRL_HDR_SIZE + 4 * i, value >>> 0, true));
  out.set(extra, CTRL_HDR_SIZE + 4 * fields.length);
  return out;
}

/** A booted virtio-gpu with a fake driver and backend, like Linux after probe. */
export class GpuHarness {
  readonly host = new FakePciHost();
  readonly memory: ArrayGuestMemory;
  readonly backend = new FakeScanoutBackend();
  readonly logs: string[] = [];
  readonly gpu: VirtioGpu;
  readonly driver: FakeGuestDriver;

  constructor(options: Partial<CreateVirtioGpuOptions> & { memorySize?: number } = {}) {
    this.memory = new ArrayGuestMemory(options.memorySize ?? 4 << 20);
    this.gpu = createVirtioGpu({ pciHost: this.host, memory: this.memory, backend: this.backend, log: (m) => this.logs.push(m), queueSize: 64, ...options });
    this.driver = new FakeGuestDriver(this.host, this.memory);
    this.driver.initialize({ queueSize: 64 });
    this.backend.take();
  }

  /** Sends one command on the control queue and returns the parsed response (or null if none was written). */
  command(type: number, fields: readonly number[], extra?: Uint8Array, options: CommandOptions = {}): GpuResponseView | null {
    const queue = options.queue ?? 0;
    const request = encodeCommand(type, fields, extra, options);
    const pieces: Uint8Array[] = [];
    let start = 0;
    for (const cut of [...(options.splitAt ?? []), request.length]) {
      pieces.push(request.subarray(start, cut));
      start = cut;
    }
    const responseSize = options.responseSize ?? CTRL_HDR_SIZE + 8 + 1024;
    const { head, writableAddresses } = this.driver.submit(queue, pieces, responseSize > 0 ? [responseSize] : [], { indirect: options.indirect });
    const used = this.driver.takeUsed(queue);
    const mine = used.find((u) => u.id === head);
    if (!mine || mine.len === 0 || writableAddresses.length === 0) return null;
    return this.parse(writableAddresses[0], mine.len);
  }

  parse(address: number, length: number): GpuResponseView {
    const bytes = this.driver.get(address, length);
    const view = new DataView(bytes.buffer);
    return { type: view.getUint32(0, true), flags: view.getUint32(4, true), fenceId: view.getBigUint64(8, true), ctxId: view.getUint32(16, true), view, length };
  }

  /** Allocates guest memory and fills it. */
  place(data: Uint8Array, align = 4096): number {
    const address = this.driver.alloc(data.length, align);
    this.driver.put(address, data);
    return address;
  }
}

/** Backing entries as ATTACH_BACKING payload bytes. */
export function memEntries(entries: readonly { address: number; length: number }[]): Uint8Array {
  const out = new Uint8Array(16 * entries.length);
  const view = new DataView(out.buffer);
  entries.forEach((entry, i) => {
    view.setUint32(16 * i, entry.address % 0x1_0000_0000, true);
    view.setUint32(16 * i + 4, Math.floor(entry.address / 0x1_0000_0000), true);
    view.setUint32(16 * i + 8, entry.length, true);
  });
  return out;
}
