// Typed records for every virgl command a GLES 3.0-class host accepts (virgl-protocol.md §3.1–§3.3).
// Field names follow Mesa's encoder arguments in camelCase. Raw u32 values stay numbers; signed
// fields (index_bias, blit boxes) are already sign-converted; floats are decoded to numbers.

export interface Box {
  x: number;
  y: number;
  z: number;
  w: number;
  h: number;
  d: number;
}

export interface BlendRt {
  blendEnable: boolean;
  rgbFunc: number;
  rgbSrcFactor: number;
  rgbDstFactor: number;
  alphaFunc: number;
  alphaSrcFactor: number;
  alphaDstFactor: number;
  colormask: number;
}
export interface BlendState {
  independentBlendEnable: boolean;
  logicopEnable: boolean;
  dither: boolean;
  alphaToCoverage: boolean;
  alphaToOne: boolean;
  logicopFunc: number;
  rt: BlendRt[]; // always 8 entries
}

export interface RasterizerState {
  /** Raw S0 bit field (see rasterizer bits in conv/rasterizer.ts). */
  s0: number;
  pointSize: number;
  spriteCoordEnable: number;
  lineStipplePattern: number;
  lineStippleFactor: number;
  clipPlaneEnable: number;
  lineWidth: number;
  offsetUnits: number;
  offsetScale: number;
  offsetClamp: number;
}

export interface StencilFace {
  enabled: boolean;
  func: number;
  failOp: number;
  zpassOp: number;
  zfailOp: number;
  valuemask: number;
  writemask: number;
}
export interface DsaState {
  depthEnabled: boolean;
  depthWritemask: boolean;
  depthFunc: number;
  alphaEnabled: boolean;
  alphaFunc: number;
  stencil: [StencilFace, StencilFace];
  alphaRef: number;
}

export interface StreamOutput {
  registerIndex: number;
  startComponent: number;
  numComponents: number;
  outputBuffer: number;
  dstOffset: number;
  stream: number;
}
export interface StreamOutputInfo {
  strides: number[]; // 4 entries, in dwords
  outputs: StreamOutput[];
}

export interface VertexElement {
  srcOffset: number;
  instanceDivisor: number;
  vertexBufferIndex: number;
  srcFormat: number;
}

export interface SamplerStateDesc {
  wrapS: number;
  wrapT: number;
  wrapR: number;
  minImgFilter: number;
  minMipFilter: number;
  magImgFilter: number;
  compareMode: number;
  compareFunc: number;
  seamlessCubeMap: boolean;
  maxAnisotropy: number;
  lodBias: number;
  minLod: number;
  maxLod: number;
  /** Raw border colour bits (float or integer depending on the view format). */
  borderColor: [number, number, number, number];
}

export interface Viewport {
  scale: [number, number, number];
  translate: [number, number, number];
}
export interface Scissor {
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
}
export interface VertexBufferBinding {
  stride: number;
  offset: number;
  res: number;
}

export interface BlitSide {
  res: number;
  level: number;
  format: number;
  box: Box;
}

export type Command =
  | { kind: "NOP" }
  | { kind: "CREATE_BLEND"; handle: number; state: BlendState }
  | { kind: "CREATE_RASTERIZER"; handle: number; state: RasterizerState }
  | { kind: "CREATE_DSA"; handle: number; state: DsaState }
  | {
      kind: "CREATE_SHADER";
      handle: number;
      stage: number;
      /** First chunk: total text bytes incl. NUL. Continuation: byte offset of this chunk. */
      offlen: number;
      continuation: boolean;
      numTokens: number;
      streamOutput: StreamOutputInfo | null;
      /** This chunk's text bytes (padding included; the assembler trims to the total). */
      text: Uint8Array;
    }
  | { kind: "CREATE_VERTEX_ELEMENTS"; handle: number; elements: VertexElement[] }
  | {
      kind: "CREATE_SAMPLER_VIEW";
      handle: number;
      res: number;
      format: number;
      /** Texture: first_layer | last_layer << 16 — buffer: first_element. */
      val0: number;
      /** Texture: first_level | last_level << 8 — buffer: last_element. */
      val1: number;
      swizzle: [number, number, number, number];
    }
  | { kind: "CREATE_SAMPLER_STATE"; handle: number; state: SamplerStateDesc }
  | { kind: "CREATE_SURFACE"; handle: number; res: number; format: number; val0: number; val1: number }
  | { kind: "CREATE_QUERY"; handle: number; queryType: number; index: number; offset: number; res: number }
  | { kind: "CREATE_STREAMOUT_TARGET"; handle: number; res: number; bufferOffset: number; bufferSize: number }
  | { kind: "BIND_OBJECT"; objType: number; handle: number }
  | { kind: "DESTROY_OBJECT"; objType: number; handle: number }
  | { kind: "SET_VIEWPORT_STATE"; startSlot: number; viewports: Viewport[] }
  | { kind: "SET_FRAMEBUFFER_STATE"; zsurf: number; cbufs: number[] }
  | { kind: "SET_VERTEX_BUFFERS"; buffers: VertexBufferBinding[] }
  | {
      kind: "CLEAR";
      buffers: number;
      /** Raw colour bits: floats for normalized/float targets, integers for integer targets. */
      color: [number, number, number, number];
      depth: number;
      stencil: number;
    }
  | {
      kind: "DRAW_VBO";
      start: number;
      count: number;
      mode: number;
      indexed: boolean;
      instanceCount: number;
      indexBias: number;
      startInstance: number;
      primitiveRestart: boolean;
      restartIndex: number;
      minIndex: number;
      maxIndex: number;
      countFromSo: number;
    }
  | {
      kind: "RESOURCE_INLINE_WRITE";
      res: number;
      level: number;
      usage: number;
      stride: number;
      layerStride: number;
      box: Box;
      data: Uint8Array;
    }
  | { kind: "SET_SAMPLER_VIEWS"; stage: number; startSlot: number; handles: number[] }
  | { kind: "SET_INDEX_BUFFER"; res: number; indexSize: number; offset: number }
  | { kind: "SET_CONSTANT_BUFFER"; stage: number; index: number; data: Uint32Array }
  | { kind: "SET_STENCIL_REF"; front: number; back: number }
  | { kind: "SET_BLEND_COLOR"; color: [number, number, number, number] }
  | { kind: "SET_SCISSOR_STATE"; startSlot: number; scissors: Scissor[] }
  | {
      kind: "BLIT";
      mask: number;
      filter: number;
      scissorEnable: boolean;
      renderConditionEnable: boolean;
      alphaBlend: boolean;
      scissor: Scissor;
      dst: BlitSide;
      src: BlitSide;
    }
  | {
      kind: "RESOURCE_COPY_REGION";
      dstRes: number;
      dstLevel: number;
      dstX: number;
      dstY: number;
      dstZ: number;
      srcRes: number;
      srcLevel: number;
      srcBox: Box;
    }
  | { kind: "BIND_SAMPLER_STATES"; stage: number; startSlot: number; handles: number[] }
  | { kind: "BEGIN_QUERY"; handle: number }
  | { kind: "END_QUERY"; handle: number }
  | { kind: "GET_QUERY_RESULT"; handle: number; wait: boolean }
  | { kind: "SET_POLYGON_STIPPLE"; pattern: Uint32Array }
  | { kind: "SET_CLIP_STATE"; planes: Float32Array }
  | { kind: "SET_SAMPLE_MASK"; mask: number }
  | { kind: "SET_STREAMOUT_TARGETS"; appendBitmask: number; handles: number[] }
  | { kind: "SET_RENDER_CONDITION"; handle: number; condition: boolean; mode: number }
  | { kind: "SET_UNIFORM_BUFFER"; stage: number; index: number; offset: number; length: number; res: number }
  | { kind: "SET_SUB_CTX"; subCtx: number }
  | { kind: "CREATE_SUB_CTX"; subCtx: number }
  | { kind: "DESTROY_SUB_CTX"; subCtx: number }
  | { kind: "BIND_SHADER"; handle: number; stage: number }
  | { kind: "SET_MIN_SAMPLES"; minSamples: number }
  | {
      kind: "TRANSFER3D";
      res: number;
      level: number;
      usage: number;
      stride: number;
      layerStride: number;
      box: Box;
      dataOffset: number;
      direction: number;
    }
  | { kind: "END_TRANSFERS" }
  | {
      kind: "COPY_TRANSFER3D";
      res: number;
      level: number;
      usage: number;
      stride: number;
      layerStride: number;
      box: Box;
      srcRes: number;
      srcOffset: number;
      synchronized: boolean;
      readFromHost: boolean;
    }
  | { kind: "SET_TWEAKS"; id: number; value: number }
  | { kind: "EMIT_STRING_MARKER"; text: string }
  | { kind: "LINK_SHADER"; handles: number[] };

export type CommandKind = Command["kind"];
export type CommandOf<K extends CommandKind> = Extract<Command, { kind: K }>;
