/**
 * Save/restore of the 3D module's own tables (contexts, 3D resources, their guest backing and
 * attachments, scanouts showing a 3D resource) plus the recorded call log that rebuilds the GPU
 * worker's GL state (recorded-log.ts). The snapshot is untrusted on the way back (IndexedDB):
 * readVirglSnapshot validates it completely, and checks that the log leaves exactly the contexts
 * and resources the tables list, before anything is changed.
 */
import { Backing, type BackingEntry } from "../backing.ts";
import type { GpuState } from "../gpu-state.ts";
import type { Rect } from "../scanout-backend.ts";
import { rectInside } from "../scanouts.ts";
import { normalizeResourceDesc, type ResourceDesc } from "../../virgl/resource-desc.ts";
import { checkDesc, checkRecordedLog, type RecordedCall } from "./recorded-log.ts";
import type { Virgl3DState } from "./resources-3d.ts";

export const VIRGL_SNAPSHOT_VERSION = 2;

export interface VirglModuleSnapshot {
  version: typeof VIRGL_SNAPSHOT_VERSION;
  contexts: { id: number; name: string; attached: number[] }[];
  /** Backing as flat [address, length, ...] pairs, or null when none is attached. */
  resources: { desc: ResourceDesc; backing: number[] | null }[];
  /** Scanouts showing a 3D resource (the device's own restore only rebinds 2D ones). */
  scanouts: { scanoutId: number; res: number; rect: Rect }[];
  /** Every state-changing port call since the device reset; null when saved without recording (then only empty contexts exist). */
  log: RecordedCall[] | null;
  /** Renderer errors the recorded work produced: a replay that produces more went wrong. */
  logErrors: number;
}

export function saveVirglTables(v3d: Virgl3DState, gpu: GpuState, log: RecordedCall[] | null, logErrors: number): VirglModuleSnapshot {
  return {
    version: VIRGL_SNAPSHOT_VERSION,
    contexts: [...v3d.contexts.values()].map((c) => ({ id: c.id, name: c.name, attached: [...c.attached] })),
    resources: [...v3d.resources.values()].map((r) => ({
      desc: { ...r.desc },
      backing: r.backing ? r.backing.entries.flatMap((e) => [e.address, e.length]) : null,
    })),
    scanouts: gpu.scanouts.flatMap((s, scanoutId) => (s.resourceId !== 0 && v3d.resources.has(s.resourceId) ? [{ scanoutId, res: s.resourceId, rect: { ...s.rect } }] : [])),
    log,
    logErrors,
  };
}

const fail = (message: string): never => {
  throw new Error(`virgl: restore: ${message}`);
};
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 0xffffffff;

/** Validates an untrusted module snapshot against this device (RAM, scanouts, log cap); throws naming the field. */
export function readVirglSnapshot(value: unknown, gpu: GpuState, maxLogBytes: number): VirglModuleSnapshot {
  const s = value as Partial<VirglModuleSnapshot> | null;
  if (typeof s !== "object" || s === null) fail(`snapshot is ${String(value)}, not an object`);
  if (s!.version !== VIRGL_SNAPSHOT_VERSION) fail(`snapshot version ${String(s!.version)}, expected ${VIRGL_SNAPSHOT_VERSION}`);
  const { contexts, resources, scanouts, log, logErrors } = s!;
  if (!Array.isArray(contexts) || !Array.isArray(resources) || !Array.isArray(scanouts)) fail("contexts, resources and scanouts must be arrays");
  if (!Number.isInteger(logErrors) || logErrors! < 0) fail(`logErrors ${String(logErrors)} is not a count`);

  const resourceIds = new Set<number>();
  resources!.forEach((r, i) => {
    const bad = checkDesc(r?.desc);
    if (bad) fail(`resources[${i}]: ${bad}`);
    if (resourceIds.has(r.desc.handle) || gpu.resources.has(r.desc.handle)) fail(`resources[${i}]: id ${r.desc.handle} is used twice`);
    resourceIds.add(r.desc.handle);
    if (r.backing === null) return;
    if (!Array.isArray(r.backing) || r.backing.length % 2 !== 0) fail(`resources[${i}] (id ${r.desc.handle}): backing is not [address, length] pairs`);
    for (let j = 0; j < r.backing.length; j += 2) {
      const [address, length] = [r.backing[j], r.backing[j + 1]];
      if (!Number.isSafeInteger(address) || !Number.isSafeInteger(length) || length <= 0 || !gpu.ram.contains(address, length)) {
        fail(`resources[${i}] (id ${r.desc.handle}): backing entry ${j / 2} (${address}, ${length}) lies outside guest RAM`);
      }
    }
  });
  const contextIds = new Set<number>();
  contexts!.forEach((c, i) => {
    if (!isId(c?.id) || contextIds.has(c.id)) fail(`contexts[${i}]: id ${String(c?.id)} is not a new context id`);
    if (typeof c.name !== "string" || c.name.length > 64) fail(`contexts[${i}]: name is not a string of at most 64 characters`);
    if (!Array.isArray(c.attached) || !c.attached.every((id) => resourceIds.has(id))) fail(`contexts[${i}] (id ${c.id}): attached lists a resource that does not exist`);
    contextIds.add(c.id);
  });
  scanouts!.forEach((sc, i) => {
    const scanout = gpu.scanouts[sc?.scanoutId];
    if (!Number.isInteger(sc?.scanoutId) || !scanout) fail(`scanouts[${i}]: scanout ${String(sc?.scanoutId)} does not exist`);
    const r = resources!.find((x) => x.desc.handle === sc.res);
    if (!r) fail(`scanouts[${i}]: resource ${String(sc.res)} does not exist`);
    const rect = sc.rect;
    if (!rect || ![rect.x, rect.y, rect.width, rect.height].every((v) => Number.isInteger(v) && v >= 0) || !rectInside(rect, r!.desc.width, r!.desc.height)) {
      fail(`scanouts[${i}]: rect ${JSON.stringify(rect)} is not inside resource ${sc.res}`);
    }
  });

  if (log === null) {
    // Saved without a log: only empty contexts can be rebuilt.
    if (resourceIds.size > 0 || scanouts!.length > 0) fail(`${resourceIds.size} resources but no call log to rebuild them`);
  } else {
    let outcome;
    try {
      outcome = checkRecordedLog(log, { maxBytes: maxLogBytes, scanouts: gpu.scanouts.length });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
    const same = (a: Set<number>, b: Set<number>) => a.size === b.size && [...a].every((x) => b.has(x));
    if (!same(outcome!.contexts, contextIds)) fail(`the call log leaves contexts [${[...outcome!.contexts]}], the tables list [${[...contextIds]}]`);
    if (!same(outcome!.resources, resourceIds)) fail(`the call log leaves ${outcome!.resources.size} resources, the tables list ${resourceIds.size}`);
  }
  return s as VirglModuleSnapshot;
}

/** Fills the (reset) module tables from a validated snapshot; also rebinds the device's scanouts. */
export function restoreVirglTables(v3d: Virgl3DState, gpu: GpuState, s: VirglModuleSnapshot): void {
  for (const { desc, backing } of s.resources) {
    const r = v3d.addResource(normalizeResourceDesc(desc));
    if (!backing) continue;
    const entries: BackingEntry[] = [];
    for (let i = 0; i < backing.length; i += 2) entries.push({ address: backing[i], length: backing[i + 1] });
    r.backing = new Backing(entries);
  }
  for (const { id, name, attached } of s.contexts) {
    v3d.contexts.set(id, { id, name, attached: new Set(attached), firstError: null });
    for (const res of attached) v3d.resources.get(res)!.contexts.add(id);
  }
  for (const { scanoutId, res, rect } of s.scanouts) {
    gpu.scanouts[scanoutId].resourceId = res;
    gpu.scanouts[scanoutId].rect = { ...rect };
  }
}
