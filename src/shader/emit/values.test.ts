import { describe, expect, it } from "vitest";
import { conv, literal, splat, typeName } from "./values.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

describe("emit/values", () => {
  it("float literals denote exactly the immediate's float", () => {
    for (const bits of [0x3f800000, 0xbf800000, 0x3dcccccd, 0x7f7fffff, 0x00800000, 0x3eaaaaab, 0x4b000001, 0x5d5e0b6b]) {
      const lit = literal(bits, "f").replace(/[()]/g, "");
      u32[0] = bits;
      expect(Math.fround(Number(lit))).toBe(f32[0]);
    }
  });

  it("NaN, Inf, -0 and denormals keep their bit pattern", () => {
    expect(literal(0x7fc00000, "f")).toBe("uintBitsToFloat(0x7fc00000u)");
    expect(literal(0xff800000, "f")).toBe("uintBitsToFloat(0xff800000u)");
    expect(literal(0x80000000, "f")).toBe("uintBitsToFloat(0x80000000u)");
    expect(literal(0x00000001, "f")).toBe("uintBitsToFloat(0x1u)");
  });

  it("integer literals", () => {
    expect(literal(0xffffffff, "u")).toBe("4294967295u");
    expect(literal(0xffffffff, "i")).toBe("(-1)");
    expect(literal(0x80000000, "i")).toBe("int(0x80000000u)");
    expect(literal(7, "i")).toBe("7");
  });

  it("conversions preserve bits", () => {
    expect(conv({ code: "x", kind: "u", n: 4 }, "f").code).toBe("uintBitsToFloat(x)");
    expect(conv({ code: "x", kind: "f", n: 2 }, "i").code).toBe("floatBitsToInt(x)");
    expect(conv({ code: "x", kind: "i", n: 3 }, "u").code).toBe("uvec3(x)");
    expect(conv({ code: "b", kind: "b", n: 2 }, "u").code).toBe("(uvec2(b) * 0xffffffffu)");
    expect(splat({ code: "s", kind: "f", n: 1 }, 3).code).toBe("vec3(s)");
    expect(typeName("i", 1)).toBe("int");
  });
});
