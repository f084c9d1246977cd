/**
 * Where instant-start snapshots live and which one fits a machine: records keyed by the guest
 * image version and everything else that shapes the saved PC (RAM size, 3D on/off, display,
 * the renderer's capsets, extra kernel arguments). A record for another image version is stale:
 * lookups never return it and saving deletes it. Storage is an adapter so unit tests run on an
 * in-memory map; browsers use IndexedDB (snapshot-idb.ts).
 */
import type { VirtioGpuSnapshot } from "../gpu/index.ts";

/** Bump when the record layout or the guest-side save point changes: older records stop matching. */
export const SNAPSHOT_FORMAT = 2;

/** "shell": saved at the guest's shell prompt (any demo is typed in after a restore); `demo:…`: saved with that demo running. */
export type SnapshotPoint = "shell" | `demo:${string}`;

/** What a snapshot depends on besides the guest image. */
export interface SnapshotConfig {
  /** manifest.json `version` (the image's input hash). */
  imageVersion: string;
  memoryMiB: number;
  virgl: boolean;
  /** The device's preferred mode at boot (the guest's fbcon was set up for it). */
  display: { width: number; height: number };
  /** Hash of the renderer's capsets: the guest's Mesa read them at boot (another GPU/browser differs). */
  capsHash: string;
  /** The kernel command line the snapshot was booted with. */
  cmdline: string;
  /** Where the guest was when saved (demo snapshots name the demo and hash its command line). */
  point: SnapshotPoint;
}

export interface SnapshotRecord {
  key: string;
  format: number;
  config: SnapshotConfig;
  /** Date.now() when saved. */
  savedAt: number;
  /** v86 save_state() output. */
  v86State: ArrayBuffer;
  gpuState: VirtioGpuSnapshot;
  /** Guest RAM in bytes the PC was built with (restore must build the same). */
  memorySize: number;
  /** Demo snapshots: what the guest printed since the demo was started (shown again after a restore). */
  serialTail?: string;
}

/** Summary of a stored record (no state bytes). */
export interface SnapshotInfo {
  key: string;
  config: SnapshotConfig;
  savedAt: number;
  bytes: number;
}

/** Minimal key-value storage the snapshot logic needs. */
export interface SnapshotStorage {
  get(key: string): Promise<SnapshotRecord | undefined>;
  /** The record's summary without reading its state bytes. */
  head(key: string): Promise<SnapshotInfo | undefined>;
  put(record: SnapshotRecord): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

const KEY_PREFIX = "webvirgl-snapshot";

/** The record key: every field of the config, so a lookup by key is an exact match. */
export function snapshotKey(config: SnapshotConfig): string {
  const { imageVersion, memoryMiB, virgl, display, capsHash, cmdline, point } = config;
  return [KEY_PREFIX, `f${SNAPSHOT_FORMAT}`, imageVersion, `${memoryMiB}M`, virgl ? "virgl" : "2d", `${display.width}x${display.height}`, capsHash, hashString(cmdline), point].join("/");
}

function imageVersionOf(key: string): string | null {
  const parts = key.split("/");
  return parts[0] === KEY_PREFIX ? (parts[2] ?? null) : null;
}

/** FNV-1a 32-bit as 8 hex digits: short, stable keys (not a security boundary). */
export function hashString(text: string): string {
  return hashBytes(new TextEncoder().encode(text));
}

export function hashBytes(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

export class SnapshotStore {
  constructor(private readonly storage: SnapshotStorage) {}

  /** The record for exactly this config, or null. Records of other image versions are deleted on the way. */
  async find(config: SnapshotConfig): Promise<SnapshotRecord | null> {
    await this.deleteStale(config.imageVersion);
    const record = await this.storage.get(snapshotKey(config));
    if (!record || record.format !== SNAPSHOT_FORMAT || record.config.imageVersion !== config.imageVersion) return null;
    return record;
  }

  /** Like find() (stale records are deleted too) without reading the state bytes. */
  async info(config: SnapshotConfig): Promise<SnapshotInfo | null> {
    await this.deleteStale(config.imageVersion);
    const info = await this.storage.head(snapshotKey(config));
    return info && info.config.imageVersion === config.imageVersion ? info : null;
  }

  /** Stores a snapshot for its config (replacing one with the same key) and drops stale ones. */
  async save(record: Omit<SnapshotRecord, "key" | "format">): Promise<SnapshotInfo> {
    await this.deleteStale(record.config.imageVersion);
    const key = snapshotKey(record.config);
    await this.storage.put({ ...record, key, format: SNAPSHOT_FORMAT });
    return { key, config: record.config, savedAt: record.savedAt, bytes: record.v86State.byteLength };
  }

  /** Deletes the snapshot for this config (or, with no config, every webvirgl snapshot). */
  async discard(config?: SnapshotConfig): Promise<void> {
    if (config) return this.storage.delete(snapshotKey(config));
    for (const key of await this.storage.keys()) if (key.startsWith(`${KEY_PREFIX}/`)) await this.storage.delete(key);
  }

  /** Removes records saved for another guest image or record format: they can never be restored. */
  async deleteStale(imageVersion: string): Promise<void> {
    for (const key of await this.storage.keys()) {
      if (!key.startsWith(`${KEY_PREFIX}/`)) continue;
      if (imageVersionOf(key) !== imageVersion || !key.startsWith(`${KEY_PREFIX}/f${SNAPSHOT_FORMAT}/`)) await this.storage.delete(key);
    }
  }
}

/** In-memory storage: unit tests, and browsers without IndexedDB (snapshots last as long as the page). */
export class MemorySnapshotStorage implements SnapshotStorage {
  readonly records = new Map<string, SnapshotRecord>();

  async get(key: string): Promise<SnapshotRecord | undefined> {
    return this.records.get(key);
  }
  async head(key: string): Promise<SnapshotInfo | undefined> {
    const r = this.records.get(key);
    return r && { key: r.key, config: r.config, savedAt: r.savedAt, bytes: r.v86State.byteLength };
  }
  async put(record: SnapshotRecord): Promise<void> {
    this.records.set(record.key, record);
  }
  async delete(key: string): Promise<void> {
    this.records.delete(key);
  }
  async keys(): Promise<string[]> {
    return [...this.records.keys()];
  }
}
