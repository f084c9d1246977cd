import { describe, expect, it } from "vitest";
import { DamageList, WriteQueue, bounds, contains, flushToScreen, intersect, presentRegions } from "./damage.ts";

const R = (x: number, y: number, width: number, height: number) => ({ x, y, width, height });

describe("rect helpers", () => {
  it("intersect", () => {
    expect(intersect(R(0, 0, 10, 10), R(5, 5, 10, 10))).toEqual(R(5, 5, 5, 5));
    expect(intersect(R(0, 0, 10, 10), R(10, 0, 5, 5))).toBeNull(); // touching edges
    expect(intersect(R(0, 0, 10, 10), R(2, 2, 0, 3))).toBeNull(); // empty
  });
  it("bounds and contains", () => {
    expect(bounds(R(0, 0, 2, 2), R(5, 6, 1, 1))).toEqual(R(0, 0, 6, 7));
    expect(contains(R(0, 0, 10, 10), R(0, 0, 10, 10))).toBe(true);
    expect(contains(R(0, 0, 10, 10), R(1, 1, 10, 1))).toBe(false);
  });
  it("flushToScreen clips to the scanout and moves to its origin", () => {
    expect(flushToScreen(R(0, 0, 100, 100), R(50, 20, 30, 40))).toEqual(R(0, 0, 30, 40));
    expect(flushToScreen(R(60, 30, 5, 5), R(50, 20, 30, 40))).toEqual(R(10, 10, 5, 5));
    expect(flushToScreen(R(0, 0, 10, 10), R(50, 20, 30, 40))).toBeNull();
  });
});

describe("DamageList", () => {
  it("drops contained rects and keeps separate ones", () => {
    const d = new DamageList();
    d.add(R(0, 0, 10, 10));
    d.add(R(2, 2, 3, 3)); // inside: ignored
    d.add(R(100, 100, 4, 4));
    d.add(R(0, 0, 0, 5)); // empty: ignored
    expect(d.take()).toEqual([R(0, 0, 10, 10), R(100, 100, 4, 4)]);
    expect(d.size).toBe(0);
  });
  it("a covering rect replaces what it covers", () => {
    const d = new DamageList();
    d.add(R(1, 1, 2, 2));
    d.add(R(5, 5, 2, 2));
    d.add(R(0, 0, 10, 10));
    expect(d.take()).toEqual([R(0, 0, 10, 10)]);
  });
  it("covers", () => {
    const d = new DamageList();
    d.add(R(0, 0, 50, 100));
    expect(d.covers(R(0, 0, 100, 100))).toBe(false);
    d.add(R(50, 0, 50, 100)); // two halves are not one covering rect: conservative
    expect(d.covers(R(0, 0, 100, 100))).toBe(false);
    d.add(R(0, 0, 100, 100));
    expect(d.covers(R(0, 0, 100, 100))).toBe(true);
  });
  it("collapses to one bounding box past maxRects", () => {
    const d = new DamageList(3);
    for (let i = 0; i < 4; i++) d.add(R(i * 10, 0, 1, 1));
    expect(d.take()).toEqual([R(0, 0, 31, 1)]);
  });
});

describe("WriteQueue", () => {
  const px = (n: number) => new Uint8Array(n * 4);
  it("drops a write fully covered by a later write to the same resource", () => {
    const q = new WriteQueue();
    q.push({ resourceId: 1, rect: R(0, 0, 2, 2), pixels: px(4) });
    q.push({ resourceId: 2, rect: R(0, 0, 2, 2), pixels: px(4) }); // other resource: kept
    q.push({ resourceId: 1, rect: R(1, 1, 2, 2), pixels: px(4) }); // partial overlap: kept
    expect(q.length).toBe(3);
    const dropped = q.push({ resourceId: 1, rect: R(0, 0, 4, 4), pixels: px(16) });
    expect(dropped.map((w) => w.rect)).toEqual([R(0, 0, 2, 2), R(1, 1, 2, 2)]);
    expect(q.coalesced).toBe(2);
    expect(q.pendingBytes).toBe(16 + 64);
    const out = q.take();
    expect(out.map((w) => w.resourceId)).toEqual([2, 1]);
    expect(q.length).toBe(0);
    expect(q.pendingBytes).toBe(0);
  });
  it("keeps arrival order of overlapping partial writes", () => {
    const q = new WriteQueue();
    q.push({ resourceId: 1, rect: R(0, 0, 4, 4), pixels: px(16) });
    q.push({ resourceId: 1, rect: R(2, 2, 1, 1), pixels: px(1) });
    expect(q.take().map((w) => w.rect)).toEqual([R(0, 0, 4, 4), R(2, 2, 1, 1)]);
  });
  it("dropResource forgets one resource's writes", () => {
    const q = new WriteQueue();
    q.push({ resourceId: 1, rect: R(0, 0, 1, 1), pixels: px(1) });
    q.push({ resourceId: 2, rect: R(0, 0, 1, 1), pixels: px(1) });
    expect(q.has(1)).toBe(true);
    expect(q.dropResource(1).length).toBe(1);
    expect(q.has(1)).toBe(false);
    expect(q.take().map((w) => w.resourceId)).toEqual([2]);
  });
});

describe("presentRegions", () => {
  const full = R(0, 0, 100, 100);
  const base = { full, damage: [] as ReturnType<typeof R>[], canvasValid: true, cursorNow: null, cursorDrawn: null, cursorChanged: false };
  it("repaints everything when the canvas is not valid", () => {
    expect(presentRegions({ ...base, canvasValid: false, cursorNow: R(1, 1, 4, 4) })).toEqual({ regions: [full], drawCursor: true });
  });
  it("only the damage when the cursor is elsewhere and still", () => {
    const c = R(80, 80, 8, 8);
    expect(presentRegions({ ...base, damage: [R(0, 0, 10, 10)], cursorNow: c, cursorDrawn: c })).toEqual({
      regions: [R(0, 0, 10, 10)],
      drawCursor: false,
    });
  });
  it("damage under the cursor repaints the whole cursor rect and redraws the cursor", () => {
    const c = R(5, 5, 8, 8);
    expect(presentRegions({ ...base, damage: [R(0, 0, 10, 10)], cursorNow: c, cursorDrawn: c })).toEqual({
      regions: [R(0, 0, 10, 10), c],
      drawCursor: true,
    });
  });
  it("a cursor move repaints the old and new rects, clipped to the screen", () => {
    expect(presentRegions({ ...base, cursorNow: R(96, 96, 8, 8), cursorDrawn: R(10, 10, 8, 8), cursorChanged: true })).toEqual({
      regions: [R(10, 10, 8, 8), R(96, 96, 4, 4)],
      drawCursor: true,
    });
  });
  it("hiding the cursor repaints where it was", () => {
    expect(presentRegions({ ...base, cursorDrawn: R(10, 10, 8, 8), cursorChanged: true })).toEqual({
      regions: [R(10, 10, 8, 8)],
      drawCursor: false,
    });
  });
});
