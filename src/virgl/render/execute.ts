// Command dispatch: decoded records → sub-context state, object tables and GL work. State-setting
// commands only record (draw-time code applies them through the state cache); GL work happens in
// the transfer, clear, blit and draw handlers.

import { assembleShader } from "../decode/shader-assembler.ts";
import type { Command } from "../decode/types.ts";
import { Obj, SUPPORTED_STAGES } from "../protocol.ts";
import { executeClear } from "./clear.ts";
import { type ExecEnv, type ExecResult, SUSPEND } from "./exec-env.ts";
import { execBlit, execCopyRegion, execCopyTransfer3d, execInlineWrite, execTransfer3d } from "./exec-transfers.ts";
import type { Attachment, FramebufferAttachments } from "./framebuffer.ts";
import { type ObjectEntry, SubContext } from "./sub-context.ts";

/** Optional draw implementation (render/draw.ts), injected so the core works without shaders. */
export type DrawHandler = (env: ExecEnv, sub: SubContext, cmd: Extract<Command, { kind: "DRAW_VBO" }>) => ExecResult;

function skip(env: ExecEnv, what: string): ExecResult {
  env.skipped.set(what, (env.skipped.get(what) ?? 0) + 1);
  return null;
}

function put(env: ExecEnv, sub: SubContext, handle: number, entry: ObjectEntry): void {
  destroyObject(env, sub, handle);
  sub.objects.set(handle, entry);
}

export function destroyObject(env: ExecEnv, sub: SubContext, handle: number): void {
  const old = sub.objects.get(handle);
  if (!old) return;
  if (old.type === Obj.QUERY && old.value.gl) env.objs.deleteQuery(old.value.gl);
  env.objectDestroyed?.(old);
  sub.objects.delete(handle);
}

export function destroySubContext(env: Pick<ExecEnv, "objs" | "objectDestroyed">, sub: SubContext): void {
  for (const [, e] of sub.objects) {
    if (e.type === Obj.QUERY && e.value.gl) env.objs.deleteQuery(e.value.gl);
    env.objectDestroyed?.(e);
  }
  sub.objects.clear();
}

/** Resolves the sub-context's framebuffer surfaces to attachments. */
export function resolveFramebuffer(env: ExecEnv, sub: SubContext): FramebufferAttachments | string {
  const att = (handle: number): Attachment | null | string => {
    if (handle === 0) return null;
    const s = sub.get(handle, Obj.SURFACE);
    if (!s) return `surface ${handle} does not exist`;
    const r = env.ctx.resource(env.resources, s.res);
    if (typeof r === "string") return `surface ${handle}: ${r}`;
    if (r.kind !== "texture") return `surface ${handle} on a buffer`;
    return { res: r, level: s.level, layer: s.firstLayer, format: s.format };
  };
  const color: (Attachment | null)[] = [];
  for (const h of sub.framebuffer.cbufs) {
    const a = att(h);
    if (typeof a === "string") return a;
    color.push(a);
  }
  const depth = att(sub.framebuffer.zsurf);
  if (typeof depth === "string") return depth;
  return { color, depth };
}

export function execute(env: ExecEnv, cmd: Command, draw?: DrawHandler): ExecResult {
  const ctx = env.ctx;
  switch (cmd.kind) {
    case "NOP":
    case "END_TRANSFERS":
    case "EMIT_STRING_MARKER":
    case "LINK_SHADER": // we link lazily at draw time
      return null;
    case "CREATE_SUB_CTX": {
      const old = ctx.subs.get(cmd.subCtx);
      if (old) destroySubContext(env, old);
      const s = new SubContext(cmd.subCtx);
      ctx.subs.set(cmd.subCtx, s);
      return null;
    }
    case "SET_SUB_CTX": {
      const s = ctx.subs.get(cmd.subCtx);
      if (!s) return `sub-context ${cmd.subCtx} does not exist`;
      if (ctx.current !== s) env.framebuffer.invalidate();
      ctx.current = s;
      return null;
    }
    case "DESTROY_SUB_CTX": {
      if (cmd.subCtx === 0) return "sub-context 0 cannot be destroyed";
      const s = ctx.subs.get(cmd.subCtx);
      if (!s) return null;
      destroySubContext(env, s);
      ctx.subs.delete(cmd.subCtx);
      if (ctx.current === s) ctx.current = undefined;
      return null;
    }
    case "TRANSFER3D":
      return execTransfer3d(env, cmd);
    case "COPY_TRANSFER3D":
      return execCopyTransfer3d(env, cmd);
    case "RESOURCE_INLINE_WRITE":
      return execInlineWrite(env, cmd);
    case "SET_TWEAKS":
      return skip(env, "SET_TWEAKS");
    default:
      break;
  }

  const sub = ctx.sub();
  if (typeof sub === "string") return sub;

  switch (cmd.kind) {
    case "CREATE_BLEND":
      put(env, sub, cmd.handle, { type: Obj.BLEND, value: cmd.state });
      return null;
    case "CREATE_RASTERIZER":
      put(env, sub, cmd.handle, { type: Obj.RASTERIZER, value: cmd.state });
      return null;
    case "CREATE_DSA":
      put(env, sub, cmd.handle, { type: Obj.DSA, value: cmd.state });
      return null;
    case "CREATE_SHADER": {
      const a = assembleShader(cmd, sub.pendingShaders.get(cmd.handle));
      if (a.state === "error") return a.message;
      if (a.state === "incomplete") {
        sub.pendingShaders.set(cmd.handle, a.pending);
        return null;
      }
      sub.pendingShaders.delete(cmd.handle);
      put(env, sub, cmd.handle, { type: Obj.SHADER, value: { stage: a.stage, text: a.text, numTokens: a.numTokens, streamOutput: a.streamOutput } });
      return null;
    }
    case "CREATE_VERTEX_ELEMENTS":
      put(env, sub, cmd.handle, { type: Obj.VERTEX_ELEMENTS, value: cmd.elements });
      return null;
    case "CREATE_SAMPLER_VIEW": {
      const r = ctx.resource(env.resources, cmd.res);
      if (typeof r === "string") return r;
      const { kind: _k, handle: _h, ...value } = cmd;
      put(env, sub, cmd.handle, { type: Obj.SAMPLER_VIEW, value });
      return null;
    }
    case "CREATE_SAMPLER_STATE":
      put(env, sub, cmd.handle, { type: Obj.SAMPLER_STATE, value: cmd.state });
      return null;
    case "CREATE_SURFACE": {
      const r = ctx.resource(env.resources, cmd.res);
      if (typeof r === "string") return r;
      if (r.kind !== "texture") return `surface on buffer resource ${cmd.res}`;
      const level = cmd.val0;
      const firstLayer = cmd.val1 & 0xffff;
      const lastLayer = cmd.val1 >>> 16;
      if (level > r.desc.lastLevel) return `surface level ${level} > last_level ${r.desc.lastLevel}`;
      if (firstLayer > lastLayer) return `surface layers ${firstLayer}..${lastLayer}`;
      put(env, sub, cmd.handle, { type: Obj.SURFACE, value: { res: cmd.res, format: cmd.format, level, firstLayer, lastLayer } });
      return null;
    }
    case "CREATE_QUERY":
      put(env, sub, cmd.handle, { type: Obj.QUERY, value: { queryType: cmd.queryType, index: cmd.index, res: cmd.res, offset: cmd.offset, gl: null, active: false } });
      return null;
    case "CREATE_STREAMOUT_TARGET": {
      const r = ctx.resource(env.resources, cmd.res);
      if (typeof r === "string") return r;
      if (r.kind !== "buffer") return `streamout target on non-buffer resource ${cmd.res}`;
      if (cmd.bufferOffset % 4 !== 0) return `streamout buffer_offset ${cmd.bufferOffset} not 4-byte aligned`;
      if (cmd.bufferOffset + cmd.bufferSize > r.desc.width) return `streamout range [${cmd.bufferOffset}, +${cmd.bufferSize}) beyond the ${r.desc.width}-byte buffer`;
      put(env, sub, cmd.handle, { type: Obj.STREAMOUT_TARGET, value: { res: cmd.res, bufferOffset: cmd.bufferOffset, bufferSize: cmd.bufferSize, filled: 0 } });
      return null;
    }
    case "BIND_OBJECT": {
      if (cmd.handle !== 0 && sub.objects.get(cmd.handle)?.type !== cmd.objType) return `object ${cmd.handle} is not a ${cmd.objType}`;
      if (cmd.objType === Obj.BLEND) sub.blend = cmd.handle;
      else if (cmd.objType === Obj.DSA) sub.dsa = cmd.handle;
      else if (cmd.objType === Obj.RASTERIZER) sub.rasterizer = cmd.handle;
      else sub.vertexElements = cmd.handle;
      return null;
    }
    case "DESTROY_OBJECT":
      destroyObject(env, sub, cmd.handle);
      return null;
    case "BIND_SHADER": {
      if (cmd.handle !== 0) {
        if (!SUPPORTED_STAGES.includes(cmd.stage)) return `stage ${cmd.stage} shaders are not supported`;
        const s = sub.get(cmd.handle, Obj.SHADER);
        if (!s) return `shader ${cmd.handle} does not exist`;
        if (s.stage !== cmd.stage) return `shader ${cmd.handle} is stage ${s.stage}, bound as ${cmd.stage}`;
      }
      sub.shaders[cmd.stage] = cmd.handle;
      return null;
    }
    case "SET_VIEWPORT_STATE":
      cmd.viewports.forEach((v, i) => (sub.viewports[cmd.startSlot + i] = v));
      return null;
    case "SET_SCISSOR_STATE":
      cmd.scissors.forEach((s, i) => (sub.scissors[cmd.startSlot + i] = s));
      return null;
    case "SET_FRAMEBUFFER_STATE":
      sub.framebuffer = { zsurf: cmd.zsurf, cbufs: cmd.cbufs };
      return null;
    case "SET_VERTEX_BUFFERS":
      sub.vertexBuffers = cmd.buffers;
      return null;
    case "SET_INDEX_BUFFER":
      sub.indexBuffer = { res: cmd.res, indexSize: cmd.indexSize, offset: cmd.offset };
      return null;
    case "SET_SAMPLER_VIEWS":
      cmd.handles.forEach((h, i) => (sub.samplerViews[cmd.stage][cmd.startSlot + i] = h));
      return null;
    case "BIND_SAMPLER_STATES":
      cmd.handles.forEach((h, i) => (sub.samplerStates[cmd.stage][cmd.startSlot + i] = h));
      return null;
    case "SET_CONSTANT_BUFFER":
      if (cmd.stage < 2) sub.constants[cmd.stage] = cmd.data;
      return null;
    case "SET_UNIFORM_BUFFER":
      if (cmd.stage < 2) sub.uniformBuffers[cmd.stage][cmd.index] = { index: cmd.index, offset: cmd.offset, length: cmd.length, res: cmd.res };
      return null;
    case "SET_STENCIL_REF":
      sub.stencilRef = [cmd.front, cmd.back];
      return null;
    case "SET_BLEND_COLOR":
      sub.blendColor = cmd.color;
      return null;
    case "SET_SAMPLE_MASK":
      sub.sampleMask = cmd.mask;
      return null;
    case "SET_STREAMOUT_TARGETS":
      for (let i = 0; i < cmd.handles.length; i++) {
        const t = sub.get(cmd.handles[i], Obj.STREAMOUT_TARGET);
        if (cmd.handles[i] !== 0 && !t) return `streamout target ${cmd.handles[i]} does not exist`;
        if (t && !(cmd.appendBitmask & (1 << i))) t.filled = 0;
      }
      sub.streamoutTargets = cmd.handles;
      return null;
    case "SET_CLIP_STATE":
      sub.clipPlanes.set(cmd.planes.subarray(0, 32));
      return null;
    case "SET_POLYGON_STIPPLE":
    case "SET_MIN_SAMPLES":
      return null; // no stipple in WebGL2
    case "CLEAR": {
      const rc = env.queries.renderCheck(env, sub);
      if (rc !== "render") return rc === "wait" ? SUSPEND : null;
      const att = resolveFramebuffer(env, sub);
      if (typeof att === "string") return att;
      const err = env.framebuffer.bind(att);
      if (err) return err;
      executeClear(env.gl, env.state, cmd, att.color, att.depth);
      return null;
    }
    case "BLIT": {
      const rc = cmd.renderConditionEnable ? env.queries.renderCheck(env, sub) : "render";
      if (rc !== "render") return rc === "wait" ? SUSPEND : null;
      return execBlit(env, cmd);
    }
    case "RESOURCE_COPY_REGION":
      return execCopyRegion(env, cmd);
    case "DRAW_VBO": {
      const rc = env.queries.renderCheck(env, sub);
      if (rc !== "render") return rc === "wait" ? SUSPEND : null;
      return draw ? draw(env, sub, cmd) : skip(env, "DRAW_VBO");
    }
    case "BEGIN_QUERY":
      return env.queries.begin(env, sub, cmd.handle);
    case "END_QUERY":
      return env.queries.end(env, sub, cmd.handle);
    case "GET_QUERY_RESULT":
      return env.queries.request(env, sub, cmd.handle);
    case "SET_RENDER_CONDITION":
      return env.queries.setCondition(env, sub, cmd.handle, cmd.condition, cmd.mode);
    default: {
      const never: never = cmd;
      return `unhandled ${(never as Command).kind}`;
    }
  }
}
