import type { GuestRam } from "../virtio/guest-ram.ts";
import type { ResourceTable } from "./resource-table.ts";
import type { ScanoutBackend } from "./scanout-backend.ts";
import type { Scanout } from "./scanouts.ts";

/** Counters exposed through createVirtioGpu().stats. */
export interface GpuCounters {
  commands: number;
  errors: number;
  transfers: number;
  bytesTransferred: number;
  flushes: number;
  cursorUpdates: number;
}

/** The cursor last set with UPDATE_CURSOR on a scanout (kept so a restored snapshot can show it again). */
export interface CursorState {
  resourceId: number;
  hotX: number;
  hotY: number;
  x: number;
  y: number;
}

/** Everything a command module works on. One instance per device; cleared on reset. */
export interface GpuState {
  readonly ram: GuestRam;
  readonly resources: ResourceTable;
  readonly scanouts: Scanout[];
  readonly backend: ScanoutBackend;
  readonly counters: GpuCounters;
  /** Per scanout: the visible cursor, or null when hidden. */
  readonly cursors: (CursorState | null)[];
  log(message: string): void;
}
