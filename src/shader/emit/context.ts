/**
 * Emitter state shared by the per-family opcode emitters: register naming, typed operand reads with
 * swizzles/modifiers, masked/saturated destination writes, helper-function requests, output lines.
 */
import type { Instruction, Program, RegisterRef, SrcOperand, SourceLocation } from "../ir.ts";
import type { ShaderKey, UniformInfo } from "../types.ts";
import type { DeclTables } from "../passes/validate-declarations.ts";
import type { IoPlan, RegExpr } from "../passes/resolve-linkage.ts";
import { outLocal } from "../passes/resolve-linkage.ts";
import type { SamplerPlan } from "../passes/resolve-samplers.ts";
import type { IndirectUsage } from "../passes/analyze-indirect.ts";
import { fail } from "../passes/fail.ts";
import { stagePrefix } from "../passes/resolve-samplers.ts";
import { LETTERS, conv, literal, maskChannels, splat, typeName, zero, type Kind, type Val } from "./values.ts";

/** Storage of a register; indirect accesses carry the index and array length for a bounds guard. */
export interface Storage extends RegExpr {
  guard?: { index: string; size: number };
}

/** `x` = untyped bits (MOV/UCMP): read as uint unless modifiers force float. */
export type ReadKind = Kind | "x";

export class EmitContext {
  readonly lines: string[] = [];
  private depth = 1;
  readonly helpers = new Set<string>();
  readonly warnings: string[] = [];
  /** TEMP index → array it lives in. */
  private readonly tempArrayOf = new Map<number, { id: number; first: number }>();
  readonly usedTemps = new Set<number>();
  readonly usedAddr = new Set<number>();
  /** Constant buffer → vec4 slots needed. */
  readonly constSizes: Map<number, number>;
  usesDiscard = false;
  /** TXQ used: declare `<prefix>samp_levels[32]`. */
  usesLevelsUniform = false;
  /** Per-sampler uniforms the texture emulation asked for (border colour, LOD bias), by name. */
  readonly samplerUniforms = new Map<string, UniformInfo>();
  /** Current BGNLOOP nesting (names the loop counters). */
  loopDepth = 0;
  usesDerivatives = false;

  constructor(
    readonly prog: Program,
    readonly key: ShaderKey,
    readonly tables: DeclTables,
    readonly io: IoPlan,
    readonly samplers: SamplerPlan,
    readonly indirect: IndirectUsage,
  ) {
    for (const [id, d] of tables.tempArrays) for (let r = d.first; r <= d.last; r++) this.tempArrayOf.set(r, { id, first: d.first });
    this.constSizes = new Map(tables.constSizes);
  }

  /** Per-stage prefix of uniform names: VS and FS constant buffers / samplers are separate in Gallium. */
  get prefix(): string {
    return stagePrefix(this.prog.stage);
  }

  get isFragment(): boolean {
    return this.prog.stage === "FRAG";
  }

  line(s: string): void {
    this.lines.push("  ".repeat(this.depth) + s);
  }

  open(s: string): void {
    this.line(s);
    this.depth++;
  }

  close(s = "}"): void {
    this.depth = Math.max(1, this.depth - 1);
    this.line(s);
  }

  /** Dedent/indent around a label line (`} else {`, `case 1:`). */
  mid(s: string): void {
    this.depth = Math.max(1, this.depth - 1);
    this.line(s);
    this.depth++;
  }

  /** GLSL int expression of an indirect index plus constant offset. */
  private indexExpr(ref: RegisterRef, offset: number): string {
    const ind = ref.indirect!;
    let addr: string;
    if (ind.file === "ADDR") {
      this.usedAddr.add(ind.index);
      addr = `a${ind.index}.${LETTERS[ind.component]}`;
    } else {
      addr = `int(${this.tempName(ind.index)}.${LETTERS[ind.component]})`;
    }
    return offset === 0 ? addr : offset > 0 ? `${addr} + ${offset}` : `${addr} - ${-offset}`;
  }

  private tempName(index: number): string {
    const arr = this.tempArrayOf.get(index);
    if (arr) return `ta${arr.id}[${index - arr.first}]`;
    if (this.indirect.tempFile) return `tf[${index}]`;
    this.usedTemps.add(index);
    return `t${index}`;
  }

  /** Storage expression (vec4-shaped) and its kind for a register reference. */
  /**
   * Storage expression (vec4-shaped) and its kind for a register reference. Indirect accesses are
   * bounds-guarded by the callers (out-of-range reads give 0, writes are dropped — robust-access
   * semantics; GLSL leaves them undefined and ANGLE would clamp to the last element).
   */
  base(ref: RegisterRef, loc: SourceLocation): Storage {
    const guarded = (name: string, offset: number, size: number): Storage => {
      const index = this.indexExpr(ref, offset);
      return { expr: `${name}[${index}]`, kind: "u", guard: { index, size } };
    };
    switch (ref.file) {
      case "TEMP": {
        if (!ref.indirect) return { expr: this.tempName(ref.index), kind: "u" };
        const id = ref.arrayId ?? this.tempArrayOf.get(ref.index)?.id;
        if (id !== undefined) {
          const d = this.tables.tempArrays.get(id);
          if (!d) fail(loc, `TEMP array ${id} is not declared`);
          return guarded(`ta${id}`, ref.index - d.first, d.last - d.first + 1);
        }
        return guarded("tf", ref.index, this.tempFileSize());
      }
      case "CONST": {
        if (ref.dimIndirect) fail(loc, "indirect constant-buffer selection is not supported on a WebGL2 host");
        const buf = ref.dim ?? 0;
        if (buf > 15) fail(loc, `constant buffer ${buf} out of range`);
        const name = buf === 0 ? `${this.prefix}const0` : `${this.prefix}ubo${buf}_data`;
        if (!ref.indirect) {
          this.constSizes.set(buf, Math.max(this.constSizes.get(buf) ?? 0, ref.index + 1));
          return { expr: `${name}[${ref.index}]`, kind: "u" };
        }
        return guarded(name, ref.index, this.tables.constSizes.get(buf) ?? 1);
      }
      case "IMM":
        if (ref.indirect) return guarded("webvirgl_imm", ref.index, this.prog.immediates.length);
        return { expr: `webvirgl_imm[${ref.index}]`, kind: "u" };
      case "IN": {
        if (this.indirect.inFile) {
          if (ref.indirect) return guarded("ia", ref.index, this.inArraySize());
          return { expr: `ia[${ref.index}]`, kind: "u" };
        }
        const e = this.io.inputs.get(ref.index);
        if (!e) fail(loc, `IN[${ref.index}] has no usable declaration`);
        return e;
      }
      case "OUT":
        if (ref.indirect) return guarded("oa", ref.index, this.outArraySize());
        return { expr: outLocal(ref.index, this.indirect.outFile), kind: "u" };
      case "SV": {
        const e = this.io.systemValues.get(ref.index);
        if (!e) fail(loc, `SV[${ref.index}] has no usable declaration`);
        return e;
      }
      case "ADDR":
        this.usedAddr.add(ref.index);
        return { expr: `a${ref.index}`, kind: "i" };
      default:
        return fail(loc, `register file ${ref.file} is not supported here`);
    }
  }

  tempFileSize(): number {
    let n = 0;
    for (const d of this.prog.declarations) if (d.file === "TEMP") n = Math.max(n, d.last + 1);
    return n;
  }

  inArraySize(): number {
    return Math.max(0, ...[...this.io.inputs.keys()].map((r) => r + 1));
  }

  outArraySize(): number {
    return Math.max(0, ...this.io.outputRegs.map((r) => r + 1));
  }

  /** Read a source operand's components `channels` (indices into its swizzle) as `want`. */
  src(inst: Instruction, i: number, want: ReadKind, channels: readonly number[]): Val {
    const s = inst.src[i];
    if (!s) fail(inst.loc, `${inst.opcode}: missing source ${i + 1}`);
    return this.read(s, want, channels, inst.loc);
  }

  read(s: SrcOperand, want: ReadKind, channels: readonly number[], loc: SourceLocation): Val {
    const comps = channels.map((c) => s.swizzle[c] ?? 0);
    const n = comps.length;
    const mods = s.negate || s.absolute;
    const kind: Kind = want === "x" ? (mods ? "f" : "u") : want;
    let v: Val;
    if (s.file === "IMM" && !s.indirect) {
      const imm = this.prog.immediates[s.index];
      if (!imm) fail(loc, `IMM[${s.index}] is not defined`);
      const lits = comps.map((c) => literal(imm.words[c] ?? 0, kind));
      const code = n === 1 ? lits[0]! : lits.every((l) => l === lits[0]) ? `${typeName(kind, n)}(${lits[0]})` : `${typeName(kind, n)}(${lits.join(", ")})`;
      v = { code, kind, n };
    } else {
      const b = this.base(s, loc);
      const sw = comps.map((c) => LETTERS[c]).join("");
      let code = sw === "xyzw" ? b.expr : `${b.expr}.${sw}`;
      if (b.guard) code = `(uint(${b.guard.index}) < ${b.guard.size}u ? ${code} : ${typeName(b.kind, n)}(${zero(b.kind)}))`;
      v = conv({ code, kind: b.kind, n }, kind);
    }
    if (s.absolute) {
      v = kind === "u"
        ? { ...v, code: `${typeName("u", n)}(abs(${typeName("i", n)}(${v.code})))` }
        : { ...v, code: `abs(${v.code})` };
    }
    if (s.negate) v = kind === "u" ? { ...v, code: `(0u - ${v.code})` } : { ...v, code: `(-${v.code})` };
    if (want === "x" && kind !== "u") v = conv(v, "u");
    return v;
  }

  /** Channels written by destination 0. */
  channels(inst: Instruction): number[] {
    const d = inst.dst[0];
    return d ? maskChannels(d.writeMask) : [];
  }

  /**
   * Store `v` into destination `di`. `v` has as many components as the write mask, or 1 (replicated),
   * or 4 (full vector: the written channels are selected).
   */
  write(inst: Instruction, v: Val, di = 0): void {
    const d = inst.dst[di];
    if (!d || d.file === "NULL") return;
    const ch = maskChannels(d.writeMask);
    if (ch.length === 0) return;
    if (inst.saturate && v.kind === "f") v = { ...v, code: `clamp(${v.code}, 0.0, 1.0)` };
    const b = this.base(d, inst.loc);
    if (d.file === "IN" || d.file === "SV") fail(inst.loc, `cannot write to ${d.file}`);
    const n = ch.length;
    if (v.n === 4 && n < 4) v = { code: `(${v.code}).${ch.map((c) => LETTERS[c]).join("")}`, kind: v.kind, n };
    else if (v.n === 1 && n > 1) v = splat(v, n);
    else if (v.n !== n) fail(inst.loc, `internal: ${inst.opcode} produced ${v.n} components for ${n}`);
    v = conv(v, b.kind);
    const guard = b.guard ? `if (uint(${b.guard.index}) < ${b.guard.size}u) ` : "";
    if (n === 4) this.line(`${guard}${b.expr} = ${v.code};`);
    else this.line(`${guard}${b.expr}.${ch.map((c) => LETTERS[c]).join("")} = ${v.code};`);
  }

  /** Component-wise op: sources read per written channel as `srcKind`, `fn` builds the result. */
  componentwise(inst: Instruction, srcKind: ReadKind, fn: (args: Val[], n: number) => Val): void {
    const ch = this.channels(inst);
    if (ch.length === 0 || inst.dst[0]?.file === "NULL") return;
    const args = inst.src.map((_, i) => this.src(inst, i, srcKind, ch));
    this.write(inst, fn(args, ch.length));
  }

  /** Scalar op on the x component of each (swizzled) source, replicated to every written channel. */
  scalar(inst: Instruction, srcKind: ReadKind, fn: (args: Val[]) => Val): void {
    if (this.channels(inst).length === 0) return;
    const args = inst.src.map((_, i) => this.src(inst, i, srcKind, [0]));
    this.write(inst, fn(args));
  }

  /** Per-channel scalar expressions assembled into a vector (for ops GLSL ES 3.00 lacks vector forms of). */
  perChannel(inst: Instruction, srcKinds: readonly ReadKind[], resKind: Kind, fn: (args: Val[]) => string): void {
    const ch = this.channels(inst);
    if (ch.length === 0 || inst.dst[0]?.file === "NULL") return;
    const parts = ch.map((c) => fn(inst.src.map((_, i) => this.src(inst, i, srcKinds[i] ?? srcKinds[0] ?? "f", [c]))));
    const code = parts.length === 1 ? parts[0]! : `${typeName(resKind, parts.length)}(${parts.join(", ")})`;
    this.write(inst, { code, kind: resKind, n: parts.length });
  }

  helper(name: string): string {
    this.helpers.add(name);
    return name;
  }
}
