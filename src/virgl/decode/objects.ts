// CREATE_OBJECT bodies (virgl-protocol.md §3.2). Payload dword 0 is the object handle (never 0).
// MSAA_SURFACE is cap-gated (CAP_V2_IMPLICIT_MSAA) and rejected, as are shader stages we do not
// advertise (geometry, tessellation, compute).

import { Len, Limits, Obj, SUPPORTED_STAGES, objName } from "../protocol.ts";
import { fail } from "./errors.ts";
import type { Payload } from "./payload.ts";
import type {
  BlendRt,
  BlendState,
  Command,
  DsaState,
  RasterizerState,
  StencilFace,
  StreamOutputInfo,
  VertexElement,
} from "./types.ts";

/** Upper bound on a shader's TGSI text (vrend has none; Mesa's largest real shader is 12.7 KB). */
export const MAX_SHADER_TEXT_BYTES = 1 << 20;
/** Upper bound on num_tokens (vrend allocates num_tokens + 10 tokens). */
export const MAX_SHADER_TOKENS = 1 << 20;

export function decodeCreateObject(objType: number, p: Payload): Command {
  p.atLeast(1);
  const handle = p.at(0);
  if (handle === 0) fail("handle", 0, "object handle 0 is reserved");
  switch (objType) {
    case Obj.BLEND:
      return { kind: "CREATE_BLEND", handle, state: blend(p) };
    case Obj.RASTERIZER:
      return { kind: "CREATE_RASTERIZER", handle, state: rasterizer(p) };
    case Obj.DSA:
      return { kind: "CREATE_DSA", handle, state: dsa(p) };
    case Obj.SHADER:
      return shader(handle, p);
    case Obj.VERTEX_ELEMENTS:
      return { kind: "CREATE_VERTEX_ELEMENTS", handle, elements: vertexElements(p) };
    case Obj.SAMPLER_VIEW: {
      p.exact(Len.SAMPLER_VIEW);
      const sw = p.at(5);
      const swizzle: [number, number, number, number] = [sw & 7, (sw >>> 3) & 7, (sw >>> 6) & 7, (sw >>> 9) & 7];
      swizzle.forEach((s, i) => {
        if (s > 5) fail(`swizzle[${i}]`, s, "must be 0..5 (X Y Z W ZERO ONE)");
      });
      return { kind: "CREATE_SAMPLER_VIEW", handle, res: p.at(1), format: p.at(2), val0: p.at(3), val1: p.at(4), swizzle };
    }
    case Obj.SAMPLER_STATE:
      return samplerState(handle, p);
    case Obj.SURFACE:
      p.exact(Len.SURFACE);
      return { kind: "CREATE_SURFACE", handle, res: p.at(1), format: p.at(2), val0: p.at(3), val1: p.at(4) };
    case Obj.QUERY: {
      p.exact(Len.QUERY);
      const ti = p.at(1);
      return { kind: "CREATE_QUERY", handle, queryType: ti & 0xffff, index: ti >>> 16, offset: p.at(2), res: p.at(3) };
    }
    case Obj.STREAMOUT_TARGET:
      p.exact(Len.STREAMOUT_TARGET);
      return { kind: "CREATE_STREAMOUT_TARGET", handle, res: p.at(1), bufferOffset: p.at(2), bufferSize: p.at(3) };
    case Obj.MSAA_SURFACE:
      return fail("object_type", objType, "MSAA_SURFACE needs CAP_V2_IMPLICIT_MSAA, which is not advertised");
    default:
      return fail("object_type", objType, `unknown object type ${objName(objType)}`);
  }
}

function blend(p: Payload): BlendState {
  p.exact(Len.BLEND);
  const s0 = p.at(1);
  const rt: BlendRt[] = [];
  for (let i = 0; i < Limits.MAX_COLOR_BUFS; i++) {
    const t = p.at(3 + i);
    rt.push({
      blendEnable: (t & 1) !== 0,
      rgbFunc: (t >>> 1) & 7,
      rgbSrcFactor: (t >>> 4) & 0x1f,
      rgbDstFactor: (t >>> 9) & 0x1f,
      alphaFunc: (t >>> 14) & 7,
      alphaSrcFactor: (t >>> 17) & 0x1f,
      alphaDstFactor: (t >>> 22) & 0x1f,
      colormask: (t >>> 27) & 0xf,
    });
  }
  return {
    independentBlendEnable: (s0 & 1) !== 0,
    logicopEnable: (s0 & 2) !== 0,
    dither: (s0 & 4) !== 0,
    alphaToCoverage: (s0 & 8) !== 0,
    alphaToOne: (s0 & 16) !== 0,
    logicopFunc: p.at(2) & 0xf,
    rt,
  };
}

function rasterizer(p: Payload): RasterizerState {
  p.exact(Len.RASTERIZER);
  const s3 = p.at(4);
  return {
    s0: p.at(1),
    pointSize: p.f32(2),
    spriteCoordEnable: p.at(3),
    lineStipplePattern: s3 & 0xffff,
    lineStippleFactor: (s3 >>> 16) & 0xff,
    clipPlaneEnable: (s3 >>> 24) & 0xff,
    lineWidth: p.f32(5),
    offsetUnits: p.f32(6),
    offsetScale: p.f32(7),
    offsetClamp: p.f32(8),
  };
}

function stencilFace(t: number): StencilFace {
  return {
    enabled: (t & 1) !== 0,
    func: (t >>> 1) & 7,
    failOp: (t >>> 4) & 7,
    zpassOp: (t >>> 7) & 7,
    zfailOp: (t >>> 10) & 7,
    valuemask: (t >>> 13) & 0xff,
    writemask: (t >>> 21) & 0xff,
  };
}

function dsa(p: Payload): DsaState {
  p.exact(Len.DSA);
  const s0 = p.at(1);
  return {
    depthEnabled: (s0 & 1) !== 0,
    depthWritemask: (s0 & 2) !== 0,
    depthFunc: (s0 >>> 2) & 7,
    alphaEnabled: (s0 & 0x100) !== 0,
    alphaFunc: (s0 >>> 9) & 7,
    stencil: [stencilFace(p.at(2)), stencilFace(p.at(3))],
    alphaRef: p.f32(4),
  };
}

function shader(handle: number, p: Payload): Command {
  p.atLeast(Len.SHADER_HDR);
  const stage = p.at(1);
  if (!SUPPORTED_STAGES.includes(stage)) {
    fail("stage", stage, stage < Limits.SHADER_TYPES ? "geometry/tessellation/compute shaders are not advertised" : "unknown shader stage");
  }
  const offlen = p.at(2);
  const numTokens = p.at(3);
  if (numTokens > MAX_SHADER_TOKENS) fail("num_tokens", numTokens, `exceeds ${MAX_SHADER_TOKENS}`);
  const continuation = (offlen & 0x80000000) !== 0;
  const off = offlen & 0x7fffffff;
  if (off > MAX_SHADER_TEXT_BYTES) fail("offlen", offlen, `text longer than ${MAX_SHADER_TEXT_BYTES} bytes`);
  const nso = p.at(4);
  if (nso > Limits.MAX_SO_OUTPUTS) fail("so_num_outputs", nso, `exceeds ${Limits.MAX_SO_OUTPUTS}`);
  let streamOutput: StreamOutputInfo | null = null;
  let textStart: number = Len.SHADER_HDR;
  if (nso > 0) {
    const need = Len.SHADER_HDR + 4 + 2 * nso;
    if (p.length < need) fail("length", p.length, `${nso} stream outputs need at least ${need} dwords`);
    const strides = [p.at(5), p.at(6), p.at(7), p.at(8)];
    const outputs: StreamOutputInfo["outputs"] = [];
    for (let i = 0; i < nso; i++) {
      const t = p.at(9 + 2 * i);
      outputs.push({
        registerIndex: t & 0xff,
        startComponent: (t >>> 8) & 3,
        numComponents: (t >>> 10) & 7,
        outputBuffer: (t >>> 13) & 7,
        dstOffset: t >>> 16,
        stream: p.at(10 + 2 * i) & 3,
      });
    }
    streamOutput = { strides, outputs };
    textStart = need;
  }
  const text = p.bytes(textStart, p.length - textStart);
  if (!continuation && off === 0) fail("offlen", offlen, "shader text length 0");
  return { kind: "CREATE_SHADER", handle, stage, offlen: off, continuation, numTokens, streamOutput, text };
}

function vertexElements(p: Payload): VertexElement[] {
  if ((p.length - 1) % 4 !== 0) fail("length", p.length, "must be 1 + 4 × elements");
  const n = (p.length - 1) / 4;
  if (n > Limits.MAX_ATTRIBS) fail("num_elements", n, `exceeds ${Limits.MAX_ATTRIBS}`);
  const out: VertexElement[] = [];
  for (let i = 0; i < n; i++) {
    const vbi = p.at(3 + 4 * i);
    if (vbi >= Limits.MAX_ATTRIBS) fail(`element[${i}].vertex_buffer_index`, vbi, `must be < ${Limits.MAX_ATTRIBS}`);
    out.push({ srcOffset: p.at(1 + 4 * i), instanceDivisor: p.at(2 + 4 * i), vertexBufferIndex: vbi, srcFormat: p.at(4 + 4 * i) });
  }
  return out;
}

function samplerState(handle: number, p: Payload): Command {
  p.exact(Len.SAMPLER_STATE);
  const s0 = p.at(1);
  const minMipFilter = (s0 >>> 11) & 3;
  if (minMipFilter > 2) fail("min_mip_filter", minMipFilter, "must be 0 nearest, 1 linear or 2 none");
  return {
    kind: "CREATE_SAMPLER_STATE",
    handle,
    state: {
      wrapS: s0 & 7,
      wrapT: (s0 >>> 3) & 7,
      wrapR: (s0 >>> 6) & 7,
      minImgFilter: (s0 >>> 9) & 3,
      minMipFilter,
      magImgFilter: (s0 >>> 13) & 3,
      compareMode: (s0 >>> 15) & 1,
      compareFunc: (s0 >>> 16) & 7,
      seamlessCubeMap: ((s0 >>> 19) & 1) !== 0,
      maxAnisotropy: (s0 >>> 20) & 0x3f,
      lodBias: p.f32(2),
      minLod: p.f32(3),
      maxLod: p.f32(4),
      borderColor: [p.at(5), p.at(6), p.at(7), p.at(8)],
    },
  };
}
