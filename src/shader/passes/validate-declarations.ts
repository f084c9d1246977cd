/**
 * Pass: every directly addressed register an instruction touches is declared (TEMP, IN, OUT, SV, SAMP, ADDR,
 * IMM; CONST only by buffer), no overlapping declarations of a file, stage-specific file rules.
 * Produces the declared-range tables later passes use.
 */
import type { Declaration, Program, RegisterFile, RegisterRef, SourceLocation } from "../ir.ts";
import { LIMITS } from "../limits.ts";
import { fail } from "./fail.ts";

export interface DeclTables {
  /** For each file, register index → declaration. */
  byFile: Map<RegisterFile, Map<number, Declaration>>;
  /** Per constant buffer index: highest declared slot + 1. */
  constSizes: Map<number, number>;
  /** Temp arrays: id → declaration. */
  tempArrays: Map<number, Declaration>;
}

const CHECKED: ReadonlySet<RegisterFile> = new Set(["TEMP", "IN", "OUT", "SV", "SAMP", "ADDR", "SVIEW"]);

export function validateDeclarations(prog: Program): DeclTables {
  const byFile = new Map<RegisterFile, Map<number, Declaration>>();
  const constSizes = new Map<number, number>();
  const tempArrays = new Map<number, Declaration>();
  let totalRegs = 0;
  for (const d of prog.declarations) {
    if (d.file === "CONST") {
      const buf = d.dim ?? 0;
      constSizes.set(buf, Math.max(constSizes.get(buf) ?? 0, d.last + 1));
      continue;
    }
    if (d.dim !== null && d.file !== "IN" && d.file !== "OUT") fail(d.loc, `${d.file} declarations are not two-dimensional`);
    totalRegs += d.last - d.first + 1;
    if (totalRegs > 4 * (LIMITS.maxRegisterIndex + 1)) fail(d.loc, "too many declared registers");
    let m = byFile.get(d.file);
    if (!m) byFile.set(d.file, (m = new Map()));
    for (let r = d.first; r <= d.last; r++) {
      if (m.has(r) && d.file !== "SAMP" && d.file !== "SVIEW") fail(d.loc, `${d.file}[${r}] declared twice`);
      m.set(r, d);
    }
    if (d.file === "TEMP" && d.arrayId !== null) {
      if (tempArrays.has(d.arrayId)) fail(d.loc, `temp ARRAY(${d.arrayId}) declared twice`);
      tempArrays.set(d.arrayId, d);
    }
  }
  const check = (ref: RegisterRef, loc: SourceLocation): void => {
    if (ref.indirect) {
      if (ref.indirect.file !== "ADDR" && ref.indirect.file !== "TEMP") fail(loc, `indirect addressing through ${ref.indirect.file}`);
      const ok = ref.indirect.file === "TEMP" ? byFile.get("TEMP")?.has(ref.indirect.index) : byFile.get("ADDR")?.has(ref.indirect.index);
      if (!ok) fail(loc, `address register ${ref.indirect.file}[${ref.indirect.index}] is not declared`);
      if (ref.arrayId !== null && ref.file === "TEMP" && !tempArrays.has(ref.arrayId)) fail(loc, `TEMP array ${ref.arrayId} is not declared`);
      return;
    }
    if (ref.file === "IMM") {
      if (ref.index >= prog.immediates.length) fail(loc, `IMM[${ref.index}] is not defined`);
      return;
    }
    if (ref.file === "CONST") {
      if (!constSizes.has(ref.dim ?? 0)) fail(loc, `constant buffer ${ref.dim ?? 0} is not declared`);
      return;
    }
    if (ref.file === "NULL") return;
    if (!CHECKED.has(ref.file)) return;
    if (!byFile.get(ref.file)?.has(ref.index)) fail(loc, `${ref.file}[${ref.index}] is not declared`);
    if (ref.arrayId !== null && ref.file === "TEMP") {
      const a = tempArrays.get(ref.arrayId);
      if (!a || ref.index < a.first || ref.index > a.last) fail(loc, `TEMP[${ref.index}] is outside array ${ref.arrayId}`);
    }
  };
  for (const inst of prog.instructions) {
    for (const d of inst.dst) check(d, inst.loc);
    for (const s of inst.src) check(s, inst.loc);
    for (const s of inst.texOffsets) check(s, inst.loc);
  }
  return { byFile, constSizes, tempArrays };
}
