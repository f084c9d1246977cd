/**
 * Moves bytes between 3D resources' guest backing and the renderer: gathers the ranges a submit
 * or transfer reads, scatters the renderer's backingWrites. Every range is checked against the
 * backing attached *now* (a write arriving after DETACH_BACKING or a reset is dropped, never
 * written to pages the guest may have reused), with overflow-safe arithmetic.
 */
import type { GuestRam } from "../../virtio/guest-ram.ts";
import type { BackingRange } from "../../virgl/transfer-plan.ts";
import type { Virgl3DState } from "./resources-3d.ts";
import type { BackingWrite, GatheredChunk } from "./virgl-port.ts";

/** Why [offset, offset + length) is not inside a backing of `total` bytes, or null if it is. */
export function rangeOutside(offset: number, length: number, total: number): string | null {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) return `range ${offset}+${length} is not a valid byte range`;
  // offset > total - length instead of offset + length > total: no overflow past 2^53.
  if (length > total || offset > total - length) return `range [${offset}, +${length}) outside the ${total}-byte backing`;
  return null;
}

/** Copies one range out of guest pages, or says why it cannot. */
export function gatherRange(ram: GuestRam, state: Virgl3DState, res: number, offset: number, length: number): Uint8Array | string {
  const r = state.resources.get(res);
  if (!r) return `resource ${res} is not a 3D resource`;
  if (!r.backing) return `resource ${res} has no backing attached`;
  const outside = rangeOutside(offset, length, r.backing.totalLength);
  if (outside) return `resource ${res}: ${outside}`;
  const bytes = new Uint8Array(length);
  r.backing.gather(ram, offset, length, bytes, 0);
  return bytes;
}

/**
 * Gathers every planned read range. A range that cannot be gathered is left out and reported:
 * the renderer then fails at exactly the command that needs it ("not gathered").
 */
export function gatherPlan(ram: GuestRam, state: Virgl3DState, reads: readonly BackingRange[]): { chunks: GatheredChunk[]; problems: string[] } {
  const chunks: GatheredChunk[] = [];
  const problems: string[] = [];
  for (const range of reads) {
    const got = gatherRange(ram, state, range.res, range.offset, range.length);
    if (typeof got === "string") problems.push(got);
    else chunks.push({ res: range.res, offset: range.offset, bytes: got });
  }
  return { chunks, problems };
}

/** Writes the renderer's results into guest pages; returns a description of every dropped write. */
export function applyBackingWrites(ram: GuestRam, state: Virgl3DState, writes: readonly BackingWrite[]): string[] {
  const dropped: string[] = [];
  for (const w of writes) {
    const r = state.resources.get(w.res);
    if (!r || !r.backing) {
      dropped.push(`write to resource ${w.res} [${w.offset}, +${w.bytes.length}): ${r ? "no backing attached" : "not a live 3D resource"}`);
      continue;
    }
    const outside = rangeOutside(w.offset, w.bytes.length, r.backing.totalLength);
    if (outside) {
      dropped.push(`write to resource ${w.res}: ${outside}`);
      continue;
    }
    r.backing.scatter(ram, w.offset, w.bytes);
  }
  return dropped;
}
