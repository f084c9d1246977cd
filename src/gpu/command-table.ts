import type { VirtioRequest } from "../virtio/virtio-request.ts";
import { RESP } from "./protocol.ts";

/** struct virtio_gpu_ctrl_hdr, decoded. */
export interface CtrlHeader {
  type: number;
  flags: number;
  fenceId: bigint;
  ctxId: number;
  ringIdx: number;
}

/** What a command handler receives. */
export interface GpuCommand {
  header: CtrlHeader;
  /** The first `requestSize` bytes of the request (header included), already length-checked. */
  fields: DataView;
  /** The whole request, for variable-length payloads (backing entries, SUBMIT_3D streams). */
  request: VirtioRequest;
}

/** A handler's answer: a response type (OK_* or ERR_*), an optional body after the header, and for errors a reason for the log. */
export interface GpuResponse {
  type: number;
  body?: Uint8Array;
  detail?: string;
}

/** Handlers may answer later (3D work completes when the GPU worker says so). */
export type GpuCommandHandler = (command: GpuCommand) => GpuResponse | Promise<GpuResponse>;

export interface CommandSpec {
  type: number;
  name: string;
  /** Minimum readable bytes, header included; shorter requests get ERR_UNSPEC without running. */
  requestSize: number;
  /** Writable bytes the response needs (0 on the cursor queue, which has no responses). */
  responseSize: number;
  handle: GpuCommandHandler;
}

/**
 * Command registry keyed by header type, one per virtqueue. The 2D module registers its
 * commands here; the 3D module (CTX_*, RESOURCE_CREATE_3D, TRANSFER_*_3D, SUBMIT_3D,
 * GET_CAPSET*) registers into the same table later without touching the dispatcher.
 */
export class CommandTable {
  private readonly specs = new Map<number, CommandSpec>();

  register(spec: CommandSpec): void {
    if (this.specs.has(spec.type)) throw new Error(`virtio-gpu: command ${spec.name} registered twice`);
    this.specs.set(spec.type, spec);
  }

  /**
   * Replaces a registered command with one built from it (the 3D module wraps RESOURCE_UNREF,
   * SET_SCANOUT, ... so 3D resources share the 2D commands and id space; the wrapper calls the
   * previous handler for ids it does not own).
   */
  wrap(type: number, make: (previous: CommandSpec) => CommandSpec): void {
    const previous = this.specs.get(type);
    if (!previous) throw new Error(`virtio-gpu: cannot wrap unregistered command 0x${type.toString(16)}`);
    const next = make(previous);
    if (next.type !== type) throw new Error(`virtio-gpu: wrapper of ${previous.name} changed its type`);
    this.specs.set(type, next);
  }

  get(type: number): CommandSpec | undefined {
    return this.specs.get(type);
  }

  get types(): number[] {
    return [...this.specs.keys()];
  }
}

export function ok(): GpuResponse {
  return { type: RESP.OK_NODATA };
}

export function okWith(type: number, body: Uint8Array): GpuResponse {
  return { type, body };
}

export function fail(type: number, detail: string): GpuResponse {
  return { type, detail };
}
