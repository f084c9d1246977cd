import { describe, expect, it } from "vitest";
import { parseGlmark2 } from "../../bench/lib/glmark2-output.ts";

// Lines as glmark2-es2-drm prints them on the guest's serial console (bench/glmark2.ts reads them).
const OUTPUT = [
  "=======================================================",
  "    glmark2 2023.01",
  "=======================================================",
  "    OpenGL Information",
  "    GL_VENDOR:      Mesa",
  "    GL_RENDERER:    virgl (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Sub...)",
  "    GL_VERSION:     OpenGL ES 3.0 Mesa 22.3.6",
  "=======================================================",
  "[build] duration=4:use-vbo=false: FPS: 1 FrameTime: 4671.018 ms",
  "[effect2d] duration=4:kernel=0,1,0;1,-4,1;0,1,0;: FPS: 3 FrameTime: 333.255 ms",
  "[terrain] duration=4: Unsupported",
  "=======================================================",
  "                                  glmark2 Score: 2 ",
  "=======================================================",
].join("\r\n");

describe("parseGlmark2", () => {
  it("reads scenes, their options, fps and frame time, unsupported scenes, the score and renderer", () => {
    const out = parseGlmark2(OUTPUT);
    expect(out.score).toBe(2);
    expect(out.glRenderer).toBe("virgl (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Sub...)");
    expect(out.scenes).toEqual([
      { scene: "build", options: "duration=4:use-vbo=false", fps: 1, frameTimeMs: 4671.018, status: null },
      { scene: "effect2d", options: "duration=4:kernel=0,1,0;1,-4,1;0,1,0;", fps: 3, frameTimeMs: 333.255, status: null },
      { scene: "terrain", options: "duration=4", fps: null, frameTimeMs: null, status: "Unsupported" },
    ]);
  });

  it("has no score before glmark2 finished", () => {
    expect(parseGlmark2("[build] use-vbo=false: FPS: 12 FrameTime: 83.333 ms").score).toBeNull();
  });
});
