import type { DeviceTransport, QueueDescription, VirtioDeviceModel } from "../virtio/device-model.ts";
import type { GuestRam } from "../virtio/guest-ram.ts";
import type { VirtioRequest } from "../virtio/virtio-request.ts";
import { CommandTable, type CtrlHeader, type GpuResponse } from "./command-table.ts";
import { decodeHeader, encodeResponse } from "./ctrl-header.ts";
import { checkSnapshotFits, restoreGpuState, saveGpuState, type GpuDeviceSnapshot } from "./gpu-snapshot.ts";
import { register2DCommands } from "./commands-2d.ts";
import { registerCursorCommands } from "./cursor-commands.ts";
import type { GpuCounters, GpuState } from "./gpu-state.ts";
import { OrderedCompletion, type CompletionTicket } from "./ordered-completion.ts";
import {
  CONFIG_EVENTS_CLEAR,
  CONFIG_EVENTS_READ,
  CONFIG_NUM_CAPSETS,
  CONFIG_NUM_SCANOUTS,
  CONFIG_SIZE,
  CONTROL_QUEUE,
  CTRL_HDR_SIZE,
  MAX_SCANOUTS,
  RESP,
  VIRTIO_GPU_EVENT_DISPLAY,
  VIRTIO_GPU_F_EDID,
  VIRTIO_GPU_FLAG_FENCE,
  VIRTIO_ID_GPU,
  commandName,
  responseName,
} from "./protocol.ts";
import { ResourceTable, type ResourceLimits } from "./resource-table.ts";
import type { ScanoutBackend } from "./scanout-backend.ts";
import { createScanouts, EMPTY_RECT, type DisplaySize, type Scanout } from "./scanouts.ts";

export interface VirtioGpuDeviceOptions {
  backend: ScanoutBackend;
  displays: readonly DisplaySize[];
  limits: ResourceLimits;
  /** Offer VIRTIO_GPU_F_EDID and answer GET_EDID. */
  edid: boolean;
  /** Queue size offered for both queues (Linux uses what we offer; 256 observed). */
  queueSize: number;
  /** Error responses logged per device reset; later ones are only counted (a looping guest must not flood the log). */
  maxLoggedErrors: number;
  /** Command modules beyond 2D (the 3D/virgl module): their features, capsets and commands. */
  modules: readonly GpuModule[];
}

/**
 * A pluggable command set (the 3D module). Its feature bits are offered with the device's,
 * `register` adds its commands to the control queue table once guest RAM is known, and
 * `reset` runs on every device reset (after 2D state is cleared) to free what it holds.
 */
export interface GpuModule {
  readonly name: string;
  /** Device feature bits this module implements, e.g. 1n << BigInt(VIRTIO_GPU_F_VIRGL). */
  readonly features: bigint;
  /** Capability sets it answers GET_CAPSET_INFO for (added to num_capsets). */
  readonly numCapsets: number;
  register(controlCommands: CommandTable, state: GpuState): void;
  reset(): void;
  /**
   * Why the device cannot be saved now (e.g. 3D contexts that live outside guest RAM), or null
   * when the module holds nothing a snapshot would miss. A module without it blocks saving.
   */
  saveBlocker?(): string | null;
  /** What the module needs back after a restore (structured-clone friendly); only called when saveBlocker() is null. */
  saveState?(): unknown;
  /** After the device's own restore (and reset): rebuild what saveState() returned, validating it. */
  restoreState?(snapshot: unknown): void;
}

/**
 * The virtio-gpu device model (VIRTIO 1.2 5.7), 2D part: device config, the control and cursor
 * queue dispatchers (command tables keyed by header type), fence ordering, display changes.
 */
export class VirtioGpuDevice implements VirtioDeviceModel {
  readonly deviceType = VIRTIO_ID_GPU;
  readonly name = "virtio-gpu";
  readonly queues: readonly QueueDescription[];
  readonly deviceFeatures: bigint;
  readonly configSize = CONFIG_SIZE;
  /** Per-queue command tables: the 3D module registers CTX_*, SUBMIT_3D, ... into controlCommands. */
  readonly controlCommands = new CommandTable();
  readonly cursorCommands = new CommandTable();
  readonly counters: GpuCounters = { commands: 0, errors: 0, transfers: 0, bytesTransferred: 0, flushes: 0, cursorUpdates: 0 };
  /** Number of capability sets (GET_CAPSET_INFO): the modules' sum, 0 without the 3D module. */
  readonly numCapsets: number;
  private transport: DeviceTransport | null = null;
  private state: GpuState | null = null;
  private readonly scanouts: Scanout[];
  private readonly resources: ResourceTable;
  private eventsRead = 0;
  private readonly completion = [new OrderedCompletion(), new OrderedCompletion()];
  /** Bumped on reset: answers to requests from before it are dropped, never written to guest RAM. */
  private epoch = 0;
  private loggedErrors = 0;

  constructor(private readonly options: VirtioGpuDeviceOptions) {
    if (options.displays.length < 1 || options.displays.length > MAX_SCANOUTS) {
      throw new RangeError(`virtio-gpu: ${options.displays.length} displays; 1..${MAX_SCANOUTS} supported`);
    }
    this.queues = [
      { name: "controlq", maxSize: options.queueSize },
      { name: "cursorq", maxSize: options.queueSize },
    ];
    let features = options.edid ? 1n << BigInt(VIRTIO_GPU_F_EDID) : 0n;
    for (const module of options.modules) features |= module.features;
    this.deviceFeatures = features;
    this.numCapsets = options.modules.reduce((sum, module) => sum + module.numCapsets, 0);
    this.scanouts = createScanouts(options.displays);
    this.resources = new ResourceTable(options.limits);
  }

  attach(transport: DeviceTransport): void {
    this.transport = transport;
    const ram: GuestRam = transport.ram;
    this.state = {
      ram,
      resources: this.resources,
      scanouts: this.scanouts,
      backend: this.options.backend,
      counters: this.counters,
      cursors: this.scanouts.map(() => null),
      log: (message) => transport.log(message),
    };
    register2DCommands(this.controlCommands, this.state, { edid: this.options.edid });
    registerCursorCommands(this.cursorCommands, this.state);
    for (const module of this.options.modules) module.register(this.controlCommands, this.state);
  }

  /** Resource memory in use, for stats. */
  get resourceStats(): { resources: number; hostBytes: number } {
    return { resources: this.resources.count, hostBytes: this.resources.hostBytes };
  }

  get scanoutStates(): readonly Readonly<Scanout>[] {
    return this.scanouts;
  }

  // --- device configuration (5.7.4) ----------------------------------------------------------

  readConfigByte(offset: number): number {
    const field = offset & ~3;
    const shift = 8 * (offset & 3);
    let value = 0;
    if (field === CONFIG_EVENTS_READ) value = this.eventsRead;
    else if (field === CONFIG_NUM_SCANOUTS) value = this.scanouts.length;
    else if (field === CONFIG_NUM_CAPSETS) value = this.numCapsets;
    // events_clear reads as 0.
    return (value >>> shift) & 0xff;
  }

  writeConfigByte(offset: number, value: number): void {
    // events_clear: each written 1 bit clears that event (byte by byte, as v86 may split the write).
    if ((offset & ~3) === CONFIG_EVENTS_CLEAR) {
      this.eventsRead = (this.eventsRead & ~((value & 0xff) << (8 * (offset & 3)))) >>> 0;
    }
  }

  /** Host display resized/connected: new preferred mode, VIRTIO_GPU_EVENT_DISPLAY + config interrupt. */
  setDisplaySize(scanoutId: number, width: number, height: number): void {
    const scanout = this.scanouts[scanoutId];
    if (!scanout) throw new RangeError(`virtio-gpu: setDisplaySize: scanout ${scanoutId} does not exist (${this.scanouts.length} scanouts)`);
    const max = this.resources.limits.maxDimension;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || width > max || height > max) {
      throw new RangeError(`virtio-gpu: setDisplaySize: ${width}x${height} outside 0..${max} (0x0 = disconnected)`);
    }
    scanout.width = width;
    scanout.height = height;
    this.eventsRead |= VIRTIO_GPU_EVENT_DISPLAY;
    this.transport?.notifyConfigChange();
  }

  // --- requests --------------------------------------------------------------------------------

  handleRequest(request: VirtioRequest): void {
    const queue = request.queueIndex;
    const isControl = queue === CONTROL_QUEUE;
    const queueName = isControl ? "controlq" : "cursorq";
    const epoch = this.epoch;
    this.counters.commands++;

    const respond = (header: CtrlHeader | null, response: GpuResponse, what: string, ticket: CompletionTicket) => {
      if (epoch !== this.epoch) return;
      if (response.type >= RESP.ERR_UNSPEC) this.reportError(queueName, what, response);
      let written = 0;
      if (isControl && request.writableLength >= CTRL_HDR_SIZE) {
        const bytes = encodeResponse(header, response);
        const fits = bytes.length <= request.writableLength ? bytes : encodeResponse(header, { type: RESP.ERR_UNSPEC });
        request.writeBytes(0, fits);
        written = fits.length;
      }
      this.completion[queue].finish(ticket, () => request.complete(written));
    };

    if (request.readableLength < CTRL_HDR_SIZE) {
      const detail = `request of ${request.readableLength} bytes is shorter than virtio_gpu_ctrl_hdr (${CTRL_HDR_SIZE})`;
      respond(null, { type: RESP.ERR_UNSPEC, detail }, "request", this.completion[queue].begin(false));
      return;
    }
    const header = decodeHeader(request.readBytes(0, CTRL_HDR_SIZE));
    // Every answer, errors included, takes its place in the fence order.
    const fenced = (header.flags & VIRTIO_GPU_FLAG_FENCE) !== 0;
    const ticket = this.completion[queue].begin(fenced);
    const table = isControl ? this.controlCommands : this.cursorCommands;
    const spec = table.get(header.type);
    const what = spec ? spec.name : commandName(header.type);
    if (!spec) {
      respond(header, { type: RESP.ERR_UNSPEC, detail: `unknown command type 0x${header.type.toString(16)} on ${queueName}` }, what, ticket);
      return;
    }
    if (request.readableLength < spec.requestSize) {
      respond(header, { type: RESP.ERR_UNSPEC, detail: `request is ${request.readableLength} bytes, needs ${spec.requestSize}` }, what, ticket);
      return;
    }
    if (isControl && request.writableLength < spec.responseSize) {
      // Too short for the answer: do nothing, say ERR_UNSPEC if even a header fits.
      respond(header, { type: RESP.ERR_UNSPEC, detail: `response buffer is ${request.writableLength} bytes, needs ${spec.responseSize}` }, what, ticket);
      return;
    }
    const fields = new DataView(request.readBytes(0, spec.requestSize).buffer);
    let result: GpuResponse | Promise<GpuResponse>;
    try {
      result = spec.handle({ header, fields, request });
    } catch (error) {
      result = { type: RESP.ERR_UNSPEC, detail: `handler failed: ${String(error)}` };
    }
    if (result instanceof Promise) {
      result.then(
        (response) => respond(header, response, what, ticket),
        (error: unknown) => respond(header, { type: RESP.ERR_UNSPEC, detail: `handler failed: ${String(error)}` }, what, ticket),
      );
    } else {
      respond(header, result, what, ticket);
    }
  }

  private reportError(queueName: string, what: string, response: GpuResponse): void {
    this.counters.errors++;
    if (this.loggedErrors >= this.options.maxLoggedErrors) return;
    this.loggedErrors++;
    const suffix = this.loggedErrors === this.options.maxLoggedErrors ? " (further errors are counted, not logged, until reset)" : "";
    this.transport?.log(`${queueName}: ${what}: ${responseName(response.type)}: ${response.detail ?? "no detail"}${suffix}`);
  }

  // --- save / restore ----------------------------------------------------------------------------

  saveState(): GpuDeviceSnapshot {
    for (const module of this.options.modules) {
      const blocker = module.saveBlocker ? module.saveBlocker() : "it has no save support";
      if (blocker) throw new Error(`virtio-gpu: cannot save state: module ${module.name}: ${blocker}`);
    }
    if (!this.state) throw new Error("virtio-gpu: saveState before the device was attached to a transport");
    const snapshot = saveGpuState(this.state, this.eventsRead);
    for (const module of this.options.modules) if (module.saveState) (snapshot.modules ??= {})[module.name] = module.saveState();
    return snapshot;
  }

  /**
   * Rebuilds the device after a v86 restore (guest RAM already restored) and re-sends everything
   * to the backend; see gpu-snapshot.ts.
   */
  restoreState(snapshot: GpuDeviceSnapshot): void {
    const state = this.state;
    if (!state) throw new Error("virtio-gpu: restoreState before the device was attached to a transport");
    checkSnapshotFits(snapshot, this.scanouts.length);
    this.reset();
    restoreGpuState(state, snapshot);
    this.eventsRead = snapshot.eventsRead >>> 0;
    for (const module of this.options.modules) {
      const saved = snapshot.modules?.[module.name];
      if (saved !== undefined) module.restoreState?.(saved);
    }
  }

  // --- reset -------------------------------------------------------------------------------------

  /** Device reset / guest reboot: frees every resource, unbinds scanouts, drops pending answers. */
  reset(): void {
    this.epoch++;
    for (const completion of this.completion) completion.clear();
    this.resources.clear();
    for (const scanout of this.scanouts) {
      scanout.resourceId = 0;
      scanout.rect = EMPTY_RECT;
    }
    this.eventsRead = 0;
    this.loggedErrors = 0;
    this.state?.cursors.fill(null);
    for (const module of this.options.modules) module.reset();
    this.options.backend.reset();
  }
}

export type { GpuDeviceSnapshot, GpuResourceSnapshot } from "./gpu-snapshot.ts";
