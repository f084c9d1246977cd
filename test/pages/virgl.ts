/**
 * Harness for e2e/virgl-render.spec.ts: a VirglRenderer on an OffscreenCanvas WebGL2 context,
 * driven with encoder-built command streams. Guest memory is simulated by MemoryBacking (what the
 * device does with guest pages), so every scenario goes through the real data-movement API.
 * Exposed as `window.virglHarness`; every function returns plain JSON-able data.
 */
import { CommandStream } from "../../src/virgl/encode/encoder.ts";
import type { Command } from "../../src/virgl/decode/types.ts";
import { Bind, Clear, Target, TransferDir } from "../../src/virgl/protocol.ts";
import type { ResourceDesc } from "../../src/virgl/resource-desc.ts";
import { VirglRenderer } from "../../src/virgl/renderer.ts";
import { MemoryBacking, planSubmit } from "../../src/virgl/transfer-plan.ts";
import { createDrawPath } from "../../src/virgl/render/draw.ts";
import { translatorFromShaderModule } from "../../src/virgl/render/shader-port.ts";
import { shaderChunks } from "../../src/virgl/encode/encoder.ts";
import { parseStream } from "../../src/vtest/stream-file.ts";

const f32bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];

function newRenderer(debug = true): VirglRenderer {
  const canvas = new OffscreenCanvas(16, 16);
  const gl = canvas.getContext("webgl2", { antialias: false, preserveDrawingBuffer: false });
  if (!gl) throw new Error("no WebGL2");
  return new VirglRenderer(gl, { debug, draw: createDrawPath(translatorFromShaderModule) });
}

const tex2d = (handle: number, format: number, w: number, h: number): ResourceDesc => ({
  handle,
  target: Target.TEXTURE_2D,
  format,
  bind: Bind.RENDER_TARGET | Bind.SAMPLER_VIEW,
  width: w,
  height: h,
  depth: 1,
  arraySize: 1,
  lastLevel: 0,
  nrSamples: 0,
  flags: 0,
});
const buffer = (handle: number, bytes: number, bind: number = Bind.VERTEX_BUFFER): ResourceDesc => ({
  ...tex2d(handle, 64, bytes, 1),
  target: Target.BUFFER,
  bind,
});

interface Session {
  r: VirglRenderer;
  mem: MemoryBacking;
  backings: Map<number, Uint8Array>;
}

/** One renderer (one WebGL context) per page: browsers cap live contexts; scenarios reset it. */
let shared: VirglRenderer | null = null;

function session(resources: ResourceDesc[]): Session {
  shared ??= newRenderer(true);
  const r = shared;
  r.reset();
  const backings = new Map<number, Uint8Array>();
  const ok = r.createContext(1, "harness");
  if (!ok.ok) throw new Error(ok.error.message);
  for (const d of resources) {
    const c = r.createResource(d);
    if (!c.ok) throw new Error(c.error.message);
    r.attachResource(1, d.handle);
    const bpp = d.target === Target.BUFFER ? 1 : 16;
    backings.set(d.handle, new Uint8Array(Math.max(4096, d.width * d.height * bpp)));
  }
  return { r, mem: new MemoryBacking(backings), backings };
}

/** Runs one submit like the device would: plan, (gather), submit, apply writes. */
function run(s: Session, cmds: Command[], transferArea = true): { executed: number; error?: string; plannedReads: number } {
  const words = new CommandStream(transferArea).pushAll(cmds).finish();
  const plan = planSubmit(words, (res) => s.r.describeResource(res));
  const res = s.r.submit(1, words, s.mem);
  const applyErr = s.mem.apply(res.backingWrites);
  if (applyErr) throw new Error(applyErr);
  return { executed: res.executed, error: res.error ? `${res.error.cmd}: ${res.error.message}` : undefined, plannedReads: plan.reads.length };
}

const setup = (cbufFormat: number, w: number, h: number): Command[] => [
  { kind: "CREATE_SUB_CTX", subCtx: 1 },
  { kind: "SET_SUB_CTX", subCtx: 1 },
  { kind: "CREATE_SURFACE", handle: 1, res: 10, format: cbufFormat, val0: 0, val1: 0 },
  { kind: "SET_FRAMEBUFFER_STATE", zsurf: 0, cbufs: [1] },
  { kind: "SET_VIEWPORT_STATE", startSlot: 0, viewports: [{ scale: [w / 2, h / 2, 0.5], translate: [w / 2, h / 2, 0.5] }] },
];
const readBack = (res: number, w: number, h: number, bpp: number): Command => ({
  kind: "TRANSFER3D",
  res,
  level: 0,
  usage: 0,
  stride: w * bpp,
  layerStride: 0,
  box: { x: 0, y: 0, z: 0, w, h, d: 1 },
  dataOffset: 0,
  direction: TransferDir.FROM_HOST,
});

const VS = `VERT
DCL IN[0]
DCL IN[1]
DCL OUT[0], POSITION
DCL OUT[1], GENERIC[0]
  0: MOV OUT[0], IN[0]
  1: MOV OUT[1], IN[1]
  2: END
`;
const FS = `FRAG
PROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL CONST[0][0]
  0: MUL OUT[0], IN[0], CONST[0][0]
  1: END
`;

/** Mesa's default-ish pipeline objects: no blend, all channels, no depth/stencil, no culling. */
const pipeline = (): Command[] => [
  {
    kind: "CREATE_BLEND",
    handle: 20,
    state: {
      independentBlendEnable: false,
      logicopEnable: false,
      dither: false,
      alphaToCoverage: false,
      alphaToOne: false,
      logicopFunc: 0,
      rt: Array.from({ length: 8 }, () => ({ blendEnable: false, rgbFunc: 0, rgbSrcFactor: 1, rgbDstFactor: 0x11, alphaFunc: 0, alphaSrcFactor: 1, alphaDstFactor: 0x11, colormask: 0xf })),
    },
  },
  { kind: "BIND_OBJECT", objType: 1, handle: 20 },
  {
    kind: "CREATE_DSA",
    handle: 21,
    state: {
      depthEnabled: false,
      depthWritemask: false,
      depthFunc: 1,
      alphaEnabled: false,
      alphaFunc: 7,
      stencil: [
        { enabled: false, func: 7, failOp: 0, zpassOp: 0, zfailOp: 0, valuemask: 0xff, writemask: 0xff },
        { enabled: false, func: 7, failOp: 0, zpassOp: 0, zfailOp: 0, valuemask: 0xff, writemask: 0xff },
      ],
      alphaRef: 0,
    },
  },
  { kind: "BIND_OBJECT", objType: 3, handle: 21 },
  {
    kind: "CREATE_RASTERIZER",
    handle: 22,
    state: { s0: (1 << 1) | (1 << 15) | (1 << 29), pointSize: 1, spriteCoordEnable: 0, lineStipplePattern: 0, lineStippleFactor: 0, clipPlaneEnable: 0, lineWidth: 1, offsetUnits: 0, offsetScale: 0, offsetClamp: 0 },
  },
  { kind: "BIND_OBJECT", objType: 2, handle: 22 },
];

/** An empty scissor rect plus a rasterizer (handle 23) with the scissor test on: draws after these touch no pixel. */
const SCISSOR_ALL_OUT: Command = { kind: "SET_SCISSOR_STATE", startSlot: 0, scissors: [{ minx: 0, miny: 0, maxx: 0, maxy: 0 }] };
const SCISSORED_RASTERIZER: Command = {
  kind: "CREATE_RASTERIZER",
  handle: 23,
  state: { s0: (1 << 1) | (1 << 14) | (1 << 15) | (1 << 29), pointSize: 1, spriteCoordEnable: 0, lineStipplePattern: 0, lineStippleFactor: 0, clipPlaneEnable: 0, lineWidth: 1, offsetUnits: 0, offsetScale: 0, offsetClamp: 0 },
};

function triangleCmds(opts: { yflip: boolean; indexed: boolean; format?: number }): Command[] {
    const w = 16;
    const h = 16;
    const f = (v: number[]): Uint8Array => new Uint8Array(new Float32Array(v).buffer);
    const verts = f([-1, -1, 0, 1, 1, 1, 0, 1, 1, -1, 0, 1, 1, 1, 0, 1, -1, 1, 0, 1, 1, 1, 0, 1]);
    const sy = opts.yflip ? -h / 2 : h / 2;
    const cmds: Command[] = [
      ...setup(opts.format ?? 67, w, h),
      { kind: "SET_VIEWPORT_STATE", startSlot: 0, viewports: [{ scale: [w / 2, sy, 0.5], translate: [w / 2, h / 2, 0.5] }] },
      { kind: "CLEAR", buffers: Clear.COLOR0, color: [0, 0, 1, 1].map(f32bits) as [number, number, number, number], depth: 1, stencil: 0 },
      ...pipeline(),
      ...shaderChunks(40, 0, VS),
      ...shaderChunks(41, 1, FS),
      { kind: "BIND_SHADER", handle: 40, stage: 0 },
      { kind: "BIND_SHADER", handle: 41, stage: 1 },
      { kind: "SET_CONSTANT_BUFFER", stage: 1, index: 0, data: Uint32Array.from([1, 0.5, 1, 1].map(f32bits)) },
      { kind: "RESOURCE_INLINE_WRITE", res: 30, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: verts.length, h: 1, d: 1 }, data: verts },
      { kind: "RESOURCE_INLINE_WRITE", res: 31, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 8, y: 0, z: 0, w: 8, h: 1, d: 1 }, data: new Uint8Array(Uint16Array.from([9, 0, 1, 2]).buffer) },
      ...vertexLayout(),
      // like Mesa: the offset already includes start * index_size (indices [9, 0, 1, 2] at byte 8, start 1)
      { kind: "SET_INDEX_BUFFER", res: 31, indexSize: 2, offset: opts.indexed ? 10 : 8 },
      {
        kind: "DRAW_VBO",
        start: opts.indexed ? 1 : 0,
        count: 3,
        mode: 4,
        indexed: opts.indexed,
        instanceCount: 1,
        indexBias: 0,
        startInstance: 0,
        primitiveRestart: false,
        restartIndex: 0,
        minIndex: 0,
        maxIndex: 2,
        countFromSo: 0,
      },
    ];
    return cmds;
}
const triangleResources = (): ResourceDesc[] => [tex2d(10, 67, 16, 16), buffer(30, 256), buffer(31, 64, Bind.INDEX_BUFFER), buffer(32, 64, Bind.QUERY_BUFFER)];

/** A vec4 position at 0 and a second attribute (colour/texcoord; `format`) at 16, interleaved in buffer 30. */
function vertexLayout(handle = 50, stride = 32, format = 31): Command[] {
  return [
    {
      kind: "CREATE_VERTEX_ELEMENTS",
      handle,
      elements: [
        { srcOffset: 0, instanceDivisor: 0, vertexBufferIndex: 0, srcFormat: 31 },
        { srcOffset: 16, instanceDivisor: 0, vertexBufferIndex: 0, srcFormat: format },
      ],
    },
    { kind: "BIND_OBJECT", objType: 5, handle },
    { kind: "SET_VERTEX_BUFFERS", buffers: [{ stride, offset: 0, res: 30 }] },
  ];
}
/** BLIT of RGBA8 level 0 (whole src box → whole dst box, NEAREST, no scissor / render condition). */
const colourBlit = (src: number, sw: number, sh: number, dst: number, dw: number, dh: number): Command => ({
  kind: "BLIT",
  mask: 0xf,
  filter: 0,
  scissorEnable: false,
  renderConditionEnable: false,
  alphaBlend: false,
  scissor: { minx: 0, miny: 0, maxx: 0, maxy: 0 },
  dst: { res: dst, level: 0, format: 67, box: { x: 0, y: 0, z: 0, w: dw, h: dh, d: 1 } },
  src: { res: src, level: 0, format: 67, box: { x: 0, y: 0, z: 0, w: sw, h: sh, d: 1 } },
});
/** A 16×16 RGBA8 target (resource 10), default pipeline objects, the pass-through VS and `fsText`, bound. */
const quadProgram = (fsHandle: number, fsText: string): Command[] => [
  ...setup(67, 16, 16),
  ...pipeline(),
  ...shaderChunks(40, 0, VS),
  ...shaderChunks(fsHandle, 1, fsText),
  { kind: "BIND_SHADER", handle: 40, stage: 0 },
  { kind: "BIND_SHADER", handle: fsHandle, stage: 1 },
];
/** Full-target triangle strip in buffer 30: (-1,-1) (1,-1) (-1,1) (1,1), texcoords (0,0) (1,0) (0,1) (1,1). */
const QUAD_VERTS = new Uint8Array(new Float32Array([-1, -1, 0, 1, 0, 0, 0, 1, 1, -1, 0, 1, 1, 0, 0, 1, -1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1]).buffer);
/** Uploads QUAD_VERTS, binds position + texcoord vertex elements and draws the strip. */
const quadDraw = (): Command[] => [
  { kind: "RESOURCE_INLINE_WRITE", res: 30, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: QUAD_VERTS.length, h: 1, d: 1 }, data: QUAD_VERTS },
  ...vertexLayout(),
  { kind: "DRAW_VBO", start: 0, count: 4, mode: 5, indexed: false, instanceCount: 1, indexBias: 0, startInstance: 0, primitiveRestart: false, restartIndex: 0, minIndex: 0, maxIndex: 3, countFromSo: 0 },
];

const FS_TEX = `FRAG
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL SAMP[0]
DCL SVIEW[0], 2D, FLOAT
  0: TEX OUT[0], IN[0], SAMP[0], 2D
  1: END
`;

const FS_UBO = `FRAG
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL CONST[1][0]
  0: MUL OUT[0], IN[0], CONST[1][0]
  1: END
`;

const harness = {
  /**
   * Full-target quad sampling a 2×2 texture of `format` (texels given in guest layout, row 0 first)
   * with NEAREST filtering; returns the centre pixel of each 8×8 quadrant of a 16×16 RGBA8 target:
   * [x0y0, x1y0, x0y1, x1y1] in memory order.
   */
  textured(format: number, texels: number[], bytesPerTexel: number): { px: number[][]; error?: string } {
    const s = session([tex2d(10, 67, 16, 16), tex2d(12, format, 2, 2), buffer(30, 256)]);
    const tex = Uint8Array.from(texels);
    const cmds: Command[] = [
      ...quadProgram(42, FS_TEX),
      { kind: "RESOURCE_INLINE_WRITE", res: 12, level: 0, usage: 0, stride: 2 * bytesPerTexel, layerStride: 0, box: { x: 0, y: 0, z: 0, w: 2, h: 2, d: 1 }, data: tex },
      { kind: "CREATE_SAMPLER_VIEW", handle: 70, res: 12, format, val0: 0, val1: 0, swizzle: [0, 1, 2, 3] },
      { kind: "SET_SAMPLER_VIEWS", stage: 1, startSlot: 0, handles: [70] },
      {
        kind: "CREATE_SAMPLER_STATE",
        handle: 71,
        state: { wrapS: 2, wrapT: 2, wrapR: 2, minImgFilter: 0, minMipFilter: 2, magImgFilter: 0, compareMode: 0, compareFunc: 0, seamlessCubeMap: true, maxAnisotropy: 0, lodBias: 0, minLod: 0, maxLod: 0, borderColor: [0, 0, 0, 0] },
      },
      { kind: "BIND_SAMPLER_STATES", stage: 1, startSlot: 0, handles: [71] },
      ...quadDraw(),
      readBack(10, 16, 16, 4),
    ];
    const r = run(s, cmds, false);
    const mem = s.backings.get(10)!;
    const at = (x: number, y: number) => Array.from(mem.subarray((y * 16 + x) * 4, (y * 16 + x) * 4 + 4));
    return { px: [at(4, 4), at(12, 4), at(4, 12), at(12, 12)], error: r.error };
  },

  /**
   * Draws one triangle (corners at NDC (-1,-1), (1,-1), (-1,1)) in yellow × constant (1, .5, 1, 1)
   * over a blue clear on a 16×16 RGBA8 target, then reads back the given pixels.
   */
  triangle(opts: { yflip: boolean; indexed: boolean }, probes: [number, number][]): { px: number[][]; error?: string; skipped: Record<string, number> } {
    const w = 16;
    const h = 16;
    const s = session(triangleResources());
    const cmds = triangleCmds(opts);
    const r = run(s, cmds, false);
    const rb = run(s, [readBack(10, w, h, 4)], false);
    const mem = s.backings.get(10)!;
    return {
      px: probes.map(([x, y]) => Array.from(mem.subarray((y * w + x) * 4, (y * w + x) * 4 + 4))),
      error: r.error ?? rb.error,
      skipped: s.r.stats().skippedCommands,
    };
  },

  caps(): { renderer: string; extensions: string[]; sampler: number; render: number; readback: number; v1: number; v2: number } {
    const r = newRenderer();
    const renderer = new TextDecoder().decode(r.caps.v2.subarray(696, 760)).replace(/\0.*$/s, "");
    const out = {
      renderer,
      extensions: r.caps.extensions,
      sampler: r.caps.samplerFormats.length,
      render: r.caps.renderFormats.length,
      readback: r.caps.readbackFormats.length,
      v1: r.getCapset(1).length,
      v2: r.getCapset(2).length,
    };
    r.dispose();
    return out;
  },

  /** Clears a w×h surface of `format` to `rgba` (floats) and reads the pixels back through TRANSFER3D FROM_HOST. */
  clear(format: number, rgba: [number, number, number, number], w = 8, h = 4): { bytes: number[]; error?: string; executed: number } {
    const s = session([tex2d(10, format, w, h)]);
    const r = run(s, [
      ...setup(format, w, h),
      { kind: "CLEAR", buffers: Clear.COLOR0, color: rgba.map(f32bits) as [number, number, number, number], depth: 1, stencil: 0 },
    ]);
    const rb = run(s, [readBack(10, w, h, 4)]);
    const out = { bytes: Array.from(s.backings.get(10)!.subarray(0, w * h * 4)), error: r.error ?? rb.error, executed: r.executed + rb.executed };
    return out;
  },

  /** Uploads a BGRA pattern with TRANSFER3D TO_HOST at an offset and stride, reads it back elsewhere. */
  uploadRoundTrip(): { same: boolean; error?: string; plannedReads: number; firstPixel: number[] } {
    const w = 5;
    const h = 3;
    const s = session([tex2d(10, 1, w, h)]);
    const stride = 32; // > 5*4: exercises strided guest layouts
    const src = s.backings.get(10)!;
    for (let y = 0; y < h; y++) for (let x = 0; x < w * 4; x++) src[64 + y * stride + x] = (y * 40 + x * 3 + 1) & 0xff;
    const up = run(s, [
      { kind: "CREATE_SUB_CTX", subCtx: 1 },
      { kind: "SET_SUB_CTX", subCtx: 1 },
      { kind: "TRANSFER3D", res: 10, level: 0, usage: 0, stride, layerStride: 0, box: { x: 0, y: 0, z: 0, w, h, d: 1 }, dataOffset: 64, direction: TransferDir.TO_HOST },
    ]);
    const down = run(s, [{ ...readBack(10, w, h, 4), dataOffset: 512, stride } as Command]);
    let same = true;
    for (let y = 0; y < h; y++) for (let x = 0; x < w * 4; x++) if (src[512 + y * stride + x] !== src[64 + y * stride + x]) same = false;
    const out = { same, error: up.error ?? down.error, plannedReads: up.plannedReads, firstPixel: Array.from(src.subarray(512, 516)) };
    return out;
  },

  /** Buffer: inline write + copy region + COPY_TRANSFER3D readback into a staging buffer. */
  buffers(): { staging: number[]; error?: string } {
    const s = session([buffer(20, 64), buffer(21, 64), buffer(22, 256, Bind.STAGING)]);
    const r = run(s, [
      { kind: "CREATE_SUB_CTX", subCtx: 1 },
      { kind: "SET_SUB_CTX", subCtx: 1 },
      { kind: "RESOURCE_INLINE_WRITE", res: 20, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 4, y: 0, z: 0, w: 8, h: 1, d: 1 }, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
      { kind: "RESOURCE_COPY_REGION", dstRes: 21, dstLevel: 0, dstX: 0, dstY: 0, dstZ: 0, srcRes: 20, srcLevel: 0, srcBox: { x: 4, y: 0, z: 0, w: 8, h: 1, d: 1 } },
      {
        kind: "COPY_TRANSFER3D",
        res: 21,
        level: 0,
        usage: 0,
        stride: 0,
        layerStride: 0,
        box: { x: 0, y: 0, z: 0, w: 8, h: 1, d: 1 },
        srcRes: 22,
        srcOffset: 100,
        synchronized: true,
        readFromHost: true,
      },
    ], false); // no transfer area: Mesa would hoist the COPY_TRANSFER3D before the writes
    const out = { staging: Array.from(s.backings.get(22)!.subarray(100, 108)), error: r.error };
    return out;
  },

  /** A blit between two textures after clearing the source. */
  blit(): { bytes: number[]; error?: string } {
    const s = session([tex2d(10, 67, 4, 4), tex2d(11, 67, 4, 4)]);
    const r = run(s, [
      ...setup(67, 4, 4),
      { kind: "CLEAR", buffers: Clear.COLOR0, color: [0, 1, 0, 1].map(f32bits) as [number, number, number, number], depth: 1, stencil: 0 },
      colourBlit(10, 4, 4, 11, 2, 2),
      readBack(11, 4, 4, 4),
    ], false);
    const out = { bytes: Array.from(s.backings.get(11)!.subarray(0, 64)), error: r.error };
    return out;
  },

  /** A y-flipped (window-system style) triangle read through readScanout: top scanline first. */
  scanout(): { rows: number[][]; source?: { width: number; height: number; rowZeroIsTop: boolean; alphaIsOne: boolean }; error?: string } {
    const s = session(triangleResources());
    const r = run(s, triangleCmds({ yflip: true, indexed: false }), false);
    const img = s.r.readScanout(10);
    if (typeof img === "string") return { rows: [], error: img };
    const src = s.r.scanoutSource(10);
    // count orange pixels per scanline
    const rows: number[][] = [];
    for (let y = 0; y < 16; y += 5) {
      let n = 0;
      for (let x = 0; x < 16; x++) if (img[(y * 16 + x) * 4] === 255) n++;
      rows.push([y, n]);
    }
    return { rows, source: src && { width: src.width, height: src.height, rowZeroIsTop: src.rowZeroIsTop, alphaIsOne: src.alphaIsOne }, error: r.error };
  },

  /**
   * The worker presents `directPresentable` scanout textures with texelFetch instead of copying
   * them: renders the triangle into a `format` resource and compares texelFetch of the scanout
   * texture (alpha forced to 1 for X8 formats, as the presenter does) with readScanout.
   */
  directScanout(format: number): { direct: boolean; pixels: number; mismatches: number; error?: string } {
    const s = session([tex2d(10, format, 16, 16), ...triangleResources().slice(1)]);
    const r = run(s, triangleCmds({ yflip: true, indexed: false, format }), false);
    const expected = s.r.readScanout(10);
    const src = s.r.scanoutSource(10);
    if (typeof expected === "string" || !src) return { direct: false, pixels: 0, mismatches: -1, error: typeof expected === "string" ? expected : "no scanout source" };
    const gl = s.r.gl;
    const vs = "#version 300 es\nvoid main(){vec2 p=vec2(float(gl_VertexID&1),float(gl_VertexID>>1))*4.0-1.0;gl_Position=vec4(p,0,1);}";
    const fs = "#version 300 es\nprecision highp float;uniform highp sampler2D t;out vec4 o;void main(){o=texelFetch(t,ivec2(gl_FragCoord.xy),0);}";
    const prog = gl.createProgram()!;
    for (const [type, src2] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
      const sh = gl.createShader(type)!;
      gl.shaderSource(sh, src2);
      gl.compileShader(sh);
      gl.attachShader(prog, sh);
    }
    gl.linkProgram(prog);
    s.r.resetGlState();
    const target = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, target);
    gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, 16, 16);
    const fbo = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, target, 0);
    gl.viewport(0, 0, 16, 16);
    gl.useProgram(prog);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, src.texture);
    gl.uniform1i(gl.getUniformLocation(prog, "t"), 0);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    const got = new Uint8Array(16 * 16 * 4);
    gl.readPixels(0, 0, 16, 16, gl.RGBA, gl.UNSIGNED_BYTE, got);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.deleteFramebuffer(fbo);
    gl.deleteTexture(target);
    gl.deleteProgram(prog);
    s.r.resetGlState();
    let mismatches = 0;
    for (let i = 0; i < got.length; i += 4) {
      const a = src.alphaIsOne ? 255 : got[i + 3];
      if (got[i] !== expected[i] || got[i + 1] !== expected[i + 1] || got[i + 2] !== expected[i + 2] || a !== expected[i + 3]) mismatches++;
    }
    return { direct: src.directPresentable, pixels: 256, mismatches, error: r.error };
  },

  /**
   * Stream output: the triangle's GENERIC[0] (yellow) captured into a 96-byte buffer by three
   * draws (second appends, third finds no room), with rasterizer discard. Returns the floats.
   */
  streamout(): { floats: number[]; error?: string; errors: (string | undefined)[] } {
    const s = session([...triangleResources(), buffer(33, 96, Bind.STREAM_OUTPUT)]);
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const vsChunk = cmds.find((c) => c.kind === "CREATE_SHADER" && c.handle === 40)!;
    if (vsChunk.kind !== "CREATE_SHADER") throw new Error("no VS");
    vsChunk.streamOutput = {
      strides: [4, 0, 0, 0],
      outputs: [{ registerIndex: 1, startComponent: 0, numComponents: 4, outputBuffer: 0, dstOffset: 0, stream: 0 }],
    };
    const r1 = run(
      s,
      [
        ...cmds,
        { kind: "CREATE_STREAMOUT_TARGET", handle: 80, res: 33, bufferOffset: 0, bufferSize: 96 },
        { kind: "SET_STREAMOUT_TARGETS", appendBitmask: 0, handles: [80] },
        draw,
        { kind: "SET_STREAMOUT_TARGETS", appendBitmask: 1, handles: [80] },
        draw,
        draw,
        { kind: "SET_STREAMOUT_TARGETS", appendBitmask: 0, handles: [] },
      ],
      false,
    );
    const r2 = run(s, [{ kind: "TRANSFER3D", res: 33, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: 96, h: 1, d: 1 }, dataOffset: 0, direction: TransferDir.FROM_HOST }], false);
    const mem = s.backings.get(33)!;
    return { floats: Array.from(new Float32Array(mem.buffer, 0, 24)), error: r1.error ?? r2.error, errors: [r1.error, r2.error] };
  },

  /**
   * Stream output of an indexed TRIANGLE_STRIP (WebGL captures neither: decomposed on the CPU):
   * positions of strip [0, 1, 2, 0] captured as 2 triangles, inside a PRIMITIVES_GENERATED query.
   */
  streamoutStrip(): { floats: number[]; generated: number; error?: string } {
    const s = session([...triangleResources(), buffer(33, 96, Bind.STREAM_OUTPUT)]);
    const cmds = triangleCmds({ yflip: false, indexed: true });
    const draw = cmds.pop()!;
    const vsChunk = cmds.find((c) => c.kind === "CREATE_SHADER" && c.handle === 40)!;
    if (vsChunk.kind !== "CREATE_SHADER" || draw.kind !== "DRAW_VBO") throw new Error("no VS/draw");
    vsChunk.streamOutput = { strides: [4, 0, 0, 0], outputs: [{ registerIndex: 0, startComponent: 0, numComponents: 4, outputBuffer: 0, dstOffset: 0, stream: 0 }] };
    const r1 = run(
      s,
      [
        ...cmds,
        { kind: "RESOURCE_INLINE_WRITE", res: 31, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 16, y: 0, z: 0, w: 8, h: 1, d: 1 }, data: new Uint8Array(Uint16Array.from([0, 1, 2, 0]).buffer) },
        { kind: "SET_INDEX_BUFFER", res: 31, indexSize: 2, offset: 16 },
        { kind: "CREATE_QUERY", handle: 90, queryType: 5 /* VIRGL_QUERY_PRIMITIVES_GENERATED */, index: 0, offset: 0, res: 32 },
        { kind: "CREATE_STREAMOUT_TARGET", handle: 80, res: 33, bufferOffset: 0, bufferSize: 96 },
        { kind: "SET_STREAMOUT_TARGETS", appendBitmask: 0, handles: [80] },
        { kind: "BEGIN_QUERY", handle: 90 },
        { ...draw, mode: 5, start: 0, count: 4 },
        { kind: "END_QUERY", handle: 90 },
        { kind: "GET_QUERY_RESULT", handle: 90, wait: true },
        { kind: "SET_STREAMOUT_TARGETS", appendBitmask: 0, handles: [] },
      ],
      false,
    );
    const r2 = run(s, [{ kind: "TRANSFER3D", res: 33, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: 96, h: 1, d: 1 }, dataOffset: 0, direction: TransferDir.FROM_HOST }], false);
    const q = s.backings.get(32)!;
    return { floats: Array.from(new Float32Array(s.backings.get(33)!.buffer, 0, 24)), generated: new Uint32Array(q.buffer, 0, 4)[2], error: r1.error ?? r2.error };
  },

  /**
   * Stencil readback (stencil-test sweep) of a Z24_UNORM_S8_UINT surface: cleared to 0x3c, the
   * triangle drawn with REPLACE ref 0xa7; then a stencil-only BLIT inside the same texture copies
   * the lower-left 4×4 (inside the triangle) onto the top-right 4×4 (outside it).
   */
  stencilReadback(): { inside: number; outsideBefore: number; outsideAfter: number; error?: string; skipped: Record<string, number> } {
    const s = session([...triangleResources(), { ...tex2d(13, 19, 16, 16), bind: Bind.DEPTH_STENCIL }]);
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const face = { enabled: true, func: 7 /* ALWAYS */, failOp: 0, zpassOp: 2 /* REPLACE */, zfailOp: 0, valuemask: 0xff, writemask: 0xff };
    const r1 = run(
      s,
      [
        ...cmds,
        { kind: "CREATE_SURFACE", handle: 2, res: 13, format: 19, val0: 0, val1: 0 },
        { kind: "SET_FRAMEBUFFER_STATE", zsurf: 2, cbufs: [1] },
        { kind: "CLEAR", buffers: Clear.DEPTH | Clear.STENCIL, color: [0, 0, 0, 0], depth: 1, stencil: 0x3c },
        { kind: "CREATE_DSA", handle: 26, state: { depthEnabled: false, depthWritemask: false, depthFunc: 1, alphaEnabled: false, alphaFunc: 7, stencil: [face, face], alphaRef: 0 } },
        { kind: "BIND_OBJECT", objType: 3, handle: 26 },
        { kind: "SET_STENCIL_REF", front: 0xa7, back: 0xa7 },
        draw,
        readBack(13, 16, 16, 4),
      ],
      false,
    );
    const stencilAt = (x: number, y: number): number => new Uint32Array(s.backings.get(13)!.buffer, 0, 256)[y * 16 + x] >>> 24;
    const inside = stencilAt(1, 2);
    const outsideBefore = stencilAt(15, 15);
    const r2 = run(
      s,
      [
        {
          kind: "BLIT",
          mask: 0x20 /* stencil */,
          filter: 0,
          scissorEnable: false,
          renderConditionEnable: false,
          alphaBlend: false,
          scissor: { minx: 0, miny: 0, maxx: 0, maxy: 0 },
          dst: { res: 13, level: 0, format: 19, box: { x: 12, y: 12, z: 0, w: 4, h: 4, d: 1 } },
          src: { res: 13, level: 0, format: 19, box: { x: 0, y: 0, z: 0, w: 4, h: 4, d: 1 } },
        },
        readBack(13, 16, 16, 4),
      ],
      false,
    );
    return { inside, outsideBefore, outsideAfter: stencilAt(15, 15), error: r1.error ?? r2.error, skipped: s.r.stats().skippedCommands };
  },

  /**
   * glPolygonMode emulation: the triangle with its vertices on the centres of pixels (1,1),
   * (12,1), (1,12), drawn with fill_front = fill_back = `mode` (1 LINE, 2 POINT). Returns
   * whether each probed pixel was drawn (not the blue clear colour).
   */
  polygonMode(mode: 1 | 2): { lit: Record<string, boolean>; error?: string } {
    const s = session(triangleResources());
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const ndc = (px: number): number => (px + 0.5) / 8 - 1;
    const v = (x: number, y: number): number[] => [ndc(x), ndc(y), 0, 1, 1, 1, 0, 1];
    const verts = new Uint8Array(new Float32Array([...v(1, 1), ...v(12, 1), ...v(1, 12)]).buffer);
    const r = run(
      s,
      [
        ...cmds,
        { kind: "RESOURCE_INLINE_WRITE", res: 30, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: verts.length, h: 1, d: 1 }, data: verts },
        {
          kind: "CREATE_RASTERIZER",
          handle: 27,
          state: { s0: (1 << 1) | (mode << 10) | (mode << 12) | (1 << 15) | (1 << 29), pointSize: 1, spriteCoordEnable: 0, lineStipplePattern: 0, lineStippleFactor: 0, clipPlaneEnable: 0, lineWidth: 1, offsetUnits: 0, offsetScale: 0, offsetClamp: 0 },
        },
        { kind: "BIND_OBJECT", objType: 2, handle: 27 },
        draw,
        readBack(10, 16, 16, 4),
      ],
      false,
    );
    const mem = s.backings.get(10)!;
    const lit: Record<string, boolean> = {};
    for (const [x, y] of [[1, 1], [12, 1], [1, 12], [6, 1], [1, 6], [4, 4]]) {
      const o = (y * 16 + x) * 4;
      lit[`${x},${y}`] = !(mem[o] === 0 && mem[o + 1] === 0 && mem[o + 2] === 255);
    }
    return { lit, error: r.error };
  },

  /** Uniform buffer: the FS multiplies by CONST[1][0] = (0, 1, 1, 1) read from a UBO at offset 256. */
  ubo(): { px: number[]; error?: string } {
    const s = session([...triangleResources(), buffer(34, 512, Bind.CONSTANT_BUFFER)]);
    const cmds = triangleCmds({ yflip: false, indexed: false }).map((c) =>
      c.kind === "CREATE_SHADER" && c.handle === 41 ? shaderChunks(41, 1, FS_UBO)[0] : c,
    );
    const draw = cmds.pop()!;
    const r = run(
      s,
      [
        ...cmds,
        { kind: "RESOURCE_INLINE_WRITE", res: 34, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 256, y: 0, z: 0, w: 16, h: 1, d: 1 }, data: new Uint8Array(new Float32Array([0, 1, 1, 1]).buffer) },
        { kind: "SET_UNIFORM_BUFFER", stage: 1, index: 1, offset: 256, length: 16, res: 34 },
        draw,
        readBack(10, 16, 16, 4),
      ],
      false,
    );
    const mem = s.backings.get(10)!;
    return { px: Array.from(mem.subarray((1 * 16 + 2) * 4, (1 * 16 + 2) * 4 + 4)), error: r.error };
  },

  /**
   * Depth test on a Z24_UNORM_S8_UINT surface: after the triangle at window z .5, a second draw
   * at z .75 with another colour fails LESS and passes GREATER.
   */
  depth(): { less: number[]; greater: number[]; depthInside: number; depthOutside: number; error?: string; skipped: Record<string, number> } {
    const s = session([...triangleResources(), { ...tex2d(13, 19, 16, 16), bind: Bind.DEPTH_STENCIL }, { ...tex2d(14, 19, 16, 16), bind: Bind.DEPTH_STENCIL }]);
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const dsa = (handle: number, func: number): Command => ({
      kind: "CREATE_DSA",
      handle,
      state: {
        depthEnabled: true,
        depthWritemask: true,
        depthFunc: func,
        alphaEnabled: false,
        alphaFunc: 7,
        stencil: [
          { enabled: false, func: 7, failOp: 0, zpassOp: 0, zfailOp: 0, valuemask: 0, writemask: 0 },
          { enabled: false, func: 7, failOp: 0, zpassOp: 0, zfailOp: 0, valuemask: 0, writemask: 0 },
        ],
        alphaRef: 0,
      },
    });
    const f = (v: number[]): Uint8Array => new Uint8Array(new Float32Array(v).buffer);
    const behind = f([-1, -1, 0.5, 1, 1, 1, 0, 1, 1, -1, 0.5, 1, 1, 1, 0, 1, -1, 1, 0.5, 1, 1, 1, 0, 1]);
    const r1 = run(
      s,
      [
        ...cmds,
        { kind: "CREATE_SURFACE", handle: 2, res: 13, format: 19, val0: 0, val1: 0 },
        { kind: "SET_FRAMEBUFFER_STATE", zsurf: 2, cbufs: [1] },
        { kind: "CLEAR", buffers: Clear.DEPTH | Clear.STENCIL, color: [0, 0, 0, 0], depth: 1, stencil: 0 },
        dsa(24, 1 /* LESS */),
        { kind: "BIND_OBJECT", objType: 3, handle: 24 },
        draw,
        { kind: "RESOURCE_INLINE_WRITE", res: 30, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: behind.length, h: 1, d: 1 }, data: behind },
        { kind: "SET_CONSTANT_BUFFER", stage: 1, index: 0, data: Uint32Array.from([0, 1, 1, 1].map(f32bits)) },
        draw,
        readBack(10, 16, 16, 4),
      ],
      false,
    );
    const at = () => Array.from(s.backings.get(10)!.subarray((1 * 16 + 2) * 4, (1 * 16 + 2) * 4 + 4));
    const less = at();
    const r2 = run(s, [dsa(25, 4 /* GREATER */), { kind: "BIND_OBJECT", objType: 3, handle: 25 }, draw, readBack(10, 16, 16, 4)], false);
    // depth BLIT into a second Z24S8 texture, then depth readback (shader path) of the copy:
    // Z24_UNORM_S8_UINT words, Z in the low 24 bits
    const box = { x: 0, y: 0, z: 0, w: 16, h: 16, d: 1 };
    const r3 = run(
      s,
      [
        {
          kind: "BLIT",
          mask: 0x30,
          filter: 0,
          scissorEnable: false,
          renderConditionEnable: false,
          alphaBlend: false,
          scissor: { minx: 0, miny: 0, maxx: 0, maxy: 0 },
          dst: { res: 14, level: 0, format: 19, box },
          src: { res: 13, level: 0, format: 19, box },
        },
        readBack(14, 16, 16, 4),
      ],
      false,
    );
    const z = new Uint32Array(s.backings.get(14)!.buffer, 0, 256);
    return { less, greater: at(), depthInside: z[1 * 16 + 2], depthOutside: z[15 * 16 + 15], error: r1.error ?? r2.error ?? r3.error, skipped: s.r.stats().skippedCommands };
  },

  /**
   * Replays a recorded vtest stream (protocol 0: RESOURCE_CREATE, inline TRANSFER_PUT/GET,
   * SUBMIT_CMD) through the renderer: real Mesa 22.3 command streams, translated shaders, draws.
   */
  async replay(
    name: string,
  ): Promise<{ submits: number; executed: number; errors: string[]; skipped: Record<string, number>; transfers: number; programs: number; lastGet: { res: number; w: number; h: number; top: [string, number][] } | null }> {
    const res = await fetch(`/test/fixtures/streams/${name}`);
    let data = new Uint8Array(await res.arrayBuffer());
    if (data[0] === 0x1f && data[1] === 0x8b) {
      const ds = new Blob([data]).stream().pipeThrough(new DecompressionStream("gzip"));
      data = new Uint8Array(await new Response(ds).arrayBuffer());
    }
    const { records } = parseStream(data);
    shared ??= newRenderer(true);
    const r = shared;
    r.reset();
    r.createContext(1, name);
    const errors: string[] = [];
    let submits = 0;
    let executed = 0;
    let transfers = 0;
    let lastGet: { res: number; w: number; h: number; top: [string, number][] } | null = null;
    for (const rec of records) {
      if (rec.direction !== 0) continue;
      const body = rec.bytes.slice(8);
      const dw = new Uint32Array(body.buffer, 0, body.byteLength >>> 2);
      if (rec.cmd === 2 /* RESOURCE_CREATE */) {
        const [handle, target, format, bind, width, height, depth, arraySize, lastLevel, nrSamples] = dw;
        const c = r.createResource({ handle, target, format, bind, width, height, depth, arraySize, lastLevel, nrSamples, flags: 0 });
        if (!c.ok) errors.push(`create ${handle}: ${c.error.message}`);
        else r.attachResource(1, handle);
      } else if (rec.cmd === 3 /* RESOURCE_UNREF */) {
        r.unrefResource(dw[0]);
      } else if (rec.cmd === 5 /* TRANSFER_PUT */) {
        const [handle, level, stride, layerStride, x, y, z, w, h, d, size] = dw;
        const bytes = body.subarray(44, 44 + size);
        const t = r.transferToHost(1, handle, level, { x, y, z, w, h, d }, 0, stride, layerStride, new MemoryBacking(new Map([[handle, bytes]])));
        if (!t.ok) errors.push(`put ${handle}: ${t.error.message}`);
        transfers++;
      } else if (rec.cmd === 4 /* TRANSFER_GET */) {
        const [handle, level, stride, layerStride, x, y, z, w, h, d] = dw;
        const t = r.transferFromHost(1, handle, level, { x, y, z, w, h, d }, 0, stride, layerStride);
        if (t.error) errors.push(`get ${handle}: ${t.error.message}`);
        else if (t.backingWrites.length > 0) {
          // colour histogram of 4-byte pixels (most common first) to check what was rendered;
          // a strided readback arrives as one write per row
          const hist = new Map<string, number>();
          for (const wr of t.backingWrites) {
            const b = wr.bytes;
            for (let i = 0; i + 3 < b.length; i += 4) {
              const k = `${b[i]},${b[i + 1]},${b[i + 2]},${b[i + 3]}`;
              hist.set(k, (hist.get(k) ?? 0) + 1);
            }
          }
          lastGet = { res: handle, w, h, top: [...hist].sort((a, b2) => b2[1] - a[1]).slice(0, 4) };
        }
        transfers++;
      } else if (rec.cmd === 6 /* SUBMIT_CMD */) {
        const out = r.submit(1, dw, new MemoryBacking(new Map()));
        submits++;
        executed += out.executed;
        if (out.error) errors.push(`submit ${submits}: ${out.error.cmd}: ${out.error.message}`);
      }
    }
    const stats = r.stats();
    return { submits, executed, errors, skipped: stats.skippedCommands, transfers, programs: stats.liveGlObjects.program ?? 0, lastGet };
  },

  /** Vertex colours as B8G8R8A8_UNORM (GL_BGRA arrays): reordered on the CPU, drawn orange. */
  bgraVertices(): { px: number[]; error?: string } {
    const s = session(triangleResources());
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const vb = new Uint8Array(60);
    const dv = new DataView(vb.buffer);
    [[-1, -1], [1, -1], [-1, 1]].forEach(([x, y], i) => {
      dv.setFloat32(i * 20, x, true);
      dv.setFloat32(i * 20 + 4, y, true);
      dv.setFloat32(i * 20 + 8, 0, true);
      dv.setFloat32(i * 20 + 12, 1, true);
      vb.set([0, 128, 255, 255], i * 20 + 16); // B G R A
    });
    const r = run(
      s,
      [
        ...cmds,
        { kind: "RESOURCE_INLINE_WRITE", res: 30, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: 60, h: 1, d: 1 }, data: vb },
        ...vertexLayout(51, 20, 1), // BGRA8 colour
        { kind: "SET_CONSTANT_BUFFER", stage: 1, index: 0, data: Uint32Array.from([1, 1, 1, 1].map(f32bits)) },
        draw,
        readBack(10, 16, 16, 4),
      ],
      false,
    );
    const mem = s.backings.get(10)!;
    return { px: Array.from(mem.subarray((1 * 16 + 2) * 4, (1 * 16 + 2) * 4 + 4)), error: r.error };
  },

  /** Occlusion query around the triangle draw and around an empty (scissored-out) draw. */
  async occlusion(): Promise<{ visible: number[]; hidden: number[]; deferred?: number; error?: string }> {
    const s = session(triangleResources());
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const query = (handle: number, offset: number): Command => ({ kind: "CREATE_QUERY", handle, queryType: 0, index: 0, offset, res: 32 });
    const r = run(
      s,
      [
        ...cmds,
        query(60, 0),
        query(61, 16),
        { kind: "BEGIN_QUERY", handle: 60 },
        draw,
        { kind: "END_QUERY", handle: 60 },
        { kind: "GET_QUERY_RESULT", handle: 60, wait: true },
        SCISSOR_ALL_OUT,
        SCISSORED_RASTERIZER,
        { kind: "BIND_OBJECT", objType: 2, handle: 23 },
        { kind: "BEGIN_QUERY", handle: 61 },
        draw,
        { kind: "END_QUERY", handle: 61 },
        { kind: "GET_QUERY_RESULT", handle: 61, wait: true },
      ],
      false,
    );
    const deferred = s.r.stats().liveGlObjects.query;
    const writes = await s.r.settle();
    const err = s.mem.apply(writes);
    const mem = s.backings.get(32)!;
    return {
      visible: Array.from(new Uint32Array(mem.buffer, 0, 4)),
      hidden: Array.from(new Uint32Array(mem.buffer, 16, 4)),
      deferred,
      error: r.error ?? err ?? undefined,
    };
  },

  /**
   * Texture buffer (samplerBuffer, emulated by a 2D mirror): a 3000-element RGBA8 buffer whose
   * element i is (i & 255, i >> 8, 7, 255), viewed from element 100; a full-target quad fetches view
   * element `index` (TXF on a BUFFER target). Returns the centre pixel.
   */
  textureBuffer(index: number): { px: number[]; error?: string } {
    const n = 3000;
    const s = session([tex2d(10, 67, 16, 16), buffer(30, 256), buffer(33, n * 4, Bind.SAMPLER_VIEW)]);
    const elems = Uint8Array.from({ length: n * 4 }, (_, b) => [(b >> 2) & 255, (b >> 2) >> 8, 7, 255][b & 3]);
    const fs = `FRAG
DCL OUT[0], COLOR
DCL SAMP[0]
DCL SVIEW[0], BUFFER, FLOAT
IMM[0] INT32 {${index}, 0, 0, 0}
  0: TXF OUT[0], IMM[0], SAMP[0], BUFFER
  1: END
`;
    const cmds: Command[] = [
      ...quadProgram(43, fs),
      { kind: "RESOURCE_INLINE_WRITE", res: 33, level: 0, usage: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, w: elems.length, h: 1, d: 1 }, data: elems },
      { kind: "CREATE_SAMPLER_VIEW", handle: 72, res: 33, format: 67, val0: 100, val1: n - 1, swizzle: [0, 1, 2, 3] },
      { kind: "SET_SAMPLER_VIEWS", stage: 1, startSlot: 0, handles: [72] },
      ...quadDraw(),
      readBack(10, 16, 16, 4),
    ];
    const r = run(s, cmds, false);
    const mem = s.backings.get(10)!;
    return { px: Array.from(mem.subarray((8 * 16 + 8) * 4, (8 * 16 + 8) * 4 + 4)), error: r.error };
  },

  /**
   * Multisampling: the triangle drawn into a 4-sample RGBA8 resource (a multisample renderbuffer),
   * resolved by a BLIT into a single-sample resource (what Mesa does for a window or glBlitFramebuffer)
   * and read back; the multisample resource itself is also read back (resolved on read).
   */
  msaa(): { blitted: number[]; direct: number[]; error?: string; liveRenderbuffers?: number } {
    const w = 16;
    const h = 16;
    const s = session([{ ...tex2d(10, 67, w, h), nrSamples: 4 }, tex2d(11, 67, w, h), buffer(30, 256), buffer(31, 64, Bind.INDEX_BUFFER)]);
    const r = run(s, triangleCmds({ yflip: false, indexed: false }), false);
    const blit = colourBlit(10, w, h, 11, w, h);
    const rb = run(s, [blit, readBack(11, w, h, 4), readBack(10, w, h, 4)], false);
    return {
      blitted: Array.from(s.backings.get(11)!.subarray(0, w * h * 4)),
      direct: Array.from(s.backings.get(10)!.subarray(0, w * h * 4)),
      error: r.error ?? rb.error,
      liveRenderbuffers: s.r.stats().liveGlObjects.renderbuffer,
    };
  },

  /**
   * Conditional rendering: two occlusion predicates (one visible draw, one scissored away) resolved
   * in a first submit; later submits CLEAR black and draw under SET_RENDER_CONDITION. Returns the
   * centre pixel of the lower-left triangle after each case, plus the renderer's counters. The last
   * case conditions (WAIT) on a query ended in the *same* submit: the stream suspends at the draw
   * and resumes on a later task once the result is known; `deferredAtSubmit` shows it was owed.
   */
  async conditionalRender(): Promise<{ cases: Record<string, number[]>; stats: { skipped: number; unresolved: number; suspended: number }; deferredAtSubmit: number[]; error?: string }> {
    const w = 16;
    const h = 16;
    const s = session(triangleResources());
    const cmds = triangleCmds({ yflip: false, indexed: false });
    const draw = cmds.pop()!;
    const query = (handle: number, offset: number): Command => ({ kind: "CREATE_QUERY", handle, queryType: 1, index: 0, offset, res: 32 });
    const first = run(s, [
      ...cmds,
      query(60, 0),
      query(61, 16),
      query(62, 32),
      { kind: "BEGIN_QUERY", handle: 60 },
      draw,
      { kind: "END_QUERY", handle: 60 },
      { kind: "GET_QUERY_RESULT", handle: 60, wait: true },
      SCISSOR_ALL_OUT,
      SCISSORED_RASTERIZER,
      { kind: "BIND_OBJECT", objType: 2, handle: 23 },
      { kind: "BEGIN_QUERY", handle: 61 },
      draw,
      { kind: "END_QUERY", handle: 61 },
      { kind: "GET_QUERY_RESULT", handle: 61, wait: true },
      { kind: "BIND_OBJECT", objType: 2, handle: 22 }, // back to the unscissored rasterizer
    ], false);
    s.mem.apply(await s.r.settle()); // the next worker task: both results available
    const black: Command = { kind: "CLEAR", buffers: Clear.COLOR0, color: [0, 0, 0, 1].map(f32bits) as [number, number, number, number], depth: 1, stencil: 0 };
    const cond = (handle: number, condition: boolean, mode: number): Command => ({ kind: "SET_RENDER_CONDITION", handle, condition, mode });
    const cases: Record<string, number[]> = {};
    let error = first.error;
    const deferredAtSubmit: number[] = [];
    const centre = async (name: string, body: Command[]): Promise<void> => {
      const words = new CommandStream(false).pushAll([cond(0, false, 0), black, ...body, cond(0, false, 0), readBack(10, w, h, 4)]).finish();
      const res = s.r.submit(1, words, s.mem);
      deferredAtSubmit.push(res.deferred ?? 0);
      error ??= res.error?.message ?? s.mem.apply(res.backingWrites) ?? s.mem.apply(await s.r.settle()) ?? undefined;
      const m = s.backings.get(10)!;
      cases[name] = Array.from(m.subarray((4 * w + 4) * 4, (4 * w + 4) * 4 + 4));
    };
    await centre("visibleQuery", [cond(60, false, 0), draw]);
    await centre("hiddenQuery", [cond(61, false, 0), draw]);
    await centre("hiddenQueryInverted", [cond(61, true, 0), draw]);
    await centre("hiddenQueryNoWait", [cond(61, false, 1), draw]);
    await centre("hiddenQueryClear", [cond(61, false, 0), { kind: "CLEAR", buffers: Clear.COLOR0, color: [1, 1, 1, 1].map(f32bits) as [number, number, number, number], depth: 1, stencil: 0 }]);
    const hiddenQuery62 = (mode: number): Command[] => [SCISSOR_ALL_OUT, { kind: "BIND_OBJECT", objType: 2, handle: 23 }, { kind: "BEGIN_QUERY", handle: 62 }, draw, { kind: "END_QUERY", handle: 62 }, { kind: "BIND_OBJECT", objType: 2, handle: 22 }, cond(62, false, mode), draw];
    await centre("sameSubmitWait", hiddenQuery62(0));
    await centre("sameSubmitNoWait", hiddenQuery62(1));
    return { cases, stats: s.r.stats().renderCondition, deferredAtSubmit, error };
  },

  /**
   * Bounded fuzz against the real renderer: a valid triangle stream mutated `cases` times (bit
   * flips, interesting values, length fields). Counts exceptions escaping submit() (must be 0)
   * and checks that a clean clear still works afterwards.
   */
  fuzz(seed: number, cases: number): { escaped: string[]; errors: number; executed: number; healthy: boolean } {
    let x = seed >>> 0 || 1;
    const next = (): number => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>>= 0);
    };
    const base = new CommandStream(false).pushAll(triangleCmds({ yflip: false, indexed: true })).finish();
    const interesting = [0, 1, 2, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x3f800000];
    const escaped: string[] = [];
    let errors = 0;
    let executed = 0;
    const s = session(triangleResources());
    for (let i = 0; i < cases; i++) {
      if (i % 50 === 0) {
        s.r.destroyContext(1);
        s.r.createContext(1, "fuzz");
        for (const d of triangleResources()) s.r.attachResource(1, d.handle);
      }
      const w = base.slice();
      for (let k = 1 + (next() % 3); k > 0; k--) {
        const at = next() % w.length;
        const m = next() % 4;
        if (m === 0) w[at] ^= 1 << next() % 32;
        else if (m === 1) w[at] = interesting[next() % interesting.length];
        else if (m === 2) w[at] = (w[at] & 0xffff) | ((next() % 64) << 16);
        else w[at] = next();
      }
      try {
        const r = s.r.submit(1, w, s.mem);
        executed += r.executed;
        if (r.error) errors++;
      } catch (e) {
        escaped.push(String(e));
      }
    }
    s.r.destroyContext(1);
    s.r.createContext(1, "after");
    for (const d of triangleResources()) s.r.attachResource(1, d.handle);
    const after = run(s, [...setup(67, 16, 16), { kind: "CLEAR", buffers: Clear.COLOR0, color: [0, 1, 0, 1].map(f32bits) as [number, number, number, number], depth: 1, stencil: 0 }, readBack(10, 16, 16, 4)], false);
    const px = Array.from(s.backings.get(10)!.subarray(0, 4));
    return { escaped, errors, executed, healthy: !after.error && px.join() === "0,255,0,255" };
  },

  /** Errors: unattached resource, missing sub-context; the context keeps its first error. */
  errors(): { unattached?: string; noSub?: string; firstError?: string; executedBefore: number } {
    const s = session([tex2d(10, 67, 4, 4)]);
    const r2 = s.r.createResource(tex2d(99, 67, 4, 4));
    if (!r2.ok) throw new Error(r2.error.message);
    const noSub = run(s, [{ kind: "CLEAR", buffers: Clear.COLOR0, color: [0, 0, 0, 0], depth: 1, stencil: 0 }], false);
    const un = run(s, [{ kind: "CREATE_SUB_CTX", subCtx: 1 }, { kind: "SET_SUB_CTX", subCtx: 1 }, { kind: "CREATE_SURFACE", handle: 5, res: 99, format: 67, val0: 0, val1: 0 }], false);
    const out = { unattached: un.error, noSub: noSub.error, firstError: s.r.contextError(1)?.message, executedBefore: un.executed };
    return out;
  },

  /** Live GL objects before/after reset and after dispose. */
  lifetime(): { during: Record<string, number>; programsAfterShaderDestroy: number; afterReset: Record<string, number>; afterDispose: number; error?: string } {
    const s = session([...triangleResources(), tex2d(11, 1, 8, 8)]);
    shared = null; // this scenario disposes the renderer
    const r = run(s, triangleCmds({ yflip: false, indexed: true }), false);
    const during = { ...s.r.stats().liveGlObjects } as Record<string, number>;
    // destroying a shader object frees the programs linked from it
    run(s, [{ kind: "DESTROY_OBJECT", objType: 4, handle: 41 }], false);
    const programsAfterShaderDestroy = s.r.stats().liveGlObjects.program ?? 0;
    s.r.reset();
    const afterReset = { ...s.r.stats().liveGlObjects } as Record<string, number>;
    s.r.dispose();
    const left = Object.values(s.r.stats().liveGlObjects).reduce((a, b) => a + (b ?? 0), 0);
    return { during, programsAfterShaderDestroy, afterReset, afterDispose: left, error: r.error };
  },

};

declare global {
  interface Window {
    virglHarness: typeof harness;
  }
}
window.virglHarness = harness;
document.getElementById("log")!.textContent = "virgl harness ready";
