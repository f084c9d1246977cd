// One virgl context (a guest process's GL connection): its sub-contexts, the resources attached to
// it (the only ones its commands may touch) and its error state. Once a command fails, the context
// is marked errored with that first error (vrend's ctx->in_error), the rest of that submit is
// dropped, and later submits still run (vrend keeps decoding; the guest sees rendering errors).

import type { GpuResource } from "./resources.ts";
import { SubContext } from "./sub-context.ts";

export interface VirglError {
  ctx: number;
  /** Command (or API call) that failed. */
  cmd: string;
  /** Dword offset in the submit, -1 outside submits. */
  offset: number;
  message: string;
}

export class VirglContext {
  readonly subs = new Map<number, SubContext>();
  current: SubContext | undefined;
  readonly attached = new Set<number>();
  firstError: VirglError | undefined;
  fbo: WebGLFramebuffer | null = null;

  constructor(
    readonly id: number,
    readonly name: string,
  ) {}

  sub(): SubContext | string {
    return this.current ?? "no current sub-context (SET_SUB_CTX missing)";
  }

  /** A resource this context may use, or why not. */
  resource(resources: ReadonlyMap<number, GpuResource>, res: number): GpuResource | string {
    if (res === 0) return "resource handle 0";
    const r = resources.get(res);
    if (!r) return `resource ${res} does not exist`;
    if (!this.attached.has(res)) return `resource ${res} is not attached to context ${this.id}`;
    return r;
  }
}
