/**
 * TGSI text → IR. Grammar follows Mesa's tgsi_text.c / tgsi_dump.c output (see src/shader/README.md).
 * Never throws: every failure becomes `{ ok: false, error: { line, column, message } }`.
 */
import type {
  Declaration,
  DstOperand,
  Immediate,
  ImmediateType,
  IndirectRef,
  Instruction,
  InterpLocation,
  Interpolation,
  Program,
  Property,
  RegisterFile,
  Result,
  SrcOperand,
  Stage,
} from "../ir.ts";
import { LIMITS } from "../limits.ts";
import { Cursor, ParseFailure } from "./cursor.ts";
import {
  INTERPOLATIONS,
  INTERP_LOCATIONS,
  OPCODES,
  REGISTER_FILES,
  RETURN_TYPES,
  SEMANTICS,
  STAGES,
  TEXTURE_TARGETS,
} from "./names.ts";

const FILE_SET: ReadonlySet<string> = new Set(REGISTER_FILES);
/** Opcodes that may carry trailing memory qualifiers / image formats. */
const MEMORY_OPS: ReadonlySet<string> = new Set([
  "LOAD", "STORE", "RESQ", "ATOMUADD", "ATOMXCHG", "ATOMCAS", "ATOMAND", "ATOMOR", "ATOMXOR", "ATOMUMIN", "ATOMUMAX",
  "ATOMIMIN", "ATOMIMAX", "ATOMFADD", "ATOMINC_WRAP", "ATOMDEC_WRAP",
]);

function maxIndexFor(file: RegisterFile): number {
  switch (file) {
    case "IN":
    case "OUT":
    case "SV":
      return LIMITS.maxIoIndex;
    case "SAMP":
    case "SVIEW":
    case "IMAGE":
    case "BUFFER":
    case "HWATOMIC":
    case "CONSTBUF":
    case "MEMORY":
      return LIMITS.maxSamplerIndex;
    case "ADDR":
      return LIMITS.maxAddrIndex;
    case "IMM":
      return LIMITS.maxImmediates - 1;
    default:
      return LIMITS.maxRegisterIndex;
  }
}

const SWIZZLE_LETTERS: Readonly<Record<string, number>> = { x: 0, y: 1, z: 2, w: 3, r: 0, g: 1, b: 2, a: 3 };

function parseFile(c: Cursor): RegisterFile {
  const col = c.column;
  const w = c.word();
  if (!w) c.fail("expected a register file");
  if (!FILE_SET.has(w)) c.fail(`unknown register file '${w}'`, col);
  return w as RegisterFile;
}

/** Letters after '.' (1..4 of xyzw/rgba); returns component numbers. */
function parseComponents(c: Cursor, what: string): number[] {
  const out: number[] = [];
  const col = c.column;
  while (c.pos < c.text.length && out.length < 5) {
    const v = SWIZZLE_LETTERS[c.text.charAt(c.pos)];
    if (v === undefined) break;
    out.push(v);
    c.pos++;
  }
  if (out.length === 0) c.fail(`expected ${what} after '.'`, col);
  if (out.length > 4) c.fail(`${what} has more than 4 components`, col);
  const cc = c.text.charCodeAt(c.pos);
  if ((cc >= 65 && cc <= 90) || (cc >= 97 && cc <= 122) || (cc >= 48 && cc <= 57) || cc === 95) {
    c.fail(`invalid character '${c.text.charAt(c.pos)}' in ${what}`);
  }
  return out;
}

interface Bracket {
  index: number;
  indirect: IndirectRef | null;
}

/** Contents of `[...]`: `N`, `ADDR[n].c`, `ADDR[n].c+N`, `ADDR[n].c-N`, `N+ADDR[n].c`. */
function parseBracket(c: Cursor, file: RegisterFile): Bracket {
  c.expect("[");
  c.skipSpace();
  const max = maxIndexFor(file);
  let index = 0;
  let indirect: IndirectRef | null = null;
  const ch = c.peek();
  if (ch >= "0" && ch <= "9") {
    index = c.uint("register index", max);
    if (c.eat("+")) indirect = parseIndirect(c);
  } else if (ch === "]") {
    // `IN[]` (per-vertex arrays in GEOM/TESS): index 0
  } else {
    indirect = parseIndirect(c);
    if (c.eat("+")) index = c.uint("offset", max);
    else if (c.eat("-")) index = -c.uint("offset", max);
  }
  c.expect("]", "closing register index");
  return { index, indirect };
}

function parseIndirect(c: Cursor): IndirectRef {
  const file = parseFile(c);
  c.expect("[");
  const index = c.uint("address register index", maxIndexFor(file));
  c.expect("]");
  c.expect(".", "before the address component");
  const comps = parseComponents(c, "address component");
  if (comps.length !== 1) c.fail("address component must be a single letter");
  return { file, index, component: comps[0] ?? 0 };
}

interface RegParts {
  file: RegisterFile;
  index: number;
  indirect: IndirectRef | null;
  dim: number | null;
  dimIndirect: IndirectRef | null;
  arrayId: number | null;
}

function parseRegister(c: Cursor): RegParts {
  const file = parseFile(c);
  const first = parseBracket(c, file);
  const reg: RegParts = { file, index: first.index, indirect: first.indirect, dim: null, dimIndirect: null, arrayId: null };
  if (c.text.charCodeAt(c.pos) === 91 /* [ */) {
    const second = parseBracket(c, file);
    reg.dim = first.index;
    reg.dimIndirect = first.indirect;
    reg.index = second.index;
    reg.indirect = second.indirect;
  }
  if (c.text.charAt(c.pos) === "(") {
    c.pos++;
    reg.arrayId = c.uint("array id", LIMITS.maxRegisterIndex);
    c.expect(")");
  }
  if (reg.index < 0 && !reg.indirect) c.fail("negative register index");
  return reg;
}

function parseSrc(c: Cursor): SrcOperand {
  c.skipSpace();
  const negate = c.eat("-");
  const absolute = c.eat("|");
  const reg = parseRegister(c);
  let swizzle: [number, number, number, number] = [0, 1, 2, 3];
  if (c.text.charAt(c.pos) === ".") {
    c.pos++;
    const comps = parseComponents(c, "swizzle");
    const last = comps[comps.length - 1] ?? 0;
    swizzle = [comps[0] ?? last, comps[1] ?? last, comps[2] ?? last, comps[3] ?? last];
  }
  if (absolute) c.expect("|", "closing absolute value");
  return {
    file: reg.file, index: reg.index, indirect: reg.indirect, dim: reg.dim, dimIndirect: reg.dimIndirect,
    arrayId: reg.arrayId, swizzle, negate, absolute,
  };
}

function parseDst(c: Cursor): DstOperand {
  c.skipSpace();
  const col = c.column;
  if (c.peek() === "-" || c.peek() === "|") c.fail("modifiers are not allowed on a destination", col);
  const reg = parseRegister(c);
  let writeMask = 15;
  if (c.text.charAt(c.pos) === ".") {
    c.pos++;
    const mcol = c.column;
    const comps = parseComponents(c, "write mask");
    writeMask = 0;
    let prev = -1;
    for (const comp of comps) {
      if (comp <= prev) c.fail("write mask components must be distinct and in xyzw order", mcol);
      prev = comp;
      writeMask |= 1 << comp;
    }
  }
  if (reg.file === "IMM" || reg.file === "CONST" || reg.file === "SAMP" || reg.file === "SVIEW") {
    c.fail(`cannot write to ${reg.file}`, col);
  }
  return {
    file: reg.file, index: reg.index, indirect: reg.indirect, dim: reg.dim, dimIndirect: reg.dimIndirect,
    arrayId: reg.arrayId, writeMask,
  };
}

function defaultDecl(file: RegisterFile, first: number, last: number, line: number, column: number): Declaration {
  return {
    file, first, last, dim: null, usageMask: 15, semantic: null, interpolation: null, location: null,
    invariant: false, arrayId: null, local: false, target: null, returnTypes: null, imageFormat: null,
    writable: false, atomic: false, shared: false, loc: { line, column },
  };
}

function parseDeclaration(c: Cursor): Declaration {
  const col = c.column;
  const file = parseFile(c);
  const max = maxIndexFor(file);
  let dim: number | null = null;
  c.expect("[");
  let first: number;
  let last: number;
  const readRange = (): void => {
    c.skipSpace();
    if (c.peek() === "]") {
      first = 0;
      last = 0;
    } else {
      first = c.uint("register index", max);
      last = first;
      if (c.eat("..")) last = c.uint("register index", max);
    }
    c.expect("]");
  };
  readRange();
  if (c.text.charAt(c.pos) === "[") {
    dim = first!;
    c.pos++;
    readRange();
  }
  if (last! < first!) c.fail(`empty declaration range ${first!}..${last!}`, col);
  const d = defaultDecl(file, first!, last!, c.line, col);
  d.dim = dim;
  if (c.text.charAt(c.pos) === ".") {
    c.pos++;
    const comps = parseComponents(c, "usage mask");
    d.usageMask = comps.reduce((m, x) => m | (1 << x), 0);
  }
  let items = 0;
  while (c.eat(",")) {
    if (++items > 16) c.fail("too many declaration attributes");
    const icol = c.column;
    const w = c.word();
    if (!w) c.fail("expected a declaration attribute");
    if (w === "ARRAY") {
      c.expect("(");
      d.arrayId = c.uint("array id", LIMITS.maxRegisterIndex);
      c.expect(")");
    } else if (w === "LOCAL") d.local = true;
    else if (w === "INVARIANT") d.invariant = true;
    else if (w === "ATOMIC") d.atomic = true;
    else if (w === "SHARED") d.shared = true;
    else if (w === "WR" && file === "IMAGE") d.writable = true;
    else if (w === "STREAM") {
      c.expect("(");
      for (let i = 0; i < 4; i++) {
        c.uint("stream", 3);
        if (i < 3) c.expect(",");
      }
      c.expect(")");
    } else if ((file === "SVIEW" || file === "IMAGE") && d.target === null && TEXTURE_TARGETS.has(w)) {
      d.target = w;
    } else if (file === "SVIEW" && RETURN_TYPES.has(w)) {
      const types = [w];
      // Either one type for all four channels or four types.
      const save = c.pos;
      if (c.eat(",") && RETURN_TYPES.has(c.peekWord())) {
        types.push(c.word());
        for (let i = 0; i < 2; i++) {
          c.expect(",");
          const t = c.word();
          if (!RETURN_TYPES.has(t)) c.fail(`unknown sampler return type '${t}'`);
          types.push(t);
        }
      } else c.pos = save;
      d.returnTypes = types.length === 1 ? [w, w, w, w] : types;
    } else if (file === "IMAGE" && d.target !== null && d.imageFormat === null) {
      d.imageFormat = w;
    } else if (d.semantic === null && SEMANTICS.has(w) && file !== "SVIEW" && file !== "IMAGE") {
      let index = 0;
      if (c.text.charAt(c.pos) === "[") {
        c.pos++;
        index = c.uint("semantic index", LIMITS.maxRegisterIndex);
        c.expect("]");
      }
      d.semantic = { name: w, index };
    } else if (INTERPOLATIONS.has(w) && d.interpolation === null) {
      d.interpolation = w as Interpolation;
    } else if (INTERP_LOCATIONS.has(w) && d.location === null) {
      d.location = w as InterpLocation;
    } else {
      c.fail(`unexpected declaration attribute '${w}'`, icol);
    }
  }
  if (!c.atEnd()) c.fail(`unexpected '${c.text.charAt(c.pos)}' after declaration`);
  return d;
}

const IMM_TYPES: ReadonlySet<string> = new Set(["FLT32", "UINT32", "INT32", "FLT64", "UINT64", "INT64"]);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32x2 = new Uint32Array(f64.buffer);

function parseImmValue(c: Cursor, type: ImmediateType, out: number[]): void {
  const col = c.column;
  const tok = c.token();
  if (!tok) c.fail("expected an immediate value");
  const bad = (): never => c.fail(`invalid ${type} value '${tok.slice(0, 32)}'`, col);
  const isHex = /^0[xX][0-9a-fA-F]+$/.test(tok);
  switch (type) {
    case "FLT32": {
      if (isHex) {
        if (tok.length > 10) bad();
        out.push(parseInt(tok.slice(2), 16) >>> 0);
      } else {
        if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(tok) && !/^[-+]?(inf|nan)$/i.test(tok)) bad();
        f32[0] = /nan/i.test(tok) ? NaN : /inf/i.test(tok) ? (tok.startsWith("-") ? -Infinity : Infinity) : Number(tok);
        out.push(u32[0] ?? 0);
      }
      return;
    }
    case "UINT32": {
      const v = isHex ? parseInt(tok.slice(2), 16) : /^\d+$/.test(tok) ? Number(tok) : NaN;
      if (!Number.isFinite(v) || v > 0xffffffff || tok.length > 12) bad();
      out.push(v >>> 0);
      return;
    }
    case "INT32": {
      const v = isHex ? parseInt(tok.slice(2), 16) : /^[-+]?\d+$/.test(tok) ? Number(tok) : NaN;
      if (!Number.isFinite(v) || v > 0xffffffff || v < -0x80000000 || tok.length > 12) bad();
      out.push(v >>> 0);
      return;
    }
    case "FLT64": {
      if (isHex) {
        if (tok.length > 18) bad();
        const big = BigInt(tok);
        out.push(Number(big & 0xffffffffn), Number(big >> 32n));
      } else {
        if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(tok)) bad();
        f64[0] = Number(tok);
        out.push(u32x2[0] ?? 0, u32x2[1] ?? 0);
      }
      return;
    }
    case "UINT64":
    case "INT64": {
      if (!/^[-+]?\d{1,20}$/.test(tok) && !(isHex && tok.length <= 18)) bad();
      const big = BigInt.asUintN(64, BigInt(tok));
      out.push(Number(big & 0xffffffffn), Number(big >> 32n));
      return;
    }
  }
}

function parseImmediate(c: Cursor, nextIndex: number): Immediate {
  const col = c.column;
  let index = nextIndex;
  if (c.eat("[")) {
    index = c.uint("immediate index", LIMITS.maxImmediates - 1);
    c.expect("]");
  }
  const tcol = c.column;
  const type = c.word();
  if (!IMM_TYPES.has(type)) c.fail(`unknown immediate type '${type}'`, tcol);
  c.expect("{");
  const words: number[] = [];
  const is64 = type.endsWith("64");
  const maxValues = is64 ? 2 : 4;
  let n = 0;
  for (;;) {
    if (n >= maxValues) c.fail(`too many values for ${type} immediate`);
    parseImmValue(c, type as ImmediateType, words);
    n++;
    if (c.eat("}")) break;
    c.expect(",", "or '}' in immediate");
  }
  while (words.length < 4) words.push(0);
  if (!c.atEnd()) c.fail(`unexpected '${c.text.charAt(c.pos)}' after immediate`);
  return { index, type: type as ImmediateType, words, loc: { line: c.line, column: col } };
}

function parseInstruction(c: Cursor): Instruction {
  c.skipSpace();
  // Optional instruction number "12:"
  const ch = c.peek();
  if (ch >= "0" && ch <= "9") {
    c.uint("instruction number", 1 << 30);
    c.expect(":");
  }
  const col = c.column;
  let name = c.word();
  if (!name) c.fail(`expected an opcode, found '${c.text.charAt(c.pos)}'`);
  let saturate = false;
  let precise = false;
  for (let guard = 0; guard < 3 && !OPCODES.has(name); guard++) {
    if (name.endsWith("_PRECISE")) {
      precise = true;
      name = name.slice(0, -8);
    } else if (name.endsWith("_SAT")) {
      saturate = true;
      name = name.slice(0, -4);
    } else break;
  }
  const info = OPCODES.get(name);
  if (!info) c.fail(`unknown opcode '${name.slice(0, 40)}'`, col);
  const inst: Instruction = {
    opcode: name, saturate, precise, dst: [], src: [], texTarget: null, texOffsets: [], label: null,
    loc: { line: c.line, column: col },
  };
  const total = info.ndst + info.nsrc;
  for (let i = 0; i < total; i++) {
    if (i > 0) c.expect(",", `before operand ${i + 1} of ${name}`);
    else if (c.atEnd() || c.peek() === ":") c.fail(`${name} needs ${total} operand(s)`);
    if (i < info.ndst) inst.dst.push(parseDst(c));
    else inst.src.push(parseSrc(c));
  }
  // Trailing items: texture target, texture offsets, memory qualifiers / formats.
  let extras = 0;
  while (c.eat(",")) {
    if (++extras > 8) c.fail("too many trailing operands");
    const w = c.peekWord();
    const wcol = c.column;
    const afterWord = c.text.charAt(c.pos + (c.text.slice(c.pos).length - c.text.slice(c.pos).trimStart().length) + w.length);
    if (info.texture && inst.texTarget === null && TEXTURE_TARGETS.has(w) && afterWord !== "[") {
      c.word();
      inst.texTarget = w;
    } else if (FILE_SET.has(w) && afterWord === "[") {
      if (!info.texture) c.fail(`unexpected operand '${w}' after the operands of ${name}`, wcol);
      const off = parseSrc(c);
      if (off.negate || off.absolute) c.fail("modifiers are not allowed on texture offsets", wcol);
      inst.texOffsets.push(off);
    } else if (w && !info.texture && MEMORY_OPS.has(name)) {
      c.word(); // memory qualifier / image format / return type: accepted and ignored
    } else if (w && RETURN_TYPES.has(w)) {
      c.word();
    } else {
      c.fail(w ? `unexpected '${w}' after operands of ${name}` : `unexpected '${c.peek()}' after operands of ${name}`, wcol);
    }
  }
  if (info.texture && inst.texTarget === null) c.fail(`${name} needs a texture target`);
  if (c.eat(":")) {
    if (!info.label) c.fail(`${name} takes no label`);
    inst.label = c.uint("label", LIMITS.maxLabel);
  }
  if (!c.atEnd()) c.fail(`unexpected '${c.text.charAt(c.pos)}' after instruction`);
  return inst;
}

/** Parse TGSI text into the IR. */
export function parseTgsi(source: string): Result<Program> {
  try {
    return { ok: true, value: parseOrThrow(source) };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    return { ok: false, error: { line: 0, column: 0, message: `internal parser error: ${String(e)}` } };
  }
}

function parseOrThrow(source: string): Program {
  if (typeof source !== "string") throw new ParseFailure({ line: 0, column: 0, message: "shader text is not a string" });
  if (source.length > LIMITS.maxTextLength) {
    throw new ParseFailure({
      line: 1, column: 1,
      message: `shader text is ${source.length} characters, more than the limit ${LIMITS.maxTextLength}`,
    });
  }
  const nul = source.indexOf("\0");
  const text = nul >= 0 ? source.slice(0, nul) : source;
  const lines = text.split("\n");
  if (lines.length > LIMITS.maxLines) {
    throw new ParseFailure({ line: LIMITS.maxLines + 1, column: 1, message: `more than ${LIMITS.maxLines} lines` });
  }
  let stage: Stage | null = null;
  const properties: Property[] = [];
  const declarations: Declaration[] = [];
  const immediates: Immediate[] = [];
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const c = new Cursor(raw, i + 1);
    if (raw.length > LIMITS.maxLineLength) c.fail(`line longer than ${LIMITS.maxLineLength} characters`, 1);
    if (c.atEnd()) continue;
    if (stage === null) {
      const col = c.column;
      const w = c.word();
      if (!(STAGES as readonly string[]).includes(w)) {
        c.fail(`expected a shader header (VERT, FRAG, GEOM, TESS_CTRL, TESS_EVAL, COMP), found '${w.slice(0, 20) || c.peek()}'`, col);
      }
      stage = w as Stage;
      if (!c.atEnd()) c.fail("unexpected text after the shader header");
      continue;
    }
    const save = c.pos;
    const w = c.word();
    if (w === "DCL") {
      if (declarations.length >= LIMITS.maxDeclarations) c.fail(`more than ${LIMITS.maxDeclarations} declarations`);
      declarations.push(parseDeclaration(c));
    } else if (w === "IMM") {
      if (immediates.length >= LIMITS.maxImmediates) c.fail(`more than ${LIMITS.maxImmediates} immediates`);
      const imm = parseImmediate(c, immediates.length);
      if (imm.index !== immediates.length) {
        c.fail(`immediate index ${imm.index} out of sequence (expected ${immediates.length})`, 1);
      }
      immediates.push(imm);
    } else if (w === "PROPERTY") {
      const col = c.column;
      const name = c.word();
      if (!name) c.fail("expected a property name");
      const value = c.token();
      if (!value) c.fail(`property ${name} needs a value`);
      if (value.length > LIMITS.maxPropertyValueLength) c.fail("property value too long");
      if (!c.atEnd()) c.fail("unexpected text after property");
      properties.push({ name, value, loc: { line: i + 1, column: col } });
    } else {
      c.pos = save;
      if (instructions.length >= LIMITS.maxInstructions) c.fail(`more than ${LIMITS.maxInstructions} instructions`);
      instructions.push(parseInstruction(c));
    }
  }
  if (stage === null) throw new ParseFailure({ line: 1, column: 1, message: "empty shader: no header" });
  if (!instructions.some((x) => x.opcode === "END")) {
    throw new ParseFailure({ line: lines.length, column: 1, message: "truncated shader: no END instruction" });
  }
  return { stage, properties, declarations, immediates, instructions };
}
