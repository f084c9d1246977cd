/**
 * Device-side state of the 3D module: the ResourceDesc mirror of every RESOURCE_CREATE_3D (what
 * planSubmit and transfer validation need, no GL), each resource's guest backing, and the live
 * contexts. 3D ids share one namespace with the 2D ResourceTable (checked by the commands).
 */
import type { Backing } from "../backing.ts";
import type { VirglError } from "./virgl-port.ts";
import { formatInfo } from "../../virgl/conv/formats.ts";
import { isBuffer, levelExtent, type ResourceDesc } from "../../virgl/resource-desc.ts";

export interface Resource3D {
  readonly desc: ResourceDesc;
  /** Estimated host bytes (all levels), charged against ResourceLimits.maxHostBytes. */
  readonly hostBytes: number;
  backing: Backing | null;
  /** Contexts it is attached to. */
  readonly contexts: Set<number>;
}

export interface Context3D {
  readonly id: number;
  readonly name: string;
  readonly attached: Set<number>;
  /** First renderer error of this context (like vrend's in_error); later submits still run. */
  firstError: VirglError | null;
}

/** Host memory a resource will take (textures: every level and layer; buffers: their bytes). */
export function hostBytesOf(d: ResourceDesc): number {
  if (isBuffer(d)) return d.width;
  const f = formatInfo(d.format);
  if (!f) return 0;
  let sum = 0;
  for (let level = 0; level <= d.lastLevel; level++) {
    const e = levelExtent(d, level);
    sum += Math.ceil(e.w / f.blockWidth) * Math.ceil(e.h / f.blockHeight) * e.layers * f.blockBytes;
  }
  return sum;
}

export class Virgl3DState {
  readonly resources = new Map<number, Resource3D>();
  readonly contexts = new Map<number, Context3D>();
  hostBytes = 0;

  addResource(desc: ResourceDesc): Resource3D {
    const r: Resource3D = { desc, hostBytes: hostBytesOf(desc), backing: null, contexts: new Set() };
    this.resources.set(desc.handle, r);
    this.hostBytes += r.hostBytes;
    return r;
  }

  removeResource(id: number): void {
    const r = this.resources.get(id);
    if (!r) return;
    for (const c of r.contexts) this.contexts.get(c)?.attached.delete(id);
    this.resources.delete(id);
    this.hostBytes -= r.hostBytes;
  }

  removeContext(id: number): void {
    const c = this.contexts.get(id);
    if (!c) return;
    for (const res of c.attached) this.resources.get(res)?.contexts.delete(id);
    this.contexts.delete(id);
  }

  clear(): void {
    this.resources.clear();
    this.contexts.clear();
    this.hostBytes = 0;
  }
}
