import { describe, expect, it } from "vitest";
import { INTERLEAVED_ATTRIBS, SEPARATE_ATTRIBS, capturedVertices, soLayout, tfPrimitive } from "./streamout.ts";
import { unbindFromUniformBuffers } from "./streamout-capture.ts";

const out = (registerIndex: number, numComponents: number, outputBuffer: number, dstOffset: number, stream = 0) => ({
  registerIndex,
  startComponent: 0,
  numComponents,
  outputBuffer,
  dstOffset,
  stream,
});

describe("stream output layouts", () => {
  it("interleaved into buffer 0 without gaps", () => {
    expect(soLayout({ strides: [7, 0, 0, 0], outputs: [out(1, 4, 0, 0), out(2, 3, 0, 4)] })).toEqual({
      bufferMode: INTERLEAVED_ATTRIBS,
      bindings: [{ buffer: 0, strideBytes: 28 }],
    });
  });
  it("separate buffers, one output each", () => {
    expect(soLayout({ strides: [4, 2, 0, 0], outputs: [out(1, 4, 0, 0), out(2, 2, 1, 0)] })).toEqual({
      bufferMode: SEPARATE_ATTRIBS,
      bindings: [
        { buffer: 0, strideBytes: 16 },
        { buffer: 1, strideBytes: 8 },
      ],
    });
  });
  it("rejects what WebGL cannot express", () => {
    expect(soLayout({ strides: [8, 0, 0, 0], outputs: [out(1, 4, 0, 0)] })).toMatch(/stride/);
    expect(soLayout({ strides: [8, 0, 0, 0], outputs: [out(1, 4, 0, 4)] })).toMatch(/gaps/);
    expect(soLayout({ strides: [4, 4, 0, 0], outputs: [out(1, 4, 0, 0), out(2, 4, 1, 0), out(3, 4, 1, 0)] })).toMatch(/share/);
    expect(soLayout({ strides: [4, 0, 0, 0], outputs: [out(1, 4, 0, 0, 1)] })).toMatch(/streams/);
    expect(soLayout({ strides: [0, 0, 0, 0], outputs: [] })).toMatch(/no stream/);
  });
  it("capture modes and vertex counts", () => {
    expect([0, 1, 4].map(tfPrimitive)).toEqual([0, 1, 4]);
    expect(tfPrimitive(5)).toBeUndefined();
    expect(capturedVertices(4, 7, 1)).toBe(6);
    expect(capturedVertices(1, 5, 3)).toBe(12);
    expect(capturedVertices(0, 5, 2)).toBe(10);
  });
});

describe("capture targets and uniform buffer bindings", () => {
  it("clears exactly the uniform buffer bindings that hold a capture target (WebGL refuses the draw otherwise)", () => {
    const [a, tf, b] = [{ n: "a" }, { n: "tf" }, { n: "b" }] as unknown as WebGLBuffer[];
    const bindings: (WebGLBuffer | null)[] = [a, tf, null, b, tf];
    const gl = {
      bindBuffer: () => {},
      getParameter: () => bindings.length,
      getIndexedParameter: (_p: number, i: number) => bindings[i],
      bindBufferBase: (_t: number, i: number, buf: WebGLBuffer | null) => (bindings[i] = buf),
    } as unknown as WebGL2RenderingContext;
    unbindFromUniformBuffers(gl, [tf]);
    expect(bindings).toEqual([a, null, null, b, null]);
  });
});
