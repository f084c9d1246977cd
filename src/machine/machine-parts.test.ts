import { describe, expect, it } from "vitest";
import { demoKernelArgs, DEMOS, getDemo, isDemoName } from "./demos.ts";
import { GuestGlInfoParser } from "./guest-gl-info.ts";
import { countCommands } from "./virgl-traffic.ts";

describe("demos", () => {
  it("every demo has kernel args naming its run; glmark2 presets carry the visual config", () => {
    for (const demo of DEMOS) expect(demoKernelArgs(demo)[0]).toBe(`webvirgl.run=${demo.run}`);
    expect(demoKernelArgs(getDemo("glmark2-build"))[1]).toMatch(/^webvirgl\.args="--visual-config r=8:g=8:b=8:a=0 -b build:/);
    expect(demoKernelArgs(getDemo("kmscube"))).toEqual(["webvirgl.run=kmscube"]);
    expect(isDemoName("nope")).toBe(false);
  });
});

describe("GuestGlInfoParser", () => {
  it("reads glinfo, preferring the GLES 2 line", () => {
    const p = new GuestGlInfoParser();
    p.pushLine("glinfo: api=gl-core vendor=Mesa renderer=virgl (ANGLE) version=4.3 (Core Profile) Mesa 22.3.6 glsl=4.30");
    p.pushLine("glinfo: api=gles2 vendor=Mesa renderer=virgl (ANGLE) version=OpenGL ES 3.2 Mesa 22.3.6 glsl=3.20");
    expect(p.info).toEqual({ renderer: "virgl (ANGLE)", version: "OpenGL ES 3.2 Mesa 22.3.6", source: "glinfo" });
  });
  it("reads kmscube's block and glmark2's lines", () => {
    const p = new GuestGlInfoParser();
    for (const l of ["OpenGL ES 2.x information:", '  version: "OpenGL ES 3.2 Mesa 22.3.6"', '  renderer: "virgl (SwiftShader)"', "Rendered 10 frames"]) p.pushLine(l);
    expect(p.info).toEqual({ renderer: "virgl (SwiftShader)", version: "OpenGL ES 3.2 Mesa 22.3.6", source: "kmscube" });
    const g = new GuestGlInfoParser();
    g.pushLine("    GL_RENDERER:   llvmpipe");
    g.pushLine("    GL_VERSION:    OpenGL ES 3.2 Mesa");
    expect(g.info).toEqual({ renderer: "llvmpipe", version: "OpenGL ES 3.2 Mesa", source: "glmark2" });
  });
});

describe("countCommands", () => {
  it("walks command headers (cmd | obj << 8 | len << 16)", () => {
    const hdr = (cmd: number, len: number) => (cmd | (len << 16)) >>> 0;
    const words = Uint32Array.from([hdr(7, 8), 0, 0, 0, 0, 0, 0, 0, 0, hdr(8, 2), 1, 2, hdr(0, 0), hdr(8, 1), 5]);
    expect(countCommands(words)).toEqual({ commands: 3, draws: 2, clears: 1 });
  });
});
