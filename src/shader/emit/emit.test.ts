/**
 * Emitter tests: one small program per opcode family; the GLSL must contain the expected construct and
 * compile with glslangValidator. Unsupported opcodes give a located error.
 */
import { describe, expect, it } from "vitest";
import { translateTgsi } from "../translate.ts";
import { compileAll, hasGlslang } from "../test-util/glslang.ts";

const HEAD = `FRAG
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL CONST[0..3]
DCL SAMP[0..7]
DCL SVIEW[0], 2D, FLOAT
DCL SVIEW[1], SHADOW2D, FLOAT
DCL SVIEW[2], 2D_ARRAY, UINT
DCL SVIEW[3], CUBE, FLOAT
DCL SVIEW[4], 3D, SINT
DCL SVIEW[5], RECT, FLOAT
DCL SVIEW[6], 1D, FLOAT
DCL SVIEW[7], SHADOWCUBE, FLOAT
DCL TEMP[0..7]
DCL ADDR[0]
IMM[0] FLT32 {0x3f800000, 0x40000000, 0xbf000000, 0x00000000}
IMM[1] INT32 {-1, 2, 0, 1}
`;

const families: Record<string, [string, RegExp]> = {
  "indirect files": [
    `UARL ADDR[0].x, CONST[0].xxxx
MOV TEMP[ADDR[0].x+1], IN[ADDR[0].x]
MOV TEMP[0], IMM[ADDR[0].x+1]
MOV OUT[ADDR[0].x], TEMP[ADDR[0].x+2]`,
    /tf\[a0\.x \+ 1\] = ia\[a0\.x\]|webvirgl_imm\[/,
  ],
  "float alu": [
    `ADD TEMP[0], IN[0], CONST[0]
MUL_SAT TEMP[1].xy, TEMP[0], -|IMM[0].zzzz|
MAD TEMP[2], TEMP[0], TEMP[1], IMM[0].xxxx
DP3 TEMP[3].x, TEMP[0], TEMP[1]
RSQ TEMP[3].y, TEMP[3].xxxx
POW TEMP[3].z, TEMP[0].xxxx, TEMP[1].yyyy
LRP TEMP[4], TEMP[0], TEMP[1], TEMP[2]
CMP TEMP[5], TEMP[0], TEMP[1], TEMP[2]
FRC TEMP[6], TEMP[5]
ROUND TEMP[6].xy, TEMP[6]
SLT TEMP[7], TEMP[0], TEMP[1]
DDX TEMP[7].x, IN[0].xxxx
DDY TEMP[7].y, IN[0].yyyy
MOV OUT[0], TEMP[7]`,
    /inversesqrt|dFdy|roundEven|clamp\(/,
  ],
  "integer alu": [
    `UADD TEMP[0], CONST[0], CONST[1]
IDIV TEMP[1], TEMP[0], IMM[1]
UDIV TEMP[1].xy, TEMP[0], CONST[2]
UMOD TEMP[1].z, TEMP[0], CONST[2]
SHL TEMP[2], TEMP[0], IMM[1].yyyy
ISHR TEMP[2].x, TEMP[0], IMM[1].yyyy
USHR TEMP[2].y, TEMP[0], IMM[1].yyyy
INEG TEMP[3], TEMP[2]
NOT TEMP[3].x, TEMP[3]
IMAX TEMP[4], TEMP[3], IMM[1]
UMIN TEMP[4].x, TEMP[3], IMM[1]
I2F TEMP[5], TEMP[4]
U2F TEMP[5].x, TEMP[4]
F2I TEMP[6], IN[0]
F2U TEMP[6].x, IN[0]
IBFE TEMP[6].y, TEMP[0], IMM[1].yyyy, IMM[1].wwww
UBFE TEMP[6].z, TEMP[0], IMM[1].yyyy, IMM[1].wwww
BFI TEMP[6].w, TEMP[0], TEMP[1], IMM[1].yyyy, IMM[1].wwww
POPC TEMP[7].x, TEMP[0]
BREV TEMP[7].y, TEMP[0]
LSB TEMP[7].z, TEMP[0]
IMSB TEMP[7].w, TEMP[0]
UMSB TEMP[7].x, TEMP[0]
UMUL_HI TEMP[7].y, TEMP[0], TEMP[1]
IMUL_HI TEMP[7].z, TEMP[0], TEMP[1]
MOV OUT[0], TEMP[7]`,
    /webvirgl_idiv|webvirgl_umul_hi/,
  ],
  compare: [
    `FSEQ TEMP[0], IN[0], CONST[0]
FSGE TEMP[1].x, IN[0].xxxx, CONST[0].yyyy
ISLT TEMP[2], TEMP[0], IMM[1]
USNE TEMP[3], TEMP[0], TEMP[1]
UCMP TEMP[4], TEMP[3], IMM[0], TEMP[0]
UCMP TEMP[4].x, TEMP[3].xxxx, IMM[0].xxxx, TEMP[0].yyyy
AND TEMP[5], TEMP[4], IMM[0].xxxx
MOV OUT[0], TEMP[5]`,
    /0xffffffffu/,
  ],
  "control flow": [
    `UARL ADDR[0].x, CONST[0].xxxx
MOV TEMP[0], CONST[ADDR[0].x+1]
BGNLOOP
  FSGE TEMP[1].x, TEMP[0].xxxx, IMM[0].yyyy
  UIF TEMP[1].xxxx
    BRK
  ELSE
    ADD TEMP[0].x, TEMP[0].xxxx, IMM[0].xxxx
  ENDIF
  IF TEMP[0].yyyy
    CONT
  ENDIF
ENDLOOP
SWITCH TEMP[0].xxxx
CASE IMM[1].yyyy
  MOV TEMP[0], IMM[0]
  BRK
DEFAULT
  BRK
ENDSWITCH
KILL_IF -TEMP[0].xxxx
UIF TEMP[1].xxxx
  KILL
ENDIF
MOV OUT[0], TEMP[0]`,
    /for \(;;\)|discard/,
  ],
  texture: [
    `TEX TEMP[0], IN[0], SAMP[0], 2D
TXB TEMP[1], IN[0], SAMP[0], 2D
TXL TEMP[1].xy, IN[0], SAMP[0], 2D
TXP TEMP[2], IN[0], SAMP[0], 2D
TXD TEMP[2], IN[0], IN[0], IN[0], SAMP[0], 2D
TEX TEMP[3].x, IN[0], SAMP[1], SHADOW2D
TXL TEMP[3].y, IN[0], SAMP[1], SHADOW2D
TXF TEMP[4], IMM[1], SAMP[2], 2D_ARRAY
TEX TEMP[5], IN[0], SAMP[3], CUBE
TXF TEMP[6], IMM[1], SAMP[4], 3D
TEX TEMP[6], IN[0], SAMP[5], RECT
TXQ TEMP[7], IMM[1].wwww, SAMP[0], 2D
TXQ TEMP[7], IMM[1].wwww, SAMP[4], 3D
TEX TEMP[7], IN[0], SAMP[0], 2D, IMM[1].xyzz
TXF TEMP[7], IMM[1], SAMP[0], 2D, IMM[1].yxzz
TEX TEMP[7], IN[0], SAMP[6], 1D
TXB TEMP[7], IN[0], SAMP[7], SHADOWCUBE
TXL TEMP[7], IN[0], SAMP[7], SHADOWCUBE
MOV OUT[0], TEMP[7]`,
    /texelFetch|textureOffset|textureGrad|textureSize/,
  ],
  // multisample views read the resolved copy: texelFetch at LOD 0 whatever the sample index;
  // texture buffers read a 2D mirror row by row
  multisample: [
    `TXF TEMP[0], IMM[1], SAMP[0], 2D_MSAA
TXF TEMP[1], IMM[1], SAMP[2], 2D_ARRAY_MSAA
TXQ TEMP[2], IMM[1].wwww, SAMP[0], 2D_MSAA
ADD TEMP[0], TEMP[0], TEMP[2]
TXF TEMP[3], IMM[1], SAMP[4], BUFFER
TXQ TEMP[2], IMM[1].wwww, SAMP[4], BUFFER
ADD TEMP[0], TEMP[3], TEMP[2]
MOV OUT[0], TEMP[0]`,
    /texelFetch\(webvirgl_fs_samp0, ic_\.xy, 0\)[\s\S]*texelFetch\(webvirgl_fs_samp2, ic_\.xyz, 0\)[\s\S]*textureSize\(webvirgl_fs_samp0, 0\)[\s\S]*int tbw_ = textureSize\(webvirgl_fs_samp4, 0\)\.x;[\s\S]*texelFetch\(webvirgl_fs_samp4, ivec2\(ic_\.x % tbw_, ic_\.x \/ tbw_\), 0\)/,
  ],
};

describe("emitters", () => {
  const glsl: { name: string; stage: "frag"; glsl: string }[] = [];
  for (const [name, [body, re]] of Object.entries(families)) {
    it(`emits ${name}`, () => {
      const text = `${HEAD}${body.split("\n").map((l, i) => `  ${i}: ${l.trim()}`).join("\n")}\n  999: END\n`;
      const r = translateTgsi(text, { samplers: [{ swizzle: [2, 1, 0, 5] }] });
      if (!r.ok) throw new Error(`${r.error.line}:${r.error.column} ${r.error.message}`);
      expect(r.glsl).toMatch(re);
      glsl.push({ name, stage: "frag", glsl: r.glsl });
    });
  }
  it("all emitted programs compile", async () => {
    expect(hasGlslang()).toBe(true);
    const errors = await compileAll(glsl, 1);
    expect([...errors]).toEqual([]);
    expect(glsl.length).toBe(Object.keys(families).length);
  });

  it("sRGB write conversion per colour buffer (colorOutputSrgb) compiles and touches only RGB", async () => {
    const text = `FRAG\nPROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\nDCL IN[0], GENERIC[0], PERSPECTIVE\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n`;
    const r = translateTgsi(text, { nrCbufs: 3, colorOutputSrgb: ["decode", undefined, "encode"] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.glsl).toMatch(/webvirgl_fragcolor0 = webvirgl_srgb_decode\(/);
    expect(r.glsl).toMatch(/webvirgl_fragcolor1 = (?!webvirgl_srgb)/);
    expect(r.glsl).toMatch(/webvirgl_fragcolor2 = webvirgl_srgb_encode\(/);
    expect((r.glsl.match(/vec4 webvirgl_srgb_decode\(/g) ?? []).length).toBe(1);
    expect([...(await compileAll([{ name: "srgb", stage: "frag", glsl: r.glsl }], 1))]).toEqual([]);
  });

  it("reports unsupported opcodes and targets with a location", () => {
    const r = translateTgsi(`${HEAD}  0: LODQ TEMP[0], IN[0], SAMP[0], 2D\n  1: END\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toMatch(/LODQ is not supported/);
      expect(r.error.line).toBe(18);
    }
    const ms = translateTgsi(`${HEAD}  0: TEX TEMP[0], IN[0], SAMP[0], 2D_MSAA\n  1: END\n`);
    expect(ms.ok || ms.error.message).toMatch(/TEX is not allowed with 2D_MSAA/);
    const g = translateTgsi("GEOM\n  0: END\n");
    expect(g.ok || g.error.message).toMatch(/GEOM shaders are not supported/);
    const k = translateTgsi("VERT\n  0: KILL\n  1: END\n");
    expect(k.ok || k.error.message).toMatch(/KILL outside a fragment/);
  });
});
