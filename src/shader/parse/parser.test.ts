import { describe, expect, it } from "vitest";
import { parseTgsi } from "./parser.ts";
import type { Program } from "../ir.ts";

function ok(text: string): Program {
  const r = parseTgsi(text);
  if (!r.ok) throw new Error(`${r.error.line}:${r.error.column} ${r.error.message}`);
  return r.value;
}

function err(text: string): { line: number; column: number; message: string } {
  const r = parseTgsi(text);
  if (r.ok) throw new Error("expected a parse error");
  return r.error;
}

describe("parser: headers and declarations", () => {
  it("accepts every stage header", () => {
    for (const s of ["VERT", "FRAG", "GEOM", "TESS_CTRL", "TESS_EVAL", "COMP"]) expect(ok(`${s}\n  0: END\n`).stage).toBe(s);
  });

  it("parses declarations of every kind", () => {
    const p = ok(`FRAG
PROPERTY FS_COORD_ORIGIN LOWER_LEFT
DCL IN[0], POSITION, LINEAR
DCL IN[1].xy, GENERIC[3], PERSPECTIVE, CENTROID
DCL IN[2], COLOR, COLOR
DCL IN[3].x, FACE, CONSTANT
DCL OUT[0], COLOR
DCL OUT[1], POSITION, INVARIANT
DCL CONST[0..3]
DCL CONST[2][0..7]
DCL SAMP[0]
DCL SVIEW[0], SHADOW2D, FLOAT
DCL SVIEW[1], 2D_ARRAY, SINT, SINT, SINT, SINT
DCL TEMP[0..11], ARRAY(1), LOCAL
DCL TEMP[12]
DCL ADDR[0]
DCL SV[0], INSTANCEID
DCL IMAGE[0], 2D, RGBA8, WR
DCL BUFFER[0], ATOMIC
  0: END
`);
    const d = p.declarations;
    expect(p.properties[0]).toMatchObject({ name: "FS_COORD_ORIGIN", value: "LOWER_LEFT" });
    expect(d[0]).toMatchObject({ file: "IN", first: 0, semantic: { name: "POSITION", index: 0 }, interpolation: "LINEAR" });
    expect(d[1]).toMatchObject({ usageMask: 3, semantic: { name: "GENERIC", index: 3 }, location: "CENTROID" });
    expect(d[2]).toMatchObject({ semantic: { name: "COLOR", index: 0 }, interpolation: "COLOR" });
    expect(d[5]).toMatchObject({ invariant: true });
    expect(d[7]).toMatchObject({ file: "CONST", dim: 2, first: 0, last: 7 });
    expect(d[9]).toMatchObject({ target: "SHADOW2D", returnTypes: ["FLOAT", "FLOAT", "FLOAT", "FLOAT"] });
    expect(d[10]).toMatchObject({ target: "2D_ARRAY", returnTypes: ["SINT", "SINT", "SINT", "SINT"] });
    expect(d[11]).toMatchObject({ arrayId: 1, local: true, first: 0, last: 11 });
    expect(d[15]).toMatchObject({ file: "IMAGE", target: "2D", imageFormat: "RGBA8", writable: true });
    expect(d[16]).toMatchObject({ atomic: true });
  });

  it("parses immediates of every type exactly", () => {
    const p = ok(`VERT
IMM[0] FLT32 {0x3f800000, 0xbf800000, 0x7fc00000, 0x00000001}
IMM[1] UINT32 {0, 4294967295, 1065353216, 7}
IMM[2] INT32 {-1, -2147483648, 2147483647, 0}
IMM[3] FLT64 {0x3ff0000000000000, 2.0}
IMM[4] UINT64 {18446744073709551615, 1}
IMM[5] FLT32 {1.5, -0.25, 1e10, 0.0}
  0: END
`);
    expect(p.immediates[0]!.words).toEqual([0x3f800000, 0xbf800000, 0x7fc00000, 1]);
    expect(p.immediates[1]!.words).toEqual([0, 0xffffffff, 1065353216, 7]);
    expect(p.immediates[2]!.words).toEqual([0xffffffff, 0x80000000, 0x7fffffff, 0]);
    expect(p.immediates[3]!.words).toEqual([0, 0x3ff00000, 0, 0x40000000]);
    expect(p.immediates[4]!.words).toEqual([0xffffffff, 0xffffffff, 1, 0]);
    expect(p.immediates[5]!.words[0]).toBe(0x3fc00000);
  });
});

describe("parser: instructions", () => {
  it("parses modifiers, masks, swizzles, saturate/precise and labels", () => {
    const p = ok(`FRAG
DCL TEMP[0..1]
DCL CONST[0..1]
  0: MAD_SAT TEMP[0].xz, -|TEMP[1].yxzw|, CONST[1].x, -TEMP[1]
  1: MAX_PRECISE TEMP[0], TEMP[0], TEMP[1]
  2: UIF TEMP[0].xxxx :4
  3: ELSE :5
  4: ENDIF
  5: END
`);
    const [mad, max, uif] = p.instructions;
    expect(mad).toMatchObject({ opcode: "MAD", saturate: true, precise: false });
    expect(mad!.dst[0]!.writeMask).toBe(5);
    expect(mad!.src[0]).toMatchObject({ negate: true, absolute: true, swizzle: [1, 0, 2, 3] });
    expect(mad!.src[1]!.swizzle).toEqual([0, 0, 0, 0]);
    expect(max).toMatchObject({ opcode: "MAX", precise: true });
    expect(uif).toMatchObject({ opcode: "UIF", label: 4 });
  });

  it("parses indirect addressing, 2-D constants, temp arrays and texture offsets", () => {
    const p = ok(`FRAG
DCL TEMP[0..3], ARRAY(2)
DCL ADDR[0]
DCL CONST[1][0..3]
DCL SAMP[0]
  0: MOV TEMP[ADDR[0].x+1](2).x, CONST[1][ADDR[0].y+2].wwww
  1: MOV TEMP[0], CONST[1][3]
  2: TEX TEMP[1], TEMP[0], SAMP[0], 2D, IMM[0].xyzz
  3: MOV TEMP[2], TEMP[ADDR[0].x-1](2)
  4: END
`);
    const [m0, m1, tex, m3] = p.instructions;
    expect(m0!.dst[0]).toMatchObject({ file: "TEMP", index: 1, arrayId: 2, indirect: { file: "ADDR", index: 0, component: 0 } });
    expect(m0!.src[0]).toMatchObject({ file: "CONST", dim: 1, index: 2, indirect: { component: 1 } });
    expect(m1!.src[0]).toMatchObject({ dim: 1, index: 3, indirect: null });
    expect(tex).toMatchObject({ texTarget: "2D" });
    expect(tex!.texOffsets[0]).toMatchObject({ file: "IMM", index: 0 });
    expect(m3!.src[0]).toMatchObject({ index: -1, arrayId: 2 });
  });

  it("ignores a trailing NUL and what follows", () => {
    expect(ok("VERT\n  0: END\n\0garbage").instructions.length).toBe(1);
  });
});

describe("parser: malformed input gives a located error", () => {
  const cases: [string, string, RegExp][] = [
    ["empty", "", /no header/],
    ["bad header", "PIXEL\n", /shader header/],
    ["truncated", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], ", /expected a register file/],
    ["no END", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0]\n", /no END/],
    ["unknown opcode", "FRAG\n  0: FROB TEMP[0]\n  1: END\n", /unknown opcode 'FROB'/],
    ["bad swizzle", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0].xq\n  1: END\n", /invalid character 'q'/],
    ["5-letter swizzle", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0].xyzwx\n  1: END\n", /more than 4/],
    ["unordered mask", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0].yx, TEMP[0]\n  1: END\n", /xyzw order/],
    ["huge index", "FRAG\nDCL TEMP[0..99999999999]\n  0: END\n", /exceeds the limit/],
    ["huge IN index", "FRAG\nDCL IN[64]\n  0: END\n", /exceeds the limit/],
    ["bad immediate", "FRAG\nIMM[0] FLT32 {0x3f80000000, 0, 0, 0}\n  0: END\n", /invalid FLT32/],
    ["too many imm values", "FRAG\nIMM[0] UINT32 {1, 2, 3, 4, 5}\n  0: END\n", /too many values/],
    ["imm out of sequence", "FRAG\nIMM[3] UINT32 {1}\n  0: END\n", /out of sequence/],
    ["bad file", "FRAG\nDCL FOO[0]\n  0: END\n", /unknown register file/],
    ["bad decl attr", "FRAG\nDCL IN[0], WIBBLE\n  0: END\n", /unexpected declaration attribute/],
    ["missing operand", "FRAG\nDCL TEMP[0]\n  0: ADD TEMP[0], TEMP[0]\n  1: END\n", /expected ','/],
    ["extra operand", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0], TEMP[0]\n  1: END\n", /unexpected operand 'TEMP'/],
    ["missing tex target", "FRAG\nDCL TEMP[0]\nDCL SAMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0]\n  1: END\n", /texture target/],
    ["dst modifier", "FRAG\nDCL TEMP[0]\n  0: MOV -TEMP[0], TEMP[0]\n  1: END\n", /modifiers are not allowed/],
    ["write to IMM", "FRAG\n  0: MOV IMM[0], IMM[0]\n  1: END\n", /cannot write to IMM/],
    ["unclosed abs", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], |TEMP[0]\n  1: END\n", /closing absolute/],
    ["label on MOV", "FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0] :3\n  1: END\n", /takes no label/],
    ["long line", `FRAG\n${"A".repeat(5000)}\n`, /line longer/],
  ];
  for (const [name, text, re] of cases) {
    it(name, () => {
      const e = err(text);
      expect(e.message).toMatch(re);
      expect(e.line).toBeGreaterThan(0);
      expect(e.column).toBeGreaterThan(0);
    });
  }

  it("reports line and column", () => {
    const e = err("FRAG\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0].xq\n  1: END\n");
    expect(e.line).toBe(3);
    expect(e.column).toBe(28); // the offending q
  });

  it("rejects 10 MB of garbage quickly", () => {
    const t0 = performance.now();
    const e = err("x".repeat(10 << 20));
    expect(e.message).toMatch(/more than the limit/);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("rejects 1 MB of random bytes quickly without throwing", () => {
    let seed = 1;
    const chars: string[] = [];
    for (let i = 0; i < 1 << 20; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      chars.push(String.fromCharCode(seed % 128));
    }
    const t0 = performance.now();
    const r = parseTgsi(chars.join(""));
    expect(r.ok).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
