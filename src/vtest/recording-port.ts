// RecordingPort: a RendererPort that renders nothing (browser-safe: no Node APIs; capsets are
// passed in as bytes, see capsets.ts for loading the reference files). It answers caps with reference capsets,
// keeps resource contents in memory (TRANSFER_GET returns what TRANSFER_PUT stored, zeros
// elsewhere) and counts what it saw. Used to capture command streams from real Mesa clients
// (the server's --record option writes the stream files; see stream-io.ts) and in tests.

import type { Box, ResourceDesc, TransferDesc } from "./protocol.ts";
import type { CapsetId, ContextInfo, RendererContext, RendererPort } from "./renderer-port.ts";
import { virglFormatBlock, type FormatBlock } from "./formats.ts";

export interface RecordingPortOptions {
  capset1: Uint8Array;
  capset2: Uint8Array;
  /** Upper bound on resource bytes kept per context (default 256 MiB); beyond it puts are dropped. */
  maxStoredBytesPerContext?: number;
}

export interface PortStats {
  contexts: number;
  submits: number;
  submitDwords: number;
  transferPuts: number;
  transferGets: number;
  resourcesCreated: number;
}

const TARGET_3D = 3;
const TARGET_1D_ARRAY = 6;

/** Linear-memory layout of one resource level: rows of blocks, layers (array slices or depth). */
interface LevelLayout {
  rowBytes: number;
  rows: number;
  layers: number;
}

class StoredResource {
  readonly block: FormatBlock;
  private readonly levels = new Map<number, Uint8Array>();

  constructor(readonly desc: ResourceDesc) {
    // Buffers (target 0) are byte arrays whatever their format says; unknown formats: 1 byte.
    this.block = desc.target === 0 ? { bytes: 1, width: 1, height: 1 } : (virglFormatBlock(desc.format) ?? { bytes: 1, width: 1, height: 1 });
  }

  layout(level: number): LevelLayout {
    const d = this.desc;
    const w = Math.max(1, d.width >>> level);
    const h = Math.max(1, d.height >>> level);
    const rowBytes = Math.ceil(w / this.block.width) * this.block.bytes;
    // 1D arrays address their layer with box.y (Mesa/virgl convention): store layers as rows.
    if (d.target === TARGET_1D_ARRAY) return { rowBytes, rows: Math.max(1, d.arraySize), layers: 1 };
    const layers = d.target === TARGET_3D ? Math.max(1, d.depth >>> level) : Math.max(1, d.arraySize, d.depth);
    return { rowBytes, rows: Math.ceil(h / this.block.height), layers };
  }

  levelBytes(level: number): number {
    const l = this.layout(level);
    return l.rowBytes * l.rows * l.layers;
  }

  get(level: number): Uint8Array | undefined {
    return this.levels.get(level);
  }

  ensure(level: number): Uint8Array {
    let mem = this.levels.get(level);
    if (!mem) {
      mem = new Uint8Array(this.levelBytes(level));
      this.levels.set(level, mem);
    }
    return mem;
  }

  get storedBytes(): number {
    let n = 0;
    for (const m of this.levels.values()) n += m.byteLength;
    return n;
  }
}

/**
 * The client-side layout of transfer data, as Mesa's vtest winsys computes it
 * (vtest_get_transfer_size): the given stride only counts for multi-row boxes, the layer stride
 * only for multi-layer boxes; otherwise tightly packed.
 */
function transferLayout(res: StoredResource, t: TransferDesc): { rowBytes: number; rows: number; stride: number; layerStride: number } {
  const b = res.block;
  const rowBytes = Math.ceil(t.box.width / b.width) * b.bytes;
  const rows = Math.ceil(t.box.height / b.height);
  const stride = t.stride && t.box.height > 1 ? t.stride : rowBytes;
  const layerStride = t.layerStride && t.box.depth > 1 ? t.layerStride : stride * rows;
  return { rowBytes, rows, stride, layerStride };
}

/** Calls `fn(srcOffsetInTransfer, dstOffsetInLevel, bytes)` for every row of the box that fits. */
function forEachRow(res: StoredResource, t: TransferDesc, fn: (tOff: number, lOff: number, n: number) => void): void {
  const lay = res.layout(t.level);
  const tl = transferLayout(res, t);
  const box: Box = t.box;
  const x0 = Math.floor(box.x / res.block.width) * res.block.bytes;
  const y0 = Math.floor(box.y / res.block.height);
  const z0 = box.z;
  for (let z = 0; z < Math.max(1, box.depth); z++) {
    const layer = z0 + z;
    if (layer >= lay.layers) break;
    for (let r = 0; r < tl.rows; r++) {
      const row = y0 + r;
      if (row >= lay.rows) break;
      const n = Math.min(tl.rowBytes, lay.rowBytes - x0);
      if (n <= 0) return;
      const tOff = z * tl.layerStride + r * tl.stride;
      if (tOff + n > t.dataSize) return;
      fn(tOff, (layer * lay.rows + row) * lay.rowBytes + x0, n);
    }
  }
}

class RecordingContext implements RendererContext {
  private readonly resources = new Map<number, StoredResource>();
  private stored = 0;
  private warnedFull = false;

  constructor(
    private readonly port: RecordingPort,
    readonly info: ContextInfo,
  ) {}

  getCaps(capset: CapsetId): Uint8Array {
    return capset === 2 ? this.port.opts.capset2 : this.port.opts.capset1;
  }

  createResource(desc: ResourceDesc): void {
    const old = this.resources.get(desc.handle);
    if (old) this.stored -= old.storedBytes;
    this.resources.set(desc.handle, new StoredResource(desc));
    this.port.stats.resourcesCreated++;
  }

  unrefResource(handle: number): void {
    const res = this.resources.get(handle);
    if (res) this.stored -= res.storedBytes;
    this.resources.delete(handle);
  }

  transferPut(t: TransferDesc, data: Uint8Array): void {
    this.port.stats.transferPuts++;
    const res = this.resources.get(t.handle);
    if (!res) return;
    if (!res.get(t.level)) {
      const need = res.levelBytes(t.level);
      if (this.stored + need > (this.port.opts.maxStoredBytesPerContext ?? 256 * 1024 * 1024)) {
        if (!this.warnedFull) console.warn(`webvirgl-vtest: recording port: context ${this.info.sessionId} store full; dropping uploads`);
        this.warnedFull = true;
        return;
      }
      this.stored += need;
    }
    const mem = res.ensure(t.level);
    forEachRow(res, t, (tOff, lOff, n) => mem.set(data.subarray(tOff, tOff + n), lOff));
  }

  transferGet(t: TransferDesc): Uint8Array {
    this.port.stats.transferGets++;
    const out = new Uint8Array(t.dataSize);
    const res = this.resources.get(t.handle);
    const mem = res?.get(t.level);
    if (res && mem) forEachRow(res, t, (tOff, lOff, n) => out.set(mem.subarray(lOff, lOff + n), tOff));
    return out;
  }

  submit(commands: Uint32Array): void {
    this.port.stats.submits++;
    this.port.stats.submitDwords += commands.length;
  }

  busyWait(): boolean {
    return false; // nothing is ever in flight
  }

  destroy(): void {
    this.resources.clear();
    this.stored = 0;
  }
}

export class RecordingPort implements RendererPort {
  readonly stats: PortStats = { contexts: 0, submits: 0, submitDwords: 0, transferPuts: 0, transferGets: 0, resourcesCreated: 0 };

  constructor(readonly opts: RecordingPortOptions) {}

  createContext(info: ContextInfo): RendererContext {
    this.stats.contexts++;
    return new RecordingContext(this, info);
  }
}
