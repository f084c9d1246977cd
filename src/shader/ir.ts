/**
 * Typed intermediate representation of a parsed TGSI text shader.
 * Produced by `parse/parser.ts`, consumed by the passes and the GLSL emitter.
 */

export type Stage = "VERT" | "FRAG" | "GEOM" | "TESS_CTRL" | "TESS_EVAL" | "COMP";

export type RegisterFile =
  | "NULL"
  | "CONST"
  | "IN"
  | "OUT"
  | "TEMP"
  | "SAMP"
  | "ADDR"
  | "IMM"
  | "SV"
  | "IMAGE"
  | "SVIEW"
  | "BUFFER"
  | "MEMORY"
  | "CONSTBUF"
  | "HWATOMIC";

export interface SourceLocation {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Structured error: never thrown across the public API, always returned. */
export interface ShaderError {
  line: number;
  column: number;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ShaderError };

export interface Semantic {
  name: string;
  index: number;
}

export type Interpolation = "CONSTANT" | "LINEAR" | "PERSPECTIVE" | "COLOR";
export type InterpLocation = "CENTER" | "CENTROID" | "SAMPLE";

export interface Declaration {
  file: RegisterFile;
  first: number;
  last: number;
  /** Second dimension, e.g. CONST[1][0..3] has dim = 1. */
  dim: number | null;
  /** Usage mask bits x=1 y=2 z=4 w=8 (15 when absent). */
  usageMask: number;
  semantic: Semantic | null;
  interpolation: Interpolation | null;
  location: InterpLocation | null;
  invariant: boolean;
  arrayId: number | null;
  local: boolean;
  /** SVIEW: texture target name and return types (4 entries). IMAGE: target + format. */
  target: string | null;
  returnTypes: string[] | null;
  imageFormat: string | null;
  writable: boolean;
  atomic: boolean;
  shared: boolean;
  loc: SourceLocation;
}

export type ImmediateType = "FLT32" | "UINT32" | "INT32" | "FLT64" | "UINT64" | "INT64";

export interface Immediate {
  index: number;
  type: ImmediateType;
  /** Raw 32-bit words (unsigned), 4 entries for 32-bit types, 4 (two 64-bit values) for 64-bit types. */
  words: number[];
  loc: SourceLocation;
}

export interface Property {
  name: string;
  value: string;
  loc: SourceLocation;
}

export interface IndirectRef {
  file: RegisterFile;
  index: number;
  /** Component 0..3 of the address register. */
  component: number;
}

export interface RegisterRef {
  file: RegisterFile;
  /** Register index (absolute, also for indirect: the constant offset). */
  index: number;
  indirect: IndirectRef | null;
  /** Second dimension (CONST[1][...]) or null. */
  dim: number | null;
  dimIndirect: IndirectRef | null;
  /** Temp/IO array id from `(n)` suffix. */
  arrayId: number | null;
}

export interface SrcOperand extends RegisterRef {
  /** Four component selectors 0..3. */
  swizzle: [number, number, number, number];
  negate: boolean;
  absolute: boolean;
}

export interface DstOperand extends RegisterRef {
  /** Write mask bits x=1 y=2 z=4 w=8. */
  writeMask: number;
}

export interface Instruction {
  opcode: string;
  saturate: boolean;
  precise: boolean;
  dst: DstOperand[];
  src: SrcOperand[];
  /** Texture target for texture instructions. */
  texTarget: string | null;
  /** Texture offsets (register + 3-component swizzle stored in swizzle[0..2]). */
  texOffsets: SrcOperand[];
  /** Label `:n` for control-flow instructions. */
  label: number | null;
  loc: SourceLocation;
}

export interface Program {
  stage: Stage;
  properties: Property[];
  declarations: Declaration[];
  immediates: Immediate[];
  instructions: Instruction[];
}

export const WRITEMASK_XYZW = 15;
