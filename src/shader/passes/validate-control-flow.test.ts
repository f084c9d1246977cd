import { describe, expect, it } from "vitest";
import { validateControlFlow } from "./validate-control-flow.ts";
import { passError, prog } from "./test-helpers.ts";

const wrap = (body: string): string => `FRAG\nDCL TEMP[0]\n${body}\n`;

describe("validate-control-flow", () => {
  it("accepts nested IF/ELSE/loops/switch and returns the main END", () => {
    const p = prog(wrap(`UIF TEMP[0].xxxx :3
BGNLOOP :5
BRK
CONT
ENDLOOP :2
ELSE :6
SWITCH TEMP[0].xxxx
CASE IMM[0].xxxx
BRK
DEFAULT
BRK
ENDSWITCH
ENDIF
END
BGNSUB
RET
ENDSUB`).replace("DCL TEMP[0]", "DCL TEMP[0]\nIMM[0] INT32 {1, 0, 0, 0}"));
    expect(validateControlFlow(p)).toBe(13);
  });

  const bad: [string, string, RegExp][] = [
    ["ELSE without IF", "ELSE\nEND", /ELSE without/],
    ["ENDIF without IF", "ENDIF\nEND", /ENDIF without/],
    ["unclosed IF", "UIF TEMP[0].xxxx\nEND", /END inside an open if/],
    ["ENDLOOP closes IF", "UIF TEMP[0].xxxx\nENDLOOP\nEND", /ENDLOOP without/],
    ["BRK outside loop", "BRK\nEND", /BRK outside/],
    ["CONT outside loop", "CONT\nEND", /CONT outside/],
    ["CASE outside switch", "CASE TEMP[0].xxxx\nEND", /CASE outside/],
    ["code after END", "END\nMOV TEMP[0], TEMP[0]", /after END/],
    ["deep nesting", `${"BGNLOOP\n".repeat(70)}END`, /nested deeper/],
  ];
  for (const [name, body, re] of bad) {
    it(`rejects ${name}`, () => expect(passError(() => validateControlFlow(prog(wrap(body))))).toMatch(re));
  }
});
