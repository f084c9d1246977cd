// What command handlers get: GL, the state cache, object accounting, the resource table, the
// submit's backing access and the list of backing writes it produces.

import type { BackingAccess, BackingWrite } from "../transfer-plan.ts";
import type { VirglContext } from "./context.ts";
import type { FramebufferBinder } from "./framebuffer.ts";
import type { GlObjects } from "./gl-objects.ts";
import type { IndexedBlendGl } from "./indexed-blend.ts";
import type { QueryManager } from "./queries.ts";
import type { ObjectEntry } from "./sub-context.ts";
import type { GpuResource } from "./resources.ts";
import type { GlStateCache } from "./state-cache.ts";
import type { TransferEnv } from "./transfers.ts";

export interface ExecEnv {
  gl: WebGL2RenderingContext;
  state: GlStateCache;
  objs: GlObjects;
  resources: ReadonlyMap<number, GpuResource>;
  transfer: TransferEnv;
  backing: BackingAccess;
  writes: BackingWrite[];
  ctx: VirglContext;
  framebuffer: FramebufferBinder;
  queries: QueryManager;
  /** OES_draw_buffers_indexed when the caps advertise independent blend, else null. */
  indexedBlend?: IndexedBlendGl | null;
  /** Called when an object leaves a sub-context table (destroyed or replaced), to free derived GL objects. */
  objectDestroyed?: (entry: ObjectEntry) => void;
  /** Commands accepted but not executed yet (kind → count), for the debug panel and tests. */
  skipped: Map<string, number>;
}

/**
 * Returned by a handler that must wait: a WAIT-mode render condition whose query result WebGL has
 * not made available yet. The renderer suspends the context's command stream at that command and
 * resumes it (from that command) once the result is there (renderer.ts, queries.ts).
 */
export const SUSPEND: unique symbol = Symbol("suspend");

/** Handler result: null = ok, string = error message (stops the submit), SUSPEND = wait and retry. */
export type ExecResult = string | null | typeof SUSPEND;
