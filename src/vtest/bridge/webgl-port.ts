// WebGlRendererPort: the page-side RendererPort that really renders. Each vtest client gets its
// own WebGL2 context (an OffscreenCanvas) with its own VirglRenderer, because vtest resource
// handles are chosen by the client: two clients both create resource 1, and VirglRenderer keeps
// one resource namespace per instance. Separate contexts also keep one client's GL state and
// errors away from the others, and a dead client is torn down by disposing its renderer and
// losing its context.
//
// Protocol v0 carries transfer data inline, so TRANSFER_PUT's bytes are the backing of a
// TRANSFER_TO_HOST at offset 0 and TRANSFER_GET collects a TRANSFER_FROM_HOST's backing writes
// into one buffer. Submits carry no encoded transfers, so they get an empty backing.

import type { Box, ResourceDesc as VtestResourceDesc, TransferDesc } from "../protocol.ts";
import type { CapsetId, ContextInfo, RendererContext, RendererPort } from "../renderer-port.ts";
import { createDrawPath } from "../../virgl/render/draw.ts";
import { translatorFromShaderModule } from "../../virgl/render/shader-port.ts";
import type { Box3 } from "../../virgl/resource-desc.ts";
import { type VirglError, VirglRenderer } from "../../virgl/renderer.ts";
import { GatheredBacking } from "../../virgl/transfer-plan.ts";
import { virglFormatBlock } from "../formats.ts";

/** The one virgl context id inside each per-client renderer. */
const CTX = 1;
/** How long a waiting BUSY_WAIT lets deferred query results settle (ms). */
const SETTLE_TIMEOUT_MS = 5000;
/** Renderer errors logged per client; the rest are only counted. */
const LOGGED_ERRORS = 8;
/**
 * Largest resource a client may create (bytes, all levels and layers). Measured: piglit's
 * max-texture-size asks for 16384² RGBA32F textures (4 GiB); SwiftShader's GPU process then loses
 * every WebGL context of the page, including other clients'. virglrenderer answers such requests
 * with an allocation failure; we refuse them before they reach GL.
 */
export const MAX_RESOURCE_BYTES = 256 * 1024 * 1024;

/** Upper bound of a resource's size: full mip chain (x 4/3), every layer/slice. */
export function resourceBytes(d: VtestResourceDesc): number {
  const block = d.target === 0 ? { bytes: 1, width: 1, height: 1 } : (virglFormatBlock(d.format) ?? { bytes: 16, width: 1, height: 1 });
  const base = Math.ceil(d.width / block.width) * Math.ceil(Math.max(1, d.height) / block.height) * block.bytes;
  const layers = Math.max(1, d.depth) * Math.max(1, d.arraySize) * Math.max(1, d.nrSamples);
  return base * layers * (d.lastLevel > 0 ? 4 / 3 : 1);
}

export interface WebGlPortOptions {
  /** Reports renderer errors (the bridge page forwards console warnings to the server log). */
  warn?(message: string): void;
  /** gl.getError() after every command (slow; attributes GL errors to commands). */
  debug?: boolean;
}

const toBox3 = (b: Box): Box3 => ({ x: b.x, y: b.y, z: b.z, w: b.width, h: b.height, d: b.depth });

class WebGlContext implements RendererContext {
  private errors = 0;
  private destroyed = false;

  constructor(
    private readonly label: string,
    private readonly gl: WebGL2RenderingContext,
    private readonly renderer: VirglRenderer,
    private readonly warn: (m: string) => void,
  ) {}

  getCaps(capset: CapsetId): Uint8Array {
    return this.renderer.getCapset(capset);
  }

  createResource(d: VtestResourceDesc): void {
    const bytes = resourceBytes(d);
    if (bytes > MAX_RESOURCE_BYTES) {
      return this.report({ ctx: CTX, cmd: "RESOURCE_CREATE", offset: -1, message: `resource ${d.handle}: ${d.width}x${d.height}x${d.depth}[${d.arraySize}] format ${d.format} needs ~${Math.round(bytes / 2 ** 20)} MiB, over the ${MAX_RESOURCE_BYTES / 2 ** 20} MiB limit` });
    }
    const r = this.renderer.createResource({ ...d, flags: 0 });
    if (!r.ok) return this.report(r.error);
    // vtest attaches every resource to the client's context (virglrenderer's vtest_renderer does too).
    const a = this.renderer.attachResource(CTX, d.handle);
    if (!a.ok) this.report(a.error);
  }

  unrefResource(handle: number): void {
    const r = this.renderer.unrefResource(handle);
    if (!r.ok) this.report(r.error);
  }

  transferPut(t: TransferDesc, data: Uint8Array): void {
    this.checkAlive("TRANSFER_PUT");
    const backing = new GatheredBacking([{ res: t.handle, offset: 0, bytes: data }]);
    const r = this.renderer.transferToHost(CTX, t.handle, t.level, toBox3(t.box), 0, t.stride, t.layerStride, backing);
    if (!r.ok) this.report(r.error);
  }

  transferGet(t: TransferDesc): Uint8Array {
    this.checkAlive("TRANSFER_GET");
    this.renderer.pollDeferred(); // query results land in the buffer's host copy
    const out = new Uint8Array(t.dataSize);
    const r = this.renderer.transferFromHost(CTX, t.handle, t.level, toBox3(t.box), 0, t.stride, t.layerStride);
    if (r.error) {
      this.report(r.error);
      return out;
    }
    for (const w of r.backingWrites) {
      // Spans lie inside [0, dataSize) for v0's layout; clip anyway so a mismatch cannot throw.
      if (w.offset >= out.length) continue;
      out.set(w.bytes.subarray(0, out.length - w.offset), w.offset);
    }
    return out;
  }

  submit(commands: Uint32Array): void {
    this.checkAlive("SUBMIT_CMD");
    const r = this.renderer.submit(CTX, commands, new GatheredBacking([]));
    if (r.error) this.report(r.error);
  }

  async busyWait(_handle: number, wait: boolean): Promise<boolean> {
    this.checkAlive("RESOURCE_BUSY_WAIT");
    if (!wait) {
      this.renderer.pollDeferred();
      return false;
    }
    await this.renderer.settle(SETTLE_TIMEOUT_MS);
    // finish() returns once GL executed everything issued so far (a round trip to the GPU process).
    this.gl.finish();
    return false;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.errors > LOGGED_ERRORS) this.warn(`${this.label}: ${this.errors} renderer errors in total`);
    if (!this.gl.isContextLost()) this.renderer.dispose();
    // Give the context back now rather than at garbage collection (Chromium caps live contexts).
    this.gl.getExtension("WEBGL_lose_context")?.loseContext();
  }

  private checkAlive(cmd: string): void {
    if (this.gl.isContextLost()) throw new Error(`${this.label}: ${cmd}: WebGL context lost`);
  }

  /** Renderer errors do not end the session: like virglrenderer, the client carries on. */
  private report(e: VirglError): void {
    this.errors++;
    if (this.errors <= LOGGED_ERRORS) this.warn(`${this.label}: renderer error: ${e.cmd}${e.offset >= 0 ? ` @${e.offset}` : ""}: ${e.message}`);
  }
}

export class WebGlRendererPort implements RendererPort {
  private readonly warn: (m: string) => void;

  constructor(private readonly opts: WebGlPortOptions = {}) {
    this.warn = opts.warn ?? ((m) => console.warn(m));
  }

  createContext(info: ContextInfo): RendererContext {
    const label = `session ${info.sessionId} (${info.name})`;
    const canvas = new OffscreenCanvas(1, 1);
    // The renderer draws into its own framebuffer objects; the default framebuffer stays unused.
    const gl = canvas.getContext("webgl2", { alpha: false, antialias: false, depth: false, stencil: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error(`${label}: WebGL2 context creation failed`);
    const renderer = new VirglRenderer(gl, { debug: this.opts.debug ?? false, draw: createDrawPath(translatorFromShaderModule) });
    const r = renderer.createContext(CTX, info.name);
    if (!r.ok) throw new Error(`${label}: ${r.error.message}`);
    return new WebGlContext(label, gl, renderer, this.warn);
  }
}
