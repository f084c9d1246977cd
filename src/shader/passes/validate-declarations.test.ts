import { describe, expect, it } from "vitest";
import { validateDeclarations } from "./validate-declarations.ts";
import { passError, prog } from "./test-helpers.ts";

describe("validate-declarations", () => {
  it("builds the tables", () => {
    const t = validateDeclarations(prog(`FRAG
DCL TEMP[0..3], ARRAY(1)
DCL TEMP[4]
DCL CONST[0..2]
DCL CONST[1][0..9]
  0: MOV TEMP[4], CONST[1][9]
  1: END`));
    expect(t.tempArrays.get(1)).toMatchObject({ first: 0, last: 3 });
    expect(t.constSizes.get(0)).toBe(3);
    expect(t.constSizes.get(1)).toBe(10);
  });

  const bad: [string, string, RegExp][] = [
    ["undeclared temp", "DCL TEMP[0]\n  0: MOV TEMP[1], TEMP[0]\n  1: END", /TEMP\[1\] is not declared/],
    ["undeclared input", "DCL TEMP[0]\n  0: MOV TEMP[0], IN[2]\n  1: END", /IN\[2\] is not declared/],
    ["undefined immediate", "DCL TEMP[0]\n  0: MOV TEMP[0], IMM[0]\n  1: END", /IMM\[0\] is not defined/],
    ["undeclared const buffer", "DCL TEMP[0]\n  0: MOV TEMP[0], CONST[3][0]\n  1: END", /constant buffer 3/],
    ["double declaration", "DCL TEMP[0..2]\nDCL TEMP[2]\n  0: END", /declared twice/],
    ["undeclared address", "DCL TEMP[0..2]\nDCL CONST[0..3]\n  0: MOV TEMP[0], CONST[ADDR[0].x]\n  1: END", /address register/],
    ["element outside array", "DCL TEMP[0..2], ARRAY(1)\nDCL TEMP[3]\n  0: MOV TEMP[3], TEMP[3](1)\n  1: END", /outside array/],
  ];
  for (const [name, body, re] of bad) {
    it(`rejects ${name}`, () => expect(passError(() => validateDeclarations(prog(`FRAG\n${body}\n`)))).toMatch(re));
  }
});
