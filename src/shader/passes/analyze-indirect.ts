/**
 * Pass: find which register files are indirectly addressed, so the emitter knows which ones must live in
 * GLSL arrays (TEMP without ARRAY id → whole file `tf[]`, IN → `ia[]`, OUT → `oa[]`, IMM → const array).
 */
import type { Program } from "../ir.ts";
import { fail } from "./fail.ts";

export interface IndirectUsage {
  tempFile: boolean;
  inFile: boolean;
  outFile: boolean;
  immFile: boolean;
}

export function analyzeIndirect(prog: Program, tempArrayIds: ReadonlySet<number>, arrayTemps: ReadonlySet<number>): IndirectUsage {
  const u: IndirectUsage = { tempFile: false, inFile: false, outFile: false, immFile: false };
  for (const inst of prog.instructions) {
    for (const r of [...inst.dst, ...inst.src]) {
      if (!r.indirect) continue;
      switch (r.file) {
        case "TEMP":
          if (r.arrayId === null && !arrayTemps.has(r.index)) u.tempFile = true;
          else if (r.arrayId !== null && !tempArrayIds.has(r.arrayId)) fail(inst.loc, `TEMP array ${r.arrayId} is not declared`);
          break;
        case "IN":
          u.inFile = true;
          break;
        case "OUT":
          u.outFile = true;
          break;
        case "IMM":
          u.immFile = true;
          break;
        case "CONST":
          break;
        default:
          fail(inst.loc, `indirect addressing of ${r.file} is not supported`);
      }
    }
  }
  return u;
}
