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

/** Handler result: null = ok, string = error message (stops the submit). */
export type ExecResult = string | null;
