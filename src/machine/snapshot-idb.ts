/**
 * IndexedDB storage for instant-start snapshots (one object store, records keyed by
 * snapshotKey()). The v86 state is stored as a Blob: Chromium keeps large blobs in files beside
 * the database instead of inside its LevelDB values, which is much faster for ~100 MB.
 */
import type { SnapshotInfo, SnapshotRecord, SnapshotStorage } from "./snapshot-store.ts";

const DB_NAME = "webvirgl";
const STORE = "snapshots";

/** What is actually stored: the record with its state bytes as a Blob. */
type StoredRecord = Omit<SnapshotRecord, "v86State"> & { v86State: Blob };

export class IdbSnapshotStorage implements SnapshotStorage {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly factory: IDBFactory = indexedDB) {}

  private open(): Promise<IDBDatabase> {
    this.db ??= this.openVersion(undefined).then((db) => {
      // Someone opened the database without creating our store (e.g. a devtools snippet): upgrade.
      if (db.objectStoreNames.contains(STORE)) return db;
      db.close();
      return this.openVersion(db.version + 1);
    });
    this.db.catch(() => {
      this.db = null;
    });
    return this.db;
  }

  private openVersion(version: number | undefined): Promise<IDBDatabase> {
    return new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.factory.open(DB_NAME, version);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(new Error(`IndexedDB "${DB_NAME}" did not open: ${request.error?.message ?? "unknown error"}`));
      request.onblocked = () => reject(new Error(`IndexedDB "${DB_NAME}" is blocked by another tab holding an older version`));
    });
  }

  private async run<T>(mode: IDBTransactionMode, what: string, op: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = op(tx.objectStore(STORE));
      let result: T;
      request.onsuccess = () => {
        result = request.result;
      };
      // Resolve on commit: a put is durable only then (and a quota error surfaces as a tx error).
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(new Error(`IndexedDB ${what} failed: ${tx.error?.message ?? request.error?.message ?? "unknown error"}`));
      tx.onabort = () => reject(new Error(`IndexedDB ${what} aborted: ${tx.error?.message ?? "unknown reason"}`));
    });
  }

  async get(key: string): Promise<SnapshotRecord | undefined> {
    const stored = await this.run<StoredRecord | undefined>("readonly", `get ${key}`, (s) => s.get(key) as IDBRequest<StoredRecord | undefined>);
    if (!stored) return undefined;
    return { ...stored, v86State: await stored.v86State.arrayBuffer() };
  }

  async head(key: string): Promise<SnapshotInfo | undefined> {
    const stored = await this.run<StoredRecord | undefined>("readonly", `get ${key}`, (s) => s.get(key) as IDBRequest<StoredRecord | undefined>);
    return stored && { key: stored.key, config: stored.config, savedAt: stored.savedAt, bytes: stored.v86State.size };
  }

  async put(record: SnapshotRecord): Promise<void> {
    const stored: StoredRecord = { ...record, v86State: new Blob([record.v86State]) };
    await this.run("readwrite", `put ${record.key} (${record.v86State.byteLength} bytes)`, (s) => s.put(stored));
  }

  async delete(key: string): Promise<void> {
    await this.run("readwrite", `delete ${key}`, (s) => s.delete(key));
  }

  async keys(): Promise<string[]> {
    const keys = await this.run("readonly", "list keys", (s) => s.getAllKeys());
    return keys.map(String);
  }
}

/** IndexedDB when the browser has it, else an in-page map (the snapshot then lasts until reload). */
export function defaultSnapshotStorage(fallback: () => SnapshotStorage): SnapshotStorage {
  return typeof indexedDB === "undefined" ? fallback() : new IdbSnapshotStorage();
}
