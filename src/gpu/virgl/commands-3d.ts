/**
 * The virtio-gpu 3D command set (VIRTIO 1.2 5.7.6.7 with VIRTIO_GPU_F_VIRGL): capsets, contexts,
 * RESOURCE_CREATE_3D, TRANSFER_{TO,FROM}_HOST_3D, SUBMIT_3D. Validation happens here, against
 * the device's ResourceDesc mirror and the guest backing; the renderer (behind a VirglPort) only
 * ever sees validated work plus the backing bytes it will read.
 *
 * Fences: a request with VIRTIO_GPU_FLAG_FENCE is answered only once the renderer reports the
 * GL work before it finished (port.fence(), or the submit/readback's own fence); the device's
 * OrderedCompletion then keeps fenced answers behind everything submitted earlier.
 *
 * Renderer errors (a bad command in a submit): the submit is answered ERR_INVALID_PARAMETER with
 * the renderer's text (command, dword offset, field, value), which lands in the device log and
 * the guest's dmesg ("response 0x1205 (command 0x207)"), and the context is marked errored
 * (stats). Unlike vrend we keep executing later submits of that context: vrend refuses them all
 * (vrend_hw_switch_context fails for in_error contexts), which turns one unsupported command
 * into a frozen application; QEMU answers OK either way, so the guest cannot tell the difference.
 */
import { u64ToNumber } from "../../virtio/guest-ram.ts";
import { Backing } from "../backing.ts";
import { fail, ok, okWith, type CommandTable, type GpuCommand, type GpuResponse } from "../command-table.ts";
import { readBackingEntries } from "../commands-2d.ts";
import type { GpuState } from "../gpu-state.ts";
import { CMD, CTRL_HDR_SIZE, FORMAT, RESP, VIRTIO_GPU_FLAG_FENCE } from "../protocol.ts";
import type { Rect } from "../scanout-backend.ts";
import { EMPTY_RECT, formatRect, rectInside } from "../scanouts.ts";
import { isStaging, normalizeResourceDesc, transferGeometry, validateResourceDesc, type ResourceDesc } from "../../virgl/resource-desc.ts";
import { Target } from "../../virgl/protocol.ts";
import { planSubmit } from "../../virgl/transfer-plan.ts";
import { applyBackingWrites, gatherPlan, gatherRange, rangeOutside } from "./backing-io.ts";
import {
  CAPSETS,
  CONTEXT_INIT_CAPSET_ID_MASK,
  CTX_DEBUG_NAME_MAX,
  MAX_SUBMIT_BYTES,
  REQUEST_SIZE_3D,
  RESOURCE_FLAGS_KNOWN,
  RESP_CAPSET_INFO_SIZE,
} from "./protocol-3d.ts";
import type { Virgl3DState } from "./resources-3d.ts";
import type { TransferArgs, VirglCapsets, VirglError, VirglPort, VirglReply } from "./virgl-port.ts";

/** Contexts a guest may hold at once (Linux makes one per DRM file that uses 3D). */
export const MAX_CONTEXTS = 1024;
/** Context ids accepted by CTX_CREATE's context_init capset field: 0 (default), VIRGL and VIRGL2 all mean a vrend context, as in virglrenderer. */
const VIRGL_CONTEXT_CAPSETS: ReadonlySet<number> = new Set([0, 1, 2]);
const SCANOUT_FORMATS: ReadonlySet<number> = new Set(Object.values(FORMAT));
const SCANOUT_TARGETS: ReadonlySet<number> = new Set([Target.TEXTURE_2D, Target.TEXTURE_RECT]);

/** Everything the 3D handlers work on. */
export interface Module3DContext {
  readonly gpu: GpuState;
  readonly v3d: Virgl3DState;
  readonly port: VirglPort;
  readonly capsets: VirglCapsets;
  /** Bumped by reset: answers to work from before it must not touch guest pages. */
  epoch(): number;
  /** Logs a device-side problem (rate-limited by the module). */
  log(message: string): void;
  counters: Virgl3DCounters;
}

export interface Virgl3DCounters {
  submits: number;
  submitErrors: number;
  transfersToHost: number;
  transfersFromHost: number;
  fences: number;
  droppedBackingWrites: number;
  asyncErrors: number;
}

const u32 = (v: DataView, at: number): number => v.getUint32(at, true);

export function formatVirglError(e: VirglError): string {
  const where = e.offset >= 0 ? ` @dw${e.offset}` : "";
  return `ctx ${e.ctx}: ${e.cmd}${where}: ${e.message}`;
}

function isFenced(command: GpuCommand): boolean {
  return (command.header.flags & VIRTIO_GPU_FLAG_FENCE) !== 0;
}

/** Answers `response`, after a renderer fence when the request asked for one. */
function afterFence(m: Module3DContext, command: GpuCommand, response: GpuResponse): GpuResponse | Promise<GpuResponse> {
  if (!isFenced(command) || response.type >= RESP.ERR_UNSPEC) return response;
  m.counters.fences++;
  return m.port.fence().then(() => response);
}

export function register3DCommands(table: CommandTable, m: Module3DContext): void {
  const hdr = CTRL_HDR_SIZE;
  const reg = (type: number, name: string, requestSize: number, responseSize: number, handle: (c: GpuCommand) => GpuResponse | Promise<GpuResponse>) =>
    table.register({ type, name, requestSize, responseSize, handle });
  reg(CMD.GET_CAPSET_INFO, "GET_CAPSET_INFO", REQUEST_SIZE_3D.GET_CAPSET_INFO, RESP_CAPSET_INFO_SIZE, (c) => getCapsetInfo(c));
  reg(CMD.GET_CAPSET, "GET_CAPSET", REQUEST_SIZE_3D.GET_CAPSET, hdr, (c) => getCapset(m, c));
  reg(CMD.CTX_CREATE, "CTX_CREATE", REQUEST_SIZE_3D.CTX_CREATE, hdr, (c) => afterFence(m, c, ctxCreate(m, c)));
  reg(CMD.CTX_DESTROY, "CTX_DESTROY", REQUEST_SIZE_3D.CTX_DESTROY, hdr, (c) => afterFence(m, c, ctxDestroy(m, c)));
  reg(CMD.CTX_ATTACH_RESOURCE, "CTX_ATTACH_RESOURCE", REQUEST_SIZE_3D.CTX_RESOURCE, hdr, (c) => afterFence(m, c, ctxResource(m, c, true)));
  reg(CMD.CTX_DETACH_RESOURCE, "CTX_DETACH_RESOURCE", REQUEST_SIZE_3D.CTX_RESOURCE, hdr, (c) => afterFence(m, c, ctxResource(m, c, false)));
  reg(CMD.RESOURCE_CREATE_3D, "RESOURCE_CREATE_3D", REQUEST_SIZE_3D.RESOURCE_CREATE_3D, hdr, (c) => afterFence(m, c, resourceCreate3D(m, c)));
  reg(CMD.TRANSFER_TO_HOST_3D, "TRANSFER_TO_HOST_3D", REQUEST_SIZE_3D.TRANSFER_3D, hdr, (c) => transferToHost3D(m, c));
  reg(CMD.TRANSFER_FROM_HOST_3D, "TRANSFER_FROM_HOST_3D", REQUEST_SIZE_3D.TRANSFER_3D, hdr, (c) => transferFromHost3D(m, c));
  reg(CMD.SUBMIT_3D, "SUBMIT_3D", REQUEST_SIZE_3D.SUBMIT_3D, hdr, (c) => submit3D(m, c));
  wrap2DCommands(table, m);
}

// ---- capsets ---------------------------------------------------------------------------------

function getCapsetInfo(command: GpuCommand): GpuResponse {
  const index = u32(command.fields, 24);
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  const capset = CAPSETS[index];
  // Out-of-range index: zeros with OK, as QEMU answers (Linux only asks for 0..num_capsets-1).
  if (capset) {
    view.setUint32(0, capset.id, true);
    view.setUint32(4, capset.maxVersion, true);
    view.setUint32(8, capset.size, true);
  }
  return okWith(RESP.OK_CAPSET_INFO, body);
}

function getCapset(m: Module3DContext, command: GpuCommand): GpuResponse {
  const id = u32(command.fields, 24);
  const version = u32(command.fields, 28);
  const capset = CAPSETS.find((c) => c.id === id);
  if (!capset) return fail(RESP.ERR_INVALID_PARAMETER, `capset_id ${id} is not offered (1 = VIRGL, 2 = VIRGL2)`);
  if (version > capset.maxVersion) return fail(RESP.ERR_INVALID_PARAMETER, `capset_id ${id}: capset_version ${version} > max_version ${capset.maxVersion}`);
  return okWith(RESP.OK_CAPSET, (id === 1 ? m.capsets.v1 : m.capsets.v2).slice());
}

// ---- contexts --------------------------------------------------------------------------------

function ctxCreate(m: Module3DContext, command: GpuCommand): GpuResponse {
  const ctxId = command.header.ctxId;
  const nlen = u32(command.fields, 24);
  const contextInit = u32(command.fields, 28);
  if (ctxId === 0) return fail(RESP.ERR_INVALID_CONTEXT_ID, "ctx_id 0 is reserved");
  if (m.v3d.contexts.has(ctxId)) return fail(RESP.ERR_INVALID_CONTEXT_ID, `ctx_id ${ctxId} already exists`);
  if (nlen > CTX_DEBUG_NAME_MAX) return fail(RESP.ERR_INVALID_PARAMETER, `ctx_id ${ctxId}: nlen ${nlen} > ${CTX_DEBUG_NAME_MAX}`);
  const capsetId = contextInit & CONTEXT_INIT_CAPSET_ID_MASK;
  if (contextInit & ~CONTEXT_INIT_CAPSET_ID_MASK) {
    return fail(RESP.ERR_INVALID_PARAMETER, `ctx_id ${ctxId}: context_init 0x${contextInit.toString(16)} has flags (VIRTIO_GPU_F_CONTEXT_INIT is not offered)`);
  }
  if (!VIRGL_CONTEXT_CAPSETS.has(capsetId)) return fail(RESP.ERR_INVALID_PARAMETER, `ctx_id ${ctxId}: context_init capset id ${capsetId} is not a virgl capset`);
  if (m.v3d.contexts.size >= MAX_CONTEXTS) return fail(RESP.ERR_OUT_OF_MEMORY, `ctx_id ${ctxId}: ${MAX_CONTEXTS} contexts already exist`);
  const raw = new Uint8Array(command.fields.buffer, command.fields.byteOffset + 32, nlen);
  const name = String.fromCharCode(...raw).replace(/[^\x20-\x7e]/g, "?");
  m.v3d.contexts.set(ctxId, { id: ctxId, name, attached: new Set(), firstError: null });
  m.port.createContext(ctxId, name);
  return ok();
}

function ctxDestroy(m: Module3DContext, command: GpuCommand): GpuResponse {
  const ctxId = command.header.ctxId;
  if (!m.v3d.contexts.has(ctxId)) return fail(RESP.ERR_INVALID_CONTEXT_ID, `ctx_id ${ctxId} does not exist`);
  m.v3d.removeContext(ctxId);
  m.port.destroyContext(ctxId);
  return ok();
}

function ctxResource(m: Module3DContext, command: GpuCommand, attach: boolean): GpuResponse {
  const ctxId = command.header.ctxId;
  const id = u32(command.fields, 24);
  const ctx = m.v3d.contexts.get(ctxId);
  if (!ctx) return fail(RESP.ERR_INVALID_CONTEXT_ID, `ctx_id ${ctxId} does not exist`);
  const r = m.v3d.resources.get(id);
  if (!r) {
    // Linux attaches every GEM object a 3D-using file opens, dumb (2D) buffers included: the
    // renderer never sees 2D resources, so that is a no-op, not an error.
    if (m.gpu.resources.has(id)) return ok();
    return fail(RESP.ERR_INVALID_RESOURCE_ID, `ctx_id ${ctxId}: resource_id ${id} does not exist`);
  }
  if (attach) {
    if (ctx.attached.has(id)) return ok();
    ctx.attached.add(id);
    r.contexts.add(ctxId);
    m.port.attachResource(ctxId, id);
  } else {
    if (!ctx.attached.has(id)) return ok();
    ctx.attached.delete(id);
    r.contexts.delete(ctxId);
    m.port.detachResource(ctxId, id);
  }
  return ok();
}

// ---- resources -------------------------------------------------------------------------------

function readDesc(v: DataView): ResourceDesc {
  return {
    handle: u32(v, 24),
    target: u32(v, 28),
    format: u32(v, 32),
    bind: u32(v, 36),
    width: u32(v, 40),
    height: u32(v, 44),
    depth: u32(v, 48),
    arraySize: u32(v, 52),
    lastLevel: u32(v, 56),
    nrSamples: u32(v, 60),
    flags: u32(v, 64),
  };
}

function resourceCreate3D(m: Module3DContext, command: GpuCommand): GpuResponse {
  // Mesa sends 0 for unused extents (query buffers with array_size 0); vrend and the renderer take 0 as 1.
  const desc = normalizeResourceDesc(readDesc(command.fields));
  const id = desc.handle;
  if (id === 0) return fail(RESP.ERR_INVALID_RESOURCE_ID, "resource_id 0 is reserved");
  if (m.v3d.resources.has(id) || m.gpu.resources.has(id)) return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${id} already exists`);
  if (desc.flags & ~RESOURCE_FLAGS_KNOWN) return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: flags 0x${desc.flags.toString(16)} has unknown bits (only Y_0_TOP = 1)`);
  const invalid = validateResourceDesc(desc);
  if (invalid) {
    return fail(RESP.ERR_INVALID_PARAMETER, `resource_id ${id}: ${invalid} (target ${desc.target} format ${desc.format} bind 0x${desc.bind.toString(16)} ${desc.width}x${desc.height}x${desc.depth} array_size ${desc.arraySize} last_level ${desc.lastLevel} nr_samples ${desc.nrSamples})`);
  }
  const limits = m.gpu.resources.limits;
  if (m.gpu.resources.count + m.v3d.resources.size >= limits.maxResources) {
    return fail(RESP.ERR_OUT_OF_MEMORY, `resource_id ${id}: resource count limit ${limits.maxResources} reached`);
  }
  const r = m.v3d.addResource(desc);
  if (m.gpu.resources.hostBytes + m.v3d.hostBytes > limits.maxHostBytes) {
    m.v3d.removeResource(id);
    return fail(RESP.ERR_OUT_OF_MEMORY, `resource_id ${id}: ${r.hostBytes} bytes would exceed the ${limits.maxHostBytes}-byte resource memory limit`);
  }
  m.port.createResource(desc);
  return ok();
}

// ---- transfers -------------------------------------------------------------------------------

/** Reads and validates a TRANSFER_*_HOST_3D request; returns the arguments and byte span, or an error. */
function readTransfer(m: Module3DContext, command: GpuCommand): { args: TransferArgs; bytes: number; staging: boolean } | GpuResponse {
  const v = command.fields;
  const box = { x: u32(v, 24), y: u32(v, 28), z: u32(v, 32), w: u32(v, 36), h: u32(v, 40), d: u32(v, 44) };
  const offset = u64ToNumber(u32(v, 48), u32(v, 52));
  const res = u32(v, 56);
  const args: TransferArgs = { ctxId: command.header.ctxId, res, level: u32(v, 60), box, offset, stride: u32(v, 64), layerStride: u32(v, 68) };
  const r = m.v3d.resources.get(res);
  if (!r) {
    const why = m.gpu.resources.has(res) ? "is a 2D resource" : "does not exist";
    return fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${res} ${why}`);
  }
  const geometry = transferGeometry(r.desc, args.level, box, args.stride, args.layerStride);
  const where = `resource_id ${res} level ${args.level} box ${box.x},${box.y},${box.z} ${box.w}x${box.h}x${box.d} stride ${args.stride} layer_stride ${args.layerStride}`;
  if (typeof geometry === "string") return fail(RESP.ERR_INVALID_PARAMETER, `${where}: ${geometry}`);
  if (!r.backing) return fail(RESP.ERR_INVALID_PARAMETER, `${where}: no backing attached`);
  const outside = rangeOutside(offset, geometry.bytes, r.backing.totalLength);
  if (outside) return fail(RESP.ERR_INVALID_PARAMETER, `${where}: offset ${offset}: ${outside}`);
  return { args, bytes: geometry.bytes, staging: isStaging(r.desc) };
}

function transferToHost3D(m: Module3DContext, command: GpuCommand): GpuResponse | Promise<GpuResponse> {
  const t = readTransfer(m, command);
  if ("type" in t) return t;
  let bytes: Uint8Array | null = null;
  // Staging buffers live only in guest memory (vrend keeps no host copy): nothing to send.
  if (!t.staging) {
    const got = gatherRange(m.gpu.ram, m.v3d, t.args.res, t.args.offset, t.bytes);
    if (typeof got === "string") return fail(RESP.ERR_INVALID_PARAMETER, got);
    bytes = got;
  }
  m.counters.transfersToHost++;
  m.port.transferToHost(t.args, bytes);
  return afterFence(m, command, ok());
}

function transferFromHost3D(m: Module3DContext, command: GpuCommand): GpuResponse | Promise<GpuResponse> {
  const t = readTransfer(m, command);
  if ("type" in t) return t;
  if (t.staging) return afterFence(m, command, ok());
  m.counters.transfersFromHost++;
  const epoch = m.epoch();
  return m.port.transferFromHost(t.args, isFenced(command)).then((reply) => finishReply(m, epoch, "TRANSFER_FROM_HOST_3D", reply));
}

// ---- submit ----------------------------------------------------------------------------------

function submit3D(m: Module3DContext, command: GpuCommand): GpuResponse | Promise<GpuResponse> {
  const ctxId = command.header.ctxId;
  const size = u32(command.fields, 24);
  const ctx = m.v3d.contexts.get(ctxId);
  if (!ctx) return fail(RESP.ERR_INVALID_CONTEXT_ID, `ctx_id ${ctxId} does not exist`);
  const carried = command.request.readableLength - REQUEST_SIZE_3D.SUBMIT_3D;
  if (size > carried) return fail(RESP.ERR_INVALID_PARAMETER, `ctx_id ${ctxId}: size ${size} but the request carries ${carried} bytes of commands`);
  if (size % 4 !== 0) return fail(RESP.ERR_INVALID_PARAMETER, `ctx_id ${ctxId}: size ${size} is not a whole number of dwords`);
  if (size > MAX_SUBMIT_BYTES) return fail(RESP.ERR_INVALID_PARAMETER, `ctx_id ${ctxId}: size ${size} > ${MAX_SUBMIT_BYTES}`);
  const raw = command.request.readBytes(REQUEST_SIZE_3D.SUBMIT_3D, size);
  // readBytes returns a fresh copy; copy again only if it is not 4-aligned at offset 0.
  const words = raw.byteOffset % 4 === 0 ? new Uint32Array(raw.buffer, raw.byteOffset, size / 4) : new Uint32Array(raw.slice().buffer);
  const plan = planSubmit(words, (id) => m.v3d.resources.get(id)?.desc);
  const { chunks, problems } = gatherPlan(m.gpu.ram, m.v3d, plan.reads);
  for (const p of problems) m.log(`SUBMIT_3D ctx ${ctxId}: not gathered: ${p}`);
  m.counters.submits++;
  const epoch = m.epoch();
  return m.port.submit(ctxId, words, chunks, isFenced(command)).then((reply) => finishReply(m, epoch, "SUBMIT_3D", reply));
}

/** Applies a reply's backing writes (if the device was not reset meanwhile) and turns its error into a response. */
function finishReply(m: Module3DContext, epoch: number, what: string, reply: VirglReply): GpuResponse {
  if (epoch !== m.epoch()) return ok(); // answer is dropped by the device anyway
  const dropped = applyBackingWrites(m.gpu.ram, m.v3d, reply.backingWrites);
  m.counters.droppedBackingWrites += dropped.length;
  for (const d of dropped) m.log(`${what}: backing ${d}: dropped`);
  if (reply.error) {
    const ctx = m.v3d.contexts.get(reply.error.ctx);
    if (ctx && !ctx.firstError) ctx.firstError = reply.error;
    if (what === "SUBMIT_3D") m.counters.submitErrors++;
    return fail(RESP.ERR_INVALID_PARAMETER, formatVirglError(reply.error));
  }
  return ok();
}

// ---- 2D commands on 3D resources (one id space, one backing table) ---------------------------

function wrap2DCommands(table: CommandTable, m: Module3DContext): void {
  const owns = (c: GpuCommand, at: number): boolean => m.v3d.resources.has(u32(c.fields, at));
  const wrap = (type: number, idAt: number, mine: (c: GpuCommand) => GpuResponse | Promise<GpuResponse>) =>
    table.wrap(type, (prev) => ({ ...prev, handle: (c) => (owns(c, idAt) ? mine(c) : prev.handle(c)) }));

  table.wrap(CMD.RESOURCE_CREATE_2D, (prev) => ({
    ...prev,
    handle: (c) => (owns(c, 24) ? fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${u32(c.fields, 24)} already exists (a 3D resource)`) : prev.handle(c)),
  }));
  wrap(CMD.RESOURCE_UNREF, 24, (c) => afterFence(m, c, unref3D(m, u32(c.fields, 24))));
  wrap(CMD.RESOURCE_ATTACH_BACKING, 24, (c) => afterFence(m, c, attachBacking3D(m, c)));
  wrap(CMD.RESOURCE_DETACH_BACKING, 24, (c) => {
    const r = m.v3d.resources.get(u32(c.fields, 24))!;
    if (!r.backing) return fail(RESP.ERR_UNSPEC, `resource_id ${r.desc.handle} has no backing to detach`);
    r.backing = null;
    return afterFence(m, c, ok());
  });
  wrap(CMD.SET_SCANOUT, 44, (c) => afterFence(m, c, setScanout3D(m, c)));
  wrap(CMD.RESOURCE_FLUSH, 40, (c) => afterFence(m, c, flush3D(m, c)));
  wrap(CMD.TRANSFER_TO_HOST_2D, 48, (c) => fail(RESP.ERR_INVALID_RESOURCE_ID, `resource_id ${u32(c.fields, 48)} is a 3D resource (use TRANSFER_TO_HOST_3D)`));
}

function unref3D(m: Module3DContext, id: number): GpuResponse {
  for (const scanout of m.gpu.scanouts) {
    if (scanout.resourceId === id) {
      scanout.resourceId = 0;
      scanout.rect = EMPTY_RECT;
      m.gpu.backend.setScanout(scanout.id, 0, EMPTY_RECT);
    }
  }
  m.v3d.removeResource(id);
  m.port.unrefResource(id);
  return ok();
}

function attachBacking3D(m: Module3DContext, command: GpuCommand): GpuResponse {
  const id = u32(command.fields, 24);
  const r = m.v3d.resources.get(id)!;
  if (r.backing) return fail(RESP.ERR_UNSPEC, `resource_id ${id} already has backing attached`);
  const backing = readBackingEntries(m.gpu, command);
  if (!(backing instanceof Backing)) return backing;
  // No minimum size: Mesa lays out 3D backings itself; every transfer is range-checked instead.
  r.backing = backing;
  return ok();
}

function readRect(v: DataView, at: number): Rect {
  return { x: u32(v, at), y: u32(v, at + 4), width: u32(v, at + 8), height: u32(v, at + 12) };
}

function setScanout3D(m: Module3DContext, command: GpuCommand): GpuResponse {
  const rect = readRect(command.fields, 24);
  const scanoutId = u32(command.fields, 40);
  const id = u32(command.fields, 44);
  const scanout = m.gpu.scanouts[scanoutId];
  if (!scanout) return fail(RESP.ERR_INVALID_SCANOUT_ID, `scanout ${scanoutId} does not exist (${m.gpu.scanouts.length} scanouts)`);
  const d = m.v3d.resources.get(id)!.desc;
  if (!SCANOUT_TARGETS.has(d.target) || !SCANOUT_FORMATS.has(d.format)) {
    return fail(RESP.ERR_INVALID_PARAMETER, `scanout ${scanoutId}: resource_id ${id} (target ${d.target}, format ${d.format}) is not a 2D texture in a scanout format`);
  }
  if (rect.width === 0 || rect.height === 0 || !rectInside(rect, d.width, d.height)) {
    return fail(RESP.ERR_INVALID_PARAMETER, `scanout ${scanoutId}: rect ${formatRect(rect)} is empty or outside resource ${id} (${d.width}x${d.height})`);
  }
  scanout.resourceId = id;
  scanout.rect = rect;
  m.port.setScanout(scanoutId, id, rect);
  return ok();
}

function flush3D(m: Module3DContext, command: GpuCommand): GpuResponse {
  const rect = readRect(command.fields, 24);
  const id = u32(command.fields, 40);
  const d = m.v3d.resources.get(id)!.desc;
  if (!rectInside(rect, d.width, d.height)) return fail(RESP.ERR_INVALID_PARAMETER, `rect ${formatRect(rect)} outside resource ${id} (${d.width}x${d.height})`);
  if (rect.width === 0 || rect.height === 0) return ok();
  m.gpu.counters.flushes++;
  m.port.flush(id, rect);
  return ok();
}
