// The submit walker (virgl-protocol.md §3): `header = cmd | obj << 8 | len << 16`, payload = the
// next `len` dwords, `off += len + 1`. Each step strictly advances `off` and the payload is checked
// to lie inside the buffer first, so the walk is bounded by the buffer length whatever the input.
//
// Every command a GLES 3.0-class host receives (§3.3) is decoded into a typed record. Commands gated
// by caps we do not advertise are rejected with the cap that gates them; the first error stops the
// submit (vrend marks the context errored and drops the rest of the buffer). Nothing is thrown out
// of this module: `fail()` failures are caught here and turned into a DecodeError.

import { Cmd, MAX_COMMANDS, cmdName, headerCmd, headerLen, headerObj, objName } from "../protocol.ts";
import { type DecodeError, DecodeFailure } from "./errors.ts";
import { decodeCreateObject } from "./objects.ts";
import { Payload } from "./payload.ts";
import * as R from "./resource-commands.ts";
import * as S from "./state-commands.ts";
import type { Command } from "./types.ts";

type Parser = (p: Payload, objType: number) => Command;

const parsers: (Parser | undefined)[] = [];
parsers[Cmd.NOP] = () => ({ kind: "NOP" });
parsers[Cmd.CREATE_OBJECT] = (p, o) => decodeCreateObject(o, p);
parsers[Cmd.BIND_OBJECT] = (p, o) => S.bindObject(o, p);
parsers[Cmd.DESTROY_OBJECT] = (p, o) => S.destroyObject(o, p);
parsers[Cmd.SET_VIEWPORT_STATE] = S.setViewportState;
parsers[Cmd.SET_FRAMEBUFFER_STATE] = S.setFramebufferState;
parsers[Cmd.SET_VERTEX_BUFFERS] = S.setVertexBuffers;
parsers[Cmd.CLEAR] = S.clear;
parsers[Cmd.DRAW_VBO] = S.drawVbo;
parsers[Cmd.RESOURCE_INLINE_WRITE] = R.inlineWrite;
parsers[Cmd.SET_SAMPLER_VIEWS] = S.setSamplerViews;
parsers[Cmd.SET_INDEX_BUFFER] = S.setIndexBuffer;
parsers[Cmd.SET_CONSTANT_BUFFER] = S.setConstantBuffer;
parsers[Cmd.SET_STENCIL_REF] = S.setStencilRef;
parsers[Cmd.SET_BLEND_COLOR] = S.setBlendColor;
parsers[Cmd.SET_SCISSOR_STATE] = S.setScissorState;
parsers[Cmd.BLIT] = R.blit;
parsers[Cmd.RESOURCE_COPY_REGION] = R.resourceCopyRegion;
parsers[Cmd.BIND_SAMPLER_STATES] = S.bindSamplerStates;
parsers[Cmd.BEGIN_QUERY] = (p) => S.single("BEGIN_QUERY", p);
parsers[Cmd.END_QUERY] = (p) => S.single("END_QUERY", p);
parsers[Cmd.GET_QUERY_RESULT] = S.getQueryResult;
parsers[Cmd.SET_POLYGON_STIPPLE] = S.setPolygonStipple;
parsers[Cmd.SET_CLIP_STATE] = S.setClipState;
parsers[Cmd.SET_SAMPLE_MASK] = S.setSampleMask;
parsers[Cmd.SET_STREAMOUT_TARGETS] = S.setStreamoutTargets;
parsers[Cmd.SET_RENDER_CONDITION] = S.setRenderCondition;
parsers[Cmd.SET_UNIFORM_BUFFER] = S.setUniformBuffer;
parsers[Cmd.SET_SUB_CTX] = (p) => S.subCtx("SET_SUB_CTX", p);
parsers[Cmd.CREATE_SUB_CTX] = (p) => S.subCtx("CREATE_SUB_CTX", p);
parsers[Cmd.DESTROY_SUB_CTX] = (p) => S.subCtx("DESTROY_SUB_CTX", p);
parsers[Cmd.BIND_SHADER] = S.bindShader;
parsers[Cmd.SET_MIN_SAMPLES] = S.setMinSamples;
parsers[Cmd.TRANSFER3D] = R.transfer3d;
parsers[Cmd.END_TRANSFERS] = () => ({ kind: "END_TRANSFERS" });
parsers[Cmd.COPY_TRANSFER3D] = R.copyTransfer3d;
parsers[Cmd.SET_TWEAKS] = S.setTweaks;
parsers[Cmd.EMIT_STRING_MARKER] = S.emitStringMarker;
parsers[Cmd.LINK_SHADER] = S.linkShader;

/** Why each known-but-unaccepted command is rejected: the cap that would make Mesa send it. */
const gated: Record<number, string> = {
  [Cmd.SET_TESS_STATE]: "needs has_tessellation_shaders (not advertised)",
  [Cmd.SET_SHADER_BUFFERS]: "needs max_shader_buffer_* > 0 (not advertised)",
  [Cmd.SET_SHADER_IMAGES]: "needs max_shader_image_* > 0 (not advertised)",
  [Cmd.MEMORY_BARRIER]: "needs CAP_MEMORY_BARRIER (not advertised)",
  [Cmd.LAUNCH_GRID]: "needs CAP_COMPUTE_SHADER (not advertised)",
  [Cmd.SET_FRAMEBUFFER_STATE_NO_ATTACH]: "needs CAP_FB_NO_ATTACH (not advertised)",
  [Cmd.TEXTURE_BARRIER]: "needs CAP_TEXTURE_BARRIER or CAP_V2_BLEND_EQUATION (not advertised)",
  [Cmd.SET_ATOMIC_BUFFERS]: "needs max_atomic_counter_buffers > 0 (not advertised)",
  [Cmd.SET_DEBUG_FLAGS]: "needs CAP_GUEST_MAY_INIT_LOG (not advertised)",
  [Cmd.GET_QUERY_RESULT_QBO]: "needs CAP_QBO (not advertised)",
  [Cmd.CLEAR_TEXTURE]: "needs CAP_CLEAR_TEXTURE (not advertised)",
  [Cmd.PIPE_RESOURCE_CREATE]: "blob resources are not supported",
  [Cmd.PIPE_RESOURCE_SET_TYPE]: "needs CAP_V2_UNTYPED_RESOURCE (not advertised)",
  [Cmd.GET_MEMORY_INFO]: "needs CAP_V2_MEMINFO (not advertised)",
};
for (let id = Cmd.CREATE_VIDEO_CODEC; id <= Cmd.END_FRAME; id++) gated[id] = "video is not supported";

export interface DecodeResult {
  commands: Command[];
  /** Dword offsets of each command's header, parallel to `commands`. */
  offsets: number[];
  error?: DecodeError;
}

/**
 * Visits each decoded command in order; `visit` returning `false` stops the walk (the executor
 * uses this to stop on execution errors). Returns the first decode error, if any.
 */
export function walkCommands(
  words: Uint32Array,
  visit: (cmd: Command, offset: number) => boolean | void,
): DecodeError | undefined {
  let off = 0;
  const total = words.length;
  while (off < total) {
    const h = words[off];
    const id = headerCmd(h);
    const obj = headerObj(h);
    const len = headerLen(h);
    let name = cmdName(id);
    if (id === Cmd.CREATE_OBJECT) name = `CREATE_OBJECT/${objName(obj)}`;
    if (len > total - off - 1) {
      return { cmd: name, field: "length", value: len, offset: off, message: `payload runs past the submit (${total - off - 1} dwords left)` };
    }
    const parser = id < MAX_COMMANDS ? parsers[id] : undefined;
    if (!parser) {
      const reason = gated[id] ?? (id >= MAX_COMMANDS ? "unknown command id" : "unsupported command");
      return { cmd: name, field: "cmd", value: id, offset: off, message: reason };
    }
    let cmd: Command;
    try {
      cmd = parser(new Payload(words, off + 1, len), obj);
    } catch (e) {
      if (e instanceof DecodeFailure) return { cmd: name, field: e.field, value: e.value, offset: off, message: e.reason };
      return { cmd: name, field: "internal", value: 0, offset: off, message: String(e) };
    }
    let keepGoing: boolean | void;
    try {
      keepGoing = visit(cmd, off);
    } catch (e) {
      return { cmd: name, field: "execute", value: 0, offset: off, message: e instanceof Error ? e.message : String(e) };
    }
    if (keepGoing === false) return undefined;
    off += len + 1;
  }
  return undefined;
}

/** Decodes a whole submit into records (stops at the first error). */
export function decodeSubmit(words: Uint32Array): DecodeResult {
  const commands: Command[] = [];
  const offsets: number[] = [];
  const error = walkCommands(words, (cmd, off) => {
    commands.push(cmd);
    offsets.push(off);
  });
  return error ? { commands, offsets, error } : { commands, offsets };
}
