import { describe, expect, it } from "vitest";
import { parseTgsi } from "../parse/parser.ts";
import { interpret, Unsupported } from "./interpreter.ts";

function run(text: string, consts: number[] = []) {
  const p = parseTgsi(text);
  if (!p.ok) throw new Error(p.error.message);
  return interpret(p.value, { consts: new Uint32Array(consts) });
}

describe("reference interpreter", () => {
  it("runs ALU, loops and indirect addressing", () => {
    const r = run(`FRAG
DCL OUT[0], COLOR
DCL CONST[0..3]
DCL TEMP[0..3]
DCL ADDR[0]
IMM[0] UINT32 {0, 1, 5, 0}
  0: MOV TEMP[0], IMM[0].xxxx
  1: MOV TEMP[1].x, IMM[0].xxxx
  2: BGNLOOP
  3: USGE TEMP[2].x, TEMP[1].xxxx, IMM[0].zzzz
  4: UIF TEMP[2].xxxx
  5: BRK
  6: ENDIF
  7: UADD TEMP[0].x, TEMP[0].xxxx, TEMP[1].xxxx
  8: UADD TEMP[1].x, TEMP[1].xxxx, IMM[0].yyyy
  9: ENDLOOP
 10: UARL ADDR[0].x, IMM[0].yyyy
 11: MOV TEMP[0].y, CONST[ADDR[0].x+1].zzzz
 12: MOV OUT[0], TEMP[0]
 13: END`, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42, 0]);
    expect(r.outputs.get(0)).toEqual([10, 42, 0, 0]);
  });

  it("rejects what it cannot run", () => {
    expect(() => run("FRAG\nDCL TEMP[0]\nDCL SAMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0], 2D\n  1: END")).toThrow(Unsupported);
  });
});
