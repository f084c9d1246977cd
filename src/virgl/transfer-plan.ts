// The data-movement pre-pass (README.md "Data movement"). Guest RAM is not visible to the worker,
// so before a submit the device lists the backing ranges the renderer will read
// (`planSubmit(words, describe)`), copies them out of guest pages and ships them with the submit
// as a `GatheredBacking`. After the submit it applies the renderer's `backingWrites` to guest pages
// and only then completes the fence. Pure: the device keeps its own ResourceDesc mirror (it sees
// every RESOURCE_CREATE_3D) and needs no GL.

import { walkCommands } from "./decode/decoder.ts";
import type { DecodeError } from "./decode/errors.ts";
import { TransferDir } from "./protocol.ts";
import { type ResourceDesc, transferGeometry } from "./resource-desc.ts";

export interface BackingRange {
  res: number;
  offset: number;
  length: number;
}

export interface SubmitPlan {
  /** Ranges of resource backings the submit reads (TO_HOST transfers, COPY_TRANSFER3D sources). */
  reads: BackingRange[];
  /** Ranges it may write (FROM_HOST transfers, query results). */
  writes: BackingRange[];
  /** Decode or geometry error: the renderer will stop at the same command. */
  error?: DecodeError | string;
}

export type Describe = (res: number) => ResourceDesc | undefined;

/**
 * Scans a submit for backing accesses. Unknown resources are skipped (the renderer reports them).
 * `describe` should return descriptions passed through normalizeResourceDesc (as the renderer does).
 */
export function planSubmit(words: Uint32Array, describe: Describe): SubmitPlan {
  const reads: BackingRange[] = [];
  const writes: BackingRange[] = [];
  let geomError: string | undefined;
  const err = walkCommands(words, (cmd) => {
    if (cmd.kind === "TRANSFER3D") {
      const d = describe(cmd.res);
      if (!d) return;
      const g = transferGeometry(d, cmd.level, cmd.box, cmd.stride, cmd.layerStride);
      if (typeof g === "string") {
        geomError = `TRANSFER3D res ${cmd.res}: ${g}`;
        return false;
      }
      (cmd.direction === TransferDir.TO_HOST ? reads : writes).push({ res: cmd.res, offset: cmd.dataOffset, length: g.bytes });
    } else if (cmd.kind === "COPY_TRANSFER3D") {
      const d = describe(cmd.res);
      if (!d) return;
      const g = transferGeometry(d, cmd.level, cmd.box, cmd.stride, cmd.layerStride);
      if (typeof g === "string") {
        geomError = `COPY_TRANSFER3D res ${cmd.res}: ${g}`;
        return false;
      }
      (cmd.readFromHost ? writes : reads).push({ res: cmd.srcRes, offset: cmd.srcOffset, length: g.bytes });
    }
    return undefined;
  });
  const error = err ?? geomError;
  return error ? { reads: mergeRanges(reads), writes: mergeRanges(writes), error } : { reads: mergeRanges(reads), writes: mergeRanges(writes) };
}

/** Sorts and coalesces overlapping/adjacent ranges per resource. */
export function mergeRanges(ranges: BackingRange[]): BackingRange[] {
  const sorted = [...ranges].sort((a, b) => a.res - b.res || a.offset - b.offset);
  const out: BackingRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.res === r.res && r.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, r.offset + r.length - last.offset);
    } else out.push({ ...r });
  }
  return out;
}

/** Reads resource backing bytes: the renderer's only way to see guest memory. */
export interface BackingAccess {
  /** Exactly `length` bytes at `offset` of `res`'s backing, or an error message. */
  read(res: number, offset: number, length: number): Uint8Array | string;
}

/** One backing update the device must apply to guest pages before completing the fence. */
export interface BackingWrite {
  res: number;
  offset: number;
  bytes: Uint8Array;
}

/** BackingAccess over ranges gathered ahead of time by the device (planSubmit). */
export class GatheredBacking implements BackingAccess {
  constructor(private readonly chunks: readonly { res: number; offset: number; bytes: Uint8Array }[]) {}
  read(res: number, offset: number, length: number): Uint8Array | string {
    for (const c of this.chunks) {
      if (c.res === res && offset >= c.offset && offset + length <= c.offset + c.bytes.length) {
        return c.bytes.subarray(offset - c.offset, offset - c.offset + length);
      }
    }
    return `backing of resource ${res} [${offset}, +${length}) was not gathered`;
  }
}

/** BackingAccess over whole backings held in memory (vtest shared memory, tests). */
export class MemoryBacking implements BackingAccess {
  constructor(private readonly backings: ReadonlyMap<number, Uint8Array>) {}
  read(res: number, offset: number, length: number): Uint8Array | string {
    const b = this.backings.get(res);
    if (!b) return `resource ${res} has no backing`;
    if (offset + length > b.length) return `backing read [${offset}, +${length}) beyond its ${b.length} bytes`;
    return b.subarray(offset, offset + length);
  }
  /** Applies renderer writes (what the device does with guest pages). */
  apply(writes: readonly BackingWrite[]): string | null {
    for (const w of writes) {
      const b = this.backings.get(w.res);
      if (!b || w.offset + w.bytes.length > b.length) return `backing write [${w.offset}, +${w.bytes.length}) to resource ${w.res} out of range`;
      b.set(w.bytes, w.offset);
    }
    return null;
  }
}
