// A sub-context (one guest GL context): its own object-handle namespace and bound pipeline state.
// Like vrend, all object types share one namespace per sub-context; creating a handle that exists
// replaces (and frees) the old object.

import type { PendingShader } from "../decode/shader-assembler.ts";
import type { CommandOf, Scissor, VertexBufferBinding, Viewport } from "../decode/types.ts";
import { Obj } from "../protocol.ts";

export interface SurfaceObj {
  res: number;
  format: number;
  level: number;
  firstLayer: number;
  lastLayer: number;
}
export interface QueryObj {
  queryType: number;
  index: number;
  res: number;
  offset: number;
  gl: WebGLQuery | null;
  active: boolean;
}

export interface StreamoutTargetObj {
  res: number;
  bufferOffset: number;
  bufferSize: number;
  /** Bytes captured since the target was last bound without its append bit. */
  filled: number;
}

export type ObjectEntry =
  | { type: typeof Obj.BLEND; value: CommandOf<"CREATE_BLEND">["state"] }
  | { type: typeof Obj.RASTERIZER; value: CommandOf<"CREATE_RASTERIZER">["state"] }
  | { type: typeof Obj.DSA; value: CommandOf<"CREATE_DSA">["state"] }
  | { type: typeof Obj.SHADER; value: { stage: number; text: string; numTokens: number; streamOutput: CommandOf<"CREATE_SHADER">["streamOutput"] } }
  | { type: typeof Obj.VERTEX_ELEMENTS; value: CommandOf<"CREATE_VERTEX_ELEMENTS">["elements"] }
  | { type: typeof Obj.SAMPLER_VIEW; value: Omit<CommandOf<"CREATE_SAMPLER_VIEW">, "kind" | "handle"> }
  | { type: typeof Obj.SAMPLER_STATE; value: CommandOf<"CREATE_SAMPLER_STATE">["state"] }
  | { type: typeof Obj.SURFACE; value: SurfaceObj }
  | { type: typeof Obj.QUERY; value: QueryObj }
  | { type: typeof Obj.STREAMOUT_TARGET; value: StreamoutTargetObj };

export type ObjectOf<T extends ObjectEntry["type"]> = Extract<ObjectEntry, { type: T }>["value"];

export class SubContext {
  readonly objects = new Map<number, ObjectEntry>();
  // bound state
  blend = 0;
  dsa = 0;
  rasterizer = 0;
  vertexElements = 0;
  shaders: number[] = [0, 0, 0, 0, 0, 0];
  framebuffer: { zsurf: number; cbufs: number[] } = { zsurf: 0, cbufs: [] };
  viewports: Viewport[] = [];
  scissors: Scissor[] = [];
  vertexBuffers: VertexBufferBinding[] = [];
  indexBuffer = { res: 0, indexSize: 0, offset: 0 };
  samplerViews: number[][] = [[], [], [], [], [], []];
  samplerStates: number[][] = [[], [], [], [], [], []];
  constants: Uint32Array[] = [new Uint32Array(0), new Uint32Array(0)];
  uniformBuffers: { index: number; offset: number; length: number; res: number }[][] = [[], []];
  stencilRef: [number, number] = [0, 0];
  blendColor: [number, number, number, number] = [0, 0, 0, 0];
  sampleMask = 0xffffffff;
  /** SET_CLIP_STATE: 8 user clip planes × 4 (uploaded as the translator's webvirgl_clip_planes). */
  clipPlanes = new Float32Array(32);
  streamoutTargets: number[] = [];
  /** Pending multi-chunk shader texts, by handle. */
  readonly pendingShaders = new Map<number, PendingShader>();

  constructor(readonly id: number) {}

  get<T extends ObjectEntry["type"]>(handle: number, type: T): ObjectOf<T> | undefined {
    const e = this.objects.get(handle);
    if (!e || e.type !== type) return undefined;
    const v: unknown = e.value;
    return v as ObjectOf<T> | undefined;
  }
}
