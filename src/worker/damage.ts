/**
 * Pure rectangle bookkeeping for the presenter: which parts of the screen need redrawing
 * this frame, and which queued uploads are still worth doing. Kept free of GL so it can be
 * unit tested in node.
 */
import type { Rect } from "../gpu/scanout-backend.ts";

export function isEmpty(r: Rect): boolean {
  return r.width <= 0 || r.height <= 0;
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function bounds(a: Rect, b: Rect): Rect {
  const x0 = Math.min(a.x, b.x);
  const y0 = Math.min(a.y, b.y);
  const x1 = Math.max(a.x + a.width, b.x + b.width);
  const y1 = Math.max(a.y + a.height, b.y + b.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function contains(outer: Rect, inner: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

export function area(r: Rect): number {
  return Math.max(0, r.width) * Math.max(0, r.height);
}

/**
 * A flushed rectangle of a resource, seen through a scanout: the part of `flush` inside the
 * scanout's source rect, in screen coordinates (origin = the scanout rect's top-left).
 */
export function flushToScreen(flush: Rect, scanoutRect: Rect): Rect | null {
  const r = intersect(flush, scanoutRect);
  if (!r) return null;
  return { x: r.x - scanoutRect.x, y: r.y - scanoutRect.y, width: r.width, height: r.height };
}

/**
 * Damage of one frame as a short list of rectangles. A console update and a clock in the
 * opposite corner stay two small rects; past `maxRects` everything collapses into one
 * bounding box (a frame with that many separate updates is close to full-screen anyway).
 */
export class DamageList {
  private rects: Rect[] = [];

  constructor(private readonly maxRects = 8) {}

  add(r: Rect): void {
    if (isEmpty(r)) return;
    if (this.rects.some((e) => contains(e, r))) return;
    this.rects = this.rects.filter((e) => !contains(r, e));
    this.rects.push({ ...r });
    if (this.rects.length > this.maxRects) {
      this.rects = [this.rects.reduce(bounds)];
    }
  }

  get size(): number {
    return this.rects.length;
  }

  /** Whether one of the rects covers all of `r` (a full-screen update). */
  covers(r: Rect): boolean {
    return this.rects.some((e) => contains(e, r));
  }

  /** Returns the rects and empties the list. */
  take(): Rect[] {
    const out = this.rects;
    this.rects = [];
    return out;
  }

  clear(): void {
    this.rects = [];
  }
}

export interface PendingWrite {
  resourceId: number;
  rect: Rect;
  pixels: Uint8Array;
}

/**
 * Uploads queued until the next animation frame, in arrival order. A write that a later
 * write to the same resource fully covers is dropped: nothing can observe it, because both
 * the uploads and the blits they feed happen together at frame time. This is what keeps a
 * guest writing faster than 60 Hz from queueing unbounded GL work.
 */
export class WriteQueue {
  private queue: PendingWrite[] = [];
  private bytes = 0;
  coalesced = 0;

  /** Queues `w`; returns the earlier writes it made pointless (their buffers are free). */
  push(w: PendingWrite): PendingWrite[] {
    const dropped: PendingWrite[] = [];
    this.queue = this.queue.filter((q) => {
      const covered = q.resourceId === w.resourceId && contains(w.rect, q.rect);
      if (covered) {
        this.bytes -= q.pixels.byteLength;
        dropped.push(q);
      }
      return !covered;
    });
    this.coalesced += dropped.length;
    this.queue.push(w);
    this.bytes += w.pixels.byteLength;
    return dropped;
  }

  /** Forgets one resource's writes; returns them (their buffers are free). */
  dropResource(resourceId: number): PendingWrite[] {
    const dropped = this.queue.filter((q) => q.resourceId === resourceId);
    this.queue = this.queue.filter((q) => q.resourceId !== resourceId);
    for (const q of dropped) this.bytes -= q.pixels.byteLength;
    return dropped;
  }

  get length(): number {
    return this.queue.length;
  }

  has(resourceId: number): boolean {
    return this.queue.some((q) => q.resourceId === resourceId);
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  take(): PendingWrite[] {
    const out = this.queue;
    this.queue = [];
    this.bytes = 0;
    return out;
  }

  clear(): void {
    this.take();
  }
}

/**
 * "damage" present mode (preserveDrawingBuffer: true): which canvas rects to repaint from the
 * screen texture this frame, and whether to draw the cursor. The cursor is only ever drawn
 * onto a freshly repainted cursor rect, so a translucent cursor never blends over itself.
 */
export function presentRegions(a: {
  full: Rect;
  damage: readonly Rect[];
  /** False after a resize, a context restore or the first frame: repaint everything. */
  canvasValid: boolean;
  cursorNow: Rect | null;
  cursorDrawn: Rect | null;
  cursorChanged: boolean;
}): { regions: Rect[]; drawCursor: boolean } {
  if (!a.canvasValid) return { regions: [a.full], drawCursor: a.cursorNow !== null };
  const regions: Rect[] = [];
  const addClipped = (r: Rect): void => {
    const c = intersect(r, a.full);
    if (c) regions.push(c);
  };
  a.damage.forEach(addClipped);
  if (a.cursorChanged && a.cursorDrawn) addClipped(a.cursorDrawn);
  let drawCursor = false;
  if (a.cursorNow && (a.cursorChanged || regions.some((r) => intersect(r, a.cursorNow!) !== null))) {
    addClipped(a.cursorNow);
    drawCursor = true;
  }
  return { regions, drawCursor };
}
