import { describe, expect, it } from "vitest";
import { isSoftwareRenderer, resolvePresentMode } from "./present-mode.ts";

// Renderer strings as browsers report them (UNMASKED_RENDERER_WEBGL).
const SWIFTSHADER = "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)";
const LLVMPIPE = "llvmpipe (LLVM 15.0.6, 256 bits)";
const INTEL = "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)";
const NVIDIA = "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)";

describe("present mode choice", () => {
  it("recognises software rasterizers", () => {
    expect(isSoftwareRenderer(SWIFTSHADER)).toBe(true);
    expect(isSoftwareRenderer(LLVMPIPE)).toBe(true);
    expect(isSoftwareRenderer(INTEL)).toBe(false);
    expect(isSoftwareRenderer(NVIDIA)).toBe(false);
  });

  it("auto reads back on a software renderer and keeps the damage mode on a GPU", () => {
    expect(resolvePresentMode("auto", SWIFTSHADER)).toBe("readback");
    expect(resolvePresentMode("auto", LLVMPIPE)).toBe("readback");
    expect(resolvePresentMode("auto", INTEL)).toBe("damage");
  });

  it("an explicit mode is kept whatever the renderer", () => {
    for (const mode of ["composite", "damage", "readback"] as const) {
      expect(resolvePresentMode(mode, SWIFTSHADER)).toBe(mode);
      expect(resolvePresentMode(mode, NVIDIA)).toBe(mode);
    }
  });
});
