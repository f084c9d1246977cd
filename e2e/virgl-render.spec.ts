/**
 * virgl renderer e2e: headless Chromium (SwiftShader WebGL2), the renderer driven by encoder-built
 * command streams through test/pages/virgl.ts. Pixels are compared exactly.
 */
import { expect, test, type Page } from "@playwright/test";

async function open(page: Page): Promise<void> {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.log(`[page ${m.type()}] ${m.text()}`);
  });
  page.on("pageerror", (e) => console.log(`[page exception] ${e.message}`));
  await page.goto("/test/pages/virgl.html");
  await page.waitForFunction(() => window.virglHarness !== undefined);
}

test.describe.configure({ mode: "serial" });

test("caps come from the real context", async ({ page }) => {
  await open(page);
  const caps = await page.evaluate(() => window.virglHarness.caps());
  expect(caps.v1).toBe(308);
  expect(caps.v2).toBe(1376);
  expect(caps.renderer.length).toBeGreaterThan(0);
  expect(caps.sampler).toBeGreaterThan(60);
  expect(caps.render).toBeGreaterThan(20);
  expect(caps.readback).toBeGreaterThan(10);
  console.log(`caps: ${JSON.stringify(caps)}`);
});

test("CLEAR then TRANSFER3D FROM_HOST returns exact colours (RGBA8, BGRA8, BGRX8)", async ({ page }) => {
  await open(page);
  const rgba = await page.evaluate(() => window.virglHarness.clear(67, [1, 0.5, 0, 1]));
  expect(rgba.error).toBeUndefined();
  expect(rgba.bytes.length).toBe(8 * 4 * 4);
  for (let i = 0; i < rgba.bytes.length; i += 4) expect(rgba.bytes.slice(i, i + 4)).toEqual([255, 128, 0, 255]);
  const bgra = await page.evaluate(() => window.virglHarness.clear(1, [1, 0.5, 0, 0.25]));
  expect(bgra.error).toBeUndefined();
  expect(bgra.bytes.slice(0, 4)).toEqual([0, 128, 255, 64]); // B G R A in memory
  expect(bgra.bytes.slice(-4)).toEqual([0, 128, 255, 64]);
  const bgrx = await page.evaluate(() => window.virglHarness.clear(2, [0, 0, 1, 1]));
  expect(bgrx.bytes.slice(0, 3)).toEqual([255, 0, 0]);
});

test("TRANSFER3D TO_HOST with a strided guest layout round-trips", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.uploadRoundTrip());
  expect(r.error).toBeUndefined();
  expect(r.plannedReads).toBe(1);
  expect(r.same).toBe(true);
  expect(r.firstPixel).toEqual([1, 4, 7, 10]);
});

test("buffers: inline write, copy region, COPY_TRANSFER3D read-back into staging", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.buffers());
  expect(r.error).toBeUndefined();
  expect(r.staging).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
});

test("BLIT scales a cleared texture into another", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.blit());
  expect(r.error).toBeUndefined();
  const px = (x: number, y: number) => r.bytes.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 4);
  expect(px(0, 0)).toEqual([0, 255, 0, 255]);
  expect(px(1, 1)).toEqual([0, 255, 0, 255]);
  expect(px(3, 3)).toEqual([0, 0, 0, 0]); // outside the 2×2 destination box: still zero-filled
});

test("errors name the command and stop the submit", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.errors());
  expect(r.noSub).toMatch(/CLEAR: no current sub-context/);
  expect(r.unattached).toMatch(/CREATE_SURFACE: resource 99 is not attached/);
  expect(r.executedBefore).toBe(2);
  expect(r.firstError).toMatch(/sub-context/);
});

test("reset frees every WebGL object it created", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.lifetime());
  expect(r.error).toBeUndefined();
  // 2 textures; 3 resource buffers + the draw path's element buffer; context FBO + scratch read FBO;
  // the draw path's VAO and the linked program (shader objects are deleted right after linking)
  expect(r.during).toEqual({ texture: 2, buffer: 4, framebuffer: 2, vertexArray: 1, program: 1 });
  expect(r.programsAfterShaderDestroy).toBe(0);
  expect(r.afterReset).toEqual({ framebuffer: 1 }); // only the renderer's own scratch FBO
  expect(r.afterDispose).toBe(0);
});

test("DRAW_VBO: a TGSI triangle lands inside, the clear colour stays outside", async ({ page }) => {
  await open(page);
  const ORANGE = [255, 128, 0, 255];
  const BLUE = [0, 0, 255, 255];
  // pixel centres (x + .5, y + .5), away from the diagonal edges
  const probes: [number, number][] = [
    [2, 1],
    [14, 15],
    [1, 13],
    [13, 1],
  ];
  const plain = await page.evaluate((p) => window.virglHarness.triangle({ yflip: false, indexed: false }, p), probes);
  expect(plain.error).toBeUndefined();
  expect(plain.skipped).toEqual({});
  // corners at window (0,0), (16,0), (0,16): inside where x + y < 16
  expect(plain.px).toEqual([ORANGE, BLUE, ORANGE, ORANGE]);
  const flipped = await page.evaluate((p) => window.virglHarness.triangle({ yflip: true, indexed: true }, p), probes);
  expect(flipped.error).toBeUndefined();
  // negative viewport y scale: corners at (0,16), (16,16), (0,0): inside where x < y
  expect(flipped.px).toEqual([BLUE, ORANGE, ORANGE, BLUE]);
});

test("occlusion queries deliver virgl_host_query_state through deferred backing writes", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.occlusion());
  expect(r.error).toBeUndefined();
  expect(r.deferred).toBe(2); // two WebGL queries pending until settle()
  expect(r.visible).toEqual([1, 8, 1, 0]); // DONE, 8-byte result, samples passed (0/1 like vrend on GLES)
  expect(r.hidden).toEqual([1, 8, 0, 0]);
});

test("multisample resources: 4x renderbuffer, resolved by BLIT and on readback (edge pixels are partial coverage)", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.msaa());
  expect(r.error).toBeUndefined();
  expect(r.liveRenderbuffers).toBe(1);
  const px = (a: number[], x: number, y: number): number[] => a.slice((y * 16 + x) * 4, (y * 16 + x) * 4 + 4);
  for (const img of [r.blitted, r.direct]) {
    expect(px(img, 2, 2)).toEqual([255, 128, 0, 255]); // inside the lower-left triangle: (1, 0.5, 0) colour
    expect(px(img, 13, 13)).toEqual([0, 0, 255, 255]); // outside: the blue clear
    // the diagonal edge (x + y = 15 pixel centres lie on it): samples split between triangle and
    // clear, so the resolve averages them — impossible without multisampling
    const edge = Array.from({ length: 16 }, (_, x) => px(img, x, 15 - x));
    expect(edge.some(([red, , blue]) => red > 30 && red < 225 && blue > 30 && blue < 225)).toBe(true);
  }
  expect(r.direct).toEqual(r.blitted);
});

test("texture buffers: a buffer sampler view is fetched through its 2D mirror (row wrap, first element)", async ({ page }) => {
  await open(page);
  for (const [index, element] of [[5, 105], [2500, 2600], [2899, 2999]]) {
    const r = await page.evaluate((i) => window.virglHarness.textureBuffer(i), index);
    expect(r.error).toBeUndefined();
    expect(r.px).toEqual([element & 255, element >> 8, 7, 255]);
  }
});

test("conditional rendering: draws and clears follow occlusion predicates; WAIT on a same-submit query suspends the stream until the result", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.conditionalRender());
  expect(r.error).toBeUndefined();
  const drawn = [255, 128, 0, 255];
  const black = [0, 0, 0, 255];
  expect(r.cases.visibleQuery).toEqual(drawn);
  expect(r.cases.hiddenQuery).toEqual(black); // result 0: skipped
  expect(r.cases.hiddenQueryInverted).toEqual(drawn); // inverted condition
  expect(r.cases.hiddenQueryNoWait).toEqual(black); // result known: NO_WAIT skips too
  expect(r.cases.hiddenQueryClear).toEqual(black); // CLEAR is conditional as well
  // a query ended in the same submit: WAIT suspends the stream at the draw (the submit owes deferred
  // work) and resumes it once the result (0) is known → skipped, exactly; NO_WAIT renders at once
  expect(r.cases.sameSubmitWait).toEqual(black);
  expect(r.cases.sameSubmitNoWait).toEqual(drawn);
  expect(r.deferredAtSubmit).toEqual([0, 0, 0, 0, 0, 1, 0]);
  expect([r.stats.skipped, r.stats.unresolved]).toEqual([4, 1]);
  expect(r.stats.suspended).toBeGreaterThanOrEqual(1); // each poll before the result re-checks once
});

test("textured draw: BGRA8 texels land in order; L8 samples as grey with alpha 1; X8 alpha is 1", async ({ page }) => {
  await open(page);
  // guest BGRA texels: red, green / blue, white (row 0 first)
  const bgra = await page.evaluate(() =>
    window.virglHarness.textured(1, [0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255, 255, 255, 255, 128], 4),
  );
  expect(bgra.error).toBeUndefined();
  expect(bgra.px).toEqual([
    [255, 0, 0, 255],
    [0, 255, 0, 255],
    [0, 0, 255, 255],
    [255, 255, 255, 128],
  ]);
  const l8 = await page.evaluate(() => window.virglHarness.textured(9, [10, 20, 30, 40], 1));
  expect(l8.error).toBeUndefined();
  expect(l8.px).toEqual([
    [10, 10, 10, 255],
    [20, 20, 20, 255],
    [30, 30, 30, 255],
    [40, 40, 40, 255],
  ]);
  const bgrx = await page.evaluate(() => window.virglHarness.textured(2, [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0], 4));
  expect(bgrx.px[0]).toEqual([3, 2, 1, 255]);
});

test("scanout: a window-system (y-flipped) triangle comes out upright, top scanline first", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.scanout());
  expect(r.error).toBeUndefined();
  expect(r.source).toEqual({ width: 16, height: 16, rowZeroIsTop: true, alphaIsOne: false });
  // NDC triangle (-1,-1) (1,-1) (-1,1) is the bottom-left half on screen: wide at the bottom
  expect(r.rows).toEqual([
    [0, 0],
    [5, 5],
    [10, 10],
    [15, 15],
  ]);
});

test("scanout: RGBA8-stored colour resources are shown directly; texelFetch of their texture equals the scanout", async ({ page }) => {
  await open(page);
  // 67 R8G8B8A8, 1 B8G8R8A8, 2 B8G8R8X8 (what Mesa scans out), 134 R8G8B8X8
  for (const format of [67, 1, 2, 134]) {
    const r = await page.evaluate((f) => window.virglHarness.directScanout(f), format);
    expect(r.error, `format ${format}`).toBeUndefined();
    expect(r.direct, `format ${format}`).toBe(true);
    expect(r, `format ${format}`).toMatchObject({ pixels: 256, mismatches: 0 });
  }
});

test("fuzz: mutated command streams against the real renderer never throw out of submit()", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.fuzz(0x5eed, 400));
  expect(r.escaped).toEqual([]);
  expect(r.errors).toBeGreaterThan(50);
  expect(r.executed).toBeGreaterThan(1000);
  expect(r.healthy).toBe(true);
});

test("stream output: captured varyings land in the target buffer, appends continue, overflow is dropped", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.streamout());
  expect(r.error).toBeUndefined();
  const yellow = [1, 1, 0, 1];
  expect(r.floats).toEqual([...yellow, ...yellow, ...yellow, ...yellow, ...yellow, ...yellow]);
});

test("stream output of an indexed triangle strip: decomposed into triangles in GL order; PRIMITIVES_GENERATED counts them", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.streamoutStrip());
  expect(r.error).toBeUndefined();
  const [v0, v1, v2] = [[-1, -1, 0, 1], [1, -1, 0, 1], [-1, 1, 0, 1]];
  // strip [0, 1, 2, 0]: triangle 0 = (0, 1, 2); triangle 1 (odd) = (s2, s1, s3) = (2, 1, 0)
  expect(r.floats).toEqual([...v0, ...v1, ...v2, ...v2, ...v1, ...v0]);
  expect(r.generated).toBe(2);
});

test("stencil readback (stencil-test sweep) and a stencil BLIT within one texture", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.stencilReadback());
  expect(r.error).toBeUndefined();
  expect(r.skipped).toEqual({});
  expect(r.inside).toBe(0xa7);
  expect(r.outsideBefore).toBe(0x3c);
  expect(r.outsideAfter).toBe(0xa7);
});

test("polygon mode POINT and LINE (emulated: WebGL only fills)", async ({ page }) => {
  await open(page);
  const points = await page.evaluate(() => window.virglHarness.polygonMode(2));
  expect(points.error).toBeUndefined();
  expect(points.lit).toEqual({ "1,1": true, "12,1": true, "1,12": true, "6,1": false, "1,6": false, "4,4": false });
  const lines = await page.evaluate(() => window.virglHarness.polygonMode(1));
  expect(lines.error).toBeUndefined();
  // mid-edge pixels drawn, interior not (line end pixels depend on the diamond-exit rule)
  expect([lines.lit["6,1"], lines.lit["1,6"], lines.lit["4,4"]]).toEqual([true, true, false]);
});

test("BGRA vertex colours (B8G8R8A8_UNORM attributes) are reordered", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.bgraVertices());
  expect(r.error).toBeUndefined();
  expect(r.px).toEqual([255, 128, 0, 255]);
});

test("uniform buffers: SET_UNIFORM_BUFFER binds a buffer range as a UBO", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.ubo());
  expect(r.error).toBeUndefined();
  expect(r.px).toEqual([0, 255, 0, 255]); // yellow × (0, 1, 1, 1)
});

test("depth test on a Z24S8 surface (LESS/GREATER), depth BLIT and depth readback", async ({ page }) => {
  await open(page);
  const r = await page.evaluate(() => window.virglHarness.depth());
  expect(r.error).toBeUndefined();
  expect(r.less).toEqual([255, 128, 0, 255]);
  expect(r.greater).toEqual([0, 255, 0, 255]);
  expect(r.skipped).toEqual({});
  // depth BLIT to a second texture, read back through the depth shader path: the GREATER draw
  // wrote window z .75; the clear left 1.0
  expect(Math.abs(r.depthInside - 0.75 * 0xffffff)).toBeLessThanOrEqual(1); // rasterizer rounding
  expect(r.depthOutside).toBe(0xffffff);
});

for (const name of [
  "glxinfo.vtstream.gz",
  "glxgears.vtstream.gz",
  "es2gears.vtstream.gz",
  "piglit-glsl-fs-flat-color.vtstream.gz",
  "piglit-gl-1.0-textured-triangle.vtstream.gz",
  "piglit-gl-2.0-vertexattribpointer.vtstream.gz",
  "piglit-fragment-center.vtstream.gz",
  "piglit-gl-1.0-readpixsanity.vtstream.gz",
  "piglit-vbo-subdata-sync.vtstream.gz",
  "piglit-shader-chained-assignment.vtstream.gz",
]) {
  test(`replay of recorded Mesa traffic: ${name}`, async ({ page }) => {
    await open(page);
    const r = await page.evaluate((n) => window.virglHarness.replay(n), name);
    console.log(`${name}: ${JSON.stringify({ ...r, errors: r.errors.slice(0, 5) })}`);
    expect(r.submits).toBeGreaterThan(0);
    expect(r.errors).toEqual([]);
    if (name === "piglit-glsl-fs-flat-color.vtstream.gz") {
      // the whole 160×160 RGBA8 window is green, as the piglit test expects
      expect(r.lastGet?.top).toEqual([["0,255,0,255", 160 * 160]]);
    }
    if (name === "glxgears.vtstream.gz" || name === "es2gears.vtstream.gz") {
      // last presented 300×300 B8G8R8A8 frame: black background + the three lit gear colours
      const colours = new Map(r.lastGet?.top ?? []);
      expect(colours.get("0,0,0,0")).toBeLessThan(300 * 300 - 15000);
      for (const c of ["0,24,193,255", "48,193,0,255", "242,48,48,255"]) expect(colours.get(c) ?? 0).toBeGreaterThan(1000);
    }
  });
}
