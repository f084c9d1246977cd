import type { Format2D } from "./scanout-backend.ts";
import type { Backing } from "./backing.ts";
import { BYTES_PER_PIXEL_2D } from "./protocol.ts";

/** Limits that keep a hostile or buggy guest from exhausting the page's memory. */
export interface ResourceLimits {
  /** Total host bytes of all resources (width × height × 4 each): beyond → ERR_OUT_OF_MEMORY. */
  maxHostBytes: number;
  /** Number of live resources: beyond → ERR_OUT_OF_MEMORY. */
  maxResources: number;
  /** Largest width or height of a 2D resource (WebGL2 textures top out around 8192-16384). */
  maxDimension: number;
  /** Largest nr_entries in one ATTACH_BACKING (a 512 MiB resource in 4 KiB pages = 131072). */
  maxBackingEntries: number;
  /** Resources up to this size in both dimensions keep a host copy so UPDATE_CURSOR can read it. */
  maxCursorDimension: number;
}

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = {
  maxHostBytes: 512 * 1024 * 1024,
  maxResources: 4096,
  maxDimension: 16384,
  maxBackingEntries: 131072,
  maxCursorDimension: 256,
};

export interface Resource2D {
  readonly id: number;
  readonly format: Format2D;
  readonly width: number;
  readonly height: number;
  /** width × 4: the row pitch of both the guest backing and our packed buffers. */
  readonly stride: number;
  /** Bytes charged against maxHostBytes. */
  readonly hostBytes: number;
  backing: Backing | null;
  /** Host copy of the pixels (only for cursor-sized resources), updated by TRANSFER_TO_HOST_2D. */
  readonly shadow: Uint8Array | null;
}

/** Live 2D resources and the memory they are charged. */
export class ResourceTable {
  private readonly resources = new Map<number, Resource2D>();
  private hostBytesInUse = 0;

  constructor(readonly limits: ResourceLimits) {}

  get(id: number): Resource2D | undefined {
    return this.resources.get(id);
  }

  has(id: number): boolean {
    return this.resources.has(id);
  }

  /** Live resource ids in creation order. */
  ids(): number[] {
    return [...this.resources.keys()];
  }

  get count(): number {
    return this.resources.size;
  }

  get hostBytes(): number {
    return this.hostBytesInUse;
  }

  /** Why a resource of this size cannot be created now, or null if it can. */
  refuseReason(width: number, height: number): string | null {
    if (this.resources.size >= this.limits.maxResources) return `resource count limit ${this.limits.maxResources} reached`;
    const bytes = width * height * BYTES_PER_PIXEL_2D;
    if (this.hostBytesInUse + bytes > this.limits.maxHostBytes) {
      return `${bytes} bytes would exceed the ${this.limits.maxHostBytes}-byte resource memory limit (${this.hostBytesInUse} in use)`;
    }
    return null;
  }

  add(id: number, format: Format2D, width: number, height: number): Resource2D {
    const stride = width * BYTES_PER_PIXEL_2D;
    const keepsShadow = width <= this.limits.maxCursorDimension && height <= this.limits.maxCursorDimension;
    const resource: Resource2D = {
      id,
      format,
      width,
      height,
      stride,
      hostBytes: stride * height,
      backing: null,
      shadow: keepsShadow ? new Uint8Array(stride * height) : null,
    };
    this.resources.set(id, resource);
    this.hostBytesInUse += resource.hostBytes;
    return resource;
  }

  remove(id: number): void {
    const resource = this.resources.get(id);
    if (!resource) return;
    this.resources.delete(id);
    this.hostBytesInUse -= resource.hostBytes;
  }

  clear(): void {
    this.resources.clear();
    this.hostBytesInUse = 0;
  }
}
