/**
 * Name tables of the TGSI text language (facts from Mesa's tgsi_strings.c / tgsi_info_opcodes.h).
 */
import type { RegisterFile, Stage } from "../ir.ts";

export const STAGES: readonly Stage[] = ["VERT", "FRAG", "GEOM", "TESS_CTRL", "TESS_EVAL", "COMP"];

export const REGISTER_FILES: readonly RegisterFile[] = [
  "NULL", "CONST", "IN", "OUT", "TEMP", "SAMP", "ADDR", "IMM", "SV", "IMAGE", "SVIEW", "BUFFER", "MEMORY",
  "CONSTBUF", "HWATOMIC",
];

export const SEMANTICS: ReadonlySet<string> = new Set([
  "POSITION", "COLOR", "BCOLOR", "FOG", "PSIZE", "GENERIC", "NORMAL", "FACE", "EDGEFLAG", "PRIM_ID",
  "INSTANCEID", "VERTEXID", "STENCIL", "CLIPDIST", "CLIPVERTEX", "GRID_SIZE", "BLOCK_ID", "BLOCK_SIZE",
  "THREAD_ID", "TEXCOORD", "PCOORD", "VIEWPORT_INDEX", "LAYER", "SAMPLEID", "SAMPLEPOS", "SAMPLEMASK",
  "INVOCATIONID", "VERTEXID_NOBASE", "BASEVERTEX", "PATCH", "TESSCOORD", "TESSOUTER", "TESSINNER",
  "VERTICESIN", "HELPER_INVOCATION", "BASEINSTANCE", "DRAWID", "WORK_DIM", "SUBGROUP_SIZE",
  "SUBGROUP_INVOCATION", "SUBGROUP_EQ_MASK", "SUBGROUP_GE_MASK", "SUBGROUP_GT_MASK", "SUBGROUP_LE_MASK",
  "SUBGROUP_LT_MASK", "CS_USER_DATA_AMD", "VIEWPORT_MASK", "TESS_DEFAULT_OUTER_LEVEL",
  "TESS_DEFAULT_INNER_LEVEL",
]);

export const TEXTURE_TARGETS: ReadonlySet<string> = new Set([
  "BUFFER", "1D", "2D", "3D", "CUBE", "RECT", "SHADOW1D", "SHADOW2D", "SHADOWRECT", "1D_ARRAY", "2D_ARRAY",
  "SHADOW1D_ARRAY", "SHADOW2D_ARRAY", "SHADOWCUBE", "2D_MSAA", "2D_ARRAY_MSAA", "CUBE_ARRAY",
  "SHADOWCUBE_ARRAY", "UNKNOWN",
]);

export const RETURN_TYPES: ReadonlySet<string> = new Set(["UNORM", "SNORM", "SINT", "UINT", "FLOAT", "UNKNOWN"]);
export const INTERPOLATIONS: ReadonlySet<string> = new Set(["CONSTANT", "LINEAR", "PERSPECTIVE", "COLOR"]);
export const INTERP_LOCATIONS: ReadonlySet<string> = new Set(["CENTER", "CENTROID", "SAMPLE"]);

/** Value type of an operand as an opcode interprets it: float, unsigned, signed, raw bits, 64-bit. */
export type OperandType = "f" | "u" | "i" | "x" | "d";

export interface OpcodeInfo {
  ndst: number;
  nsrc: number;
  /** Takes a texture target after the sources. */
  texture: boolean;
  /** Accepts a `:label`. */
  label: boolean;
  dstType: OperandType;
  srcType: OperandType;
}

function op(ndst: number, nsrc: number, dstType: OperandType, srcType: OperandType, extra?: "tex" | "label"): OpcodeInfo {
  return { ndst, nsrc, texture: extra === "tex", label: extra === "label", dstType, srcType };
}

const F = "f", U = "u", I = "i", X = "x", D = "d";

/** Opcode name → shape. */
export const OPCODES: ReadonlyMap<string, OpcodeInfo> = new Map<string, OpcodeInfo>([
  ["ARL", op(1, 1, I, F)], ["MOV", op(1, 1, X, X)], ["LIT", op(1, 1, F, F)], ["RCP", op(1, 1, F, F)],
  ["RSQ", op(1, 1, F, F)], ["EXP", op(1, 1, F, F)], ["LOG", op(1, 1, F, F)], ["MUL", op(1, 2, F, F)],
  ["ADD", op(1, 2, F, F)], ["DP3", op(1, 2, F, F)], ["DP4", op(1, 2, F, F)], ["DST", op(1, 2, F, F)],
  ["MIN", op(1, 2, F, F)], ["MAX", op(1, 2, F, F)], ["SLT", op(1, 2, F, F)], ["SGE", op(1, 2, F, F)],
  ["MAD", op(1, 3, F, F)], ["TEX_LZ", op(1, 2, F, F, "tex")], ["LRP", op(1, 3, F, F)], ["FMA", op(1, 3, F, F)],
  ["SQRT", op(1, 1, F, F)], ["LDEXP", op(1, 2, F, F)], ["FRC", op(1, 1, F, F)], ["TXF_LZ", op(1, 2, F, I, "tex")],
  ["FLR", op(1, 1, F, F)], ["ROUND", op(1, 1, F, F)], ["EX2", op(1, 1, F, F)], ["LG2", op(1, 1, F, F)],
  ["POW", op(1, 2, F, F)], ["COS", op(1, 1, F, F)], ["DDX", op(1, 1, F, F)], ["DDY", op(1, 1, F, F)],
  ["DDX_FINE", op(1, 1, F, F)], ["DDY_FINE", op(1, 1, F, F)], ["KILL", op(0, 0, X, X)],
  ["PK2H", op(1, 1, U, F)], ["UP2H", op(1, 1, F, U)], ["PK2US", op(1, 1, U, F)], ["UP2US", op(1, 1, F, U)],
  ["PK4B", op(1, 1, U, F)], ["UP4B", op(1, 1, F, U)], ["PK4UB", op(1, 1, U, F)], ["UP4UB", op(1, 1, F, U)],
  ["SEQ", op(1, 2, F, F)], ["SGT", op(1, 2, F, F)], ["SIN", op(1, 1, F, F)], ["SLE", op(1, 2, F, F)],
  ["SNE", op(1, 2, F, F)], ["TEX", op(1, 2, F, F, "tex")], ["TXD", op(1, 4, F, F, "tex")],
  ["TXP", op(1, 2, F, F, "tex")], ["ARR", op(1, 1, I, F)], ["CAL", op(0, 0, X, X, "label")],
  ["RET", op(0, 0, X, X)], ["SSG", op(1, 1, F, F)], ["CMP", op(1, 3, F, F)], ["TXB", op(1, 2, F, F, "tex")],
  ["FBFETCH", op(1, 1, F, F)], ["DIV", op(1, 2, F, F)], ["DP2", op(1, 2, F, F)], ["TXL", op(1, 2, F, F, "tex")],
  ["BRK", op(0, 0, X, X)], ["IF", op(0, 1, X, F, "label")], ["UIF", op(0, 1, X, U, "label")],
  ["ELSE", op(0, 0, X, X, "label")], ["ENDIF", op(0, 0, X, X)], ["CEIL", op(1, 1, F, F)],
  ["I2F", op(1, 1, F, I)], ["NOT", op(1, 1, U, U)], ["TRUNC", op(1, 1, F, F)], ["SHL", op(1, 2, U, U)],
  ["AND", op(1, 2, U, U)], ["OR", op(1, 2, U, U)], ["MOD", op(1, 2, I, I)], ["XOR", op(1, 2, U, U)],
  ["TXF", op(1, 2, F, I, "tex")], ["TXQ", op(1, 2, I, I, "tex")], ["CONT", op(0, 0, X, X)],
  ["EMIT", op(0, 1, X, U)], ["ENDPRIM", op(0, 1, X, U)], ["BGNLOOP", op(0, 0, X, X, "label")],
  ["BGNSUB", op(0, 0, X, X)], ["ENDLOOP", op(0, 0, X, X, "label")], ["ENDSUB", op(0, 0, X, X)],
  ["NOP", op(0, 0, X, X)], ["FSEQ", op(1, 2, U, F)], ["FSGE", op(1, 2, U, F)], ["FSLT", op(1, 2, U, F)],
  ["FSNE", op(1, 2, U, F)], ["MEMBAR", op(0, 1, X, U)], ["KILL_IF", op(0, 1, X, F)], ["END", op(0, 0, X, X)],
  ["DFMA", op(1, 3, D, D)], ["F2I", op(1, 1, I, F)], ["IDIV", op(1, 2, I, I)], ["IMAX", op(1, 2, I, I)],
  ["IMIN", op(1, 2, I, I)], ["INEG", op(1, 1, I, I)], ["ISGE", op(1, 2, U, I)], ["ISHR", op(1, 2, I, I)],
  ["ISLT", op(1, 2, U, I)], ["F2U", op(1, 1, U, F)], ["U2F", op(1, 1, F, U)], ["UADD", op(1, 2, U, U)],
  ["UDIV", op(1, 2, U, U)], ["UMAD", op(1, 3, U, U)], ["UMAX", op(1, 2, U, U)], ["UMIN", op(1, 2, U, U)],
  ["UMOD", op(1, 2, U, U)], ["UMUL", op(1, 2, U, U)], ["USEQ", op(1, 2, U, U)], ["USGE", op(1, 2, U, U)],
  ["USHR", op(1, 2, U, U)], ["USLT", op(1, 2, U, U)], ["USNE", op(1, 2, U, U)], ["SWITCH", op(0, 1, X, U)],
  ["CASE", op(0, 1, X, U)], ["DEFAULT", op(0, 0, X, X)], ["ENDSWITCH", op(0, 0, X, X)],
  ["SAMPLE", op(1, 3, F, F)], ["SAMPLE_B", op(1, 4, F, F)], ["SAMPLE_C", op(1, 4, F, F)],
  ["SAMPLE_C_LZ", op(1, 4, F, F)], ["SAMPLE_D", op(1, 5, F, F)], ["SAMPLE_L", op(1, 4, F, F)],
  ["GATHER4", op(1, 3, F, F)], ["SVIEWINFO", op(1, 2, I, I)], ["SAMPLE_POS", op(1, 2, F, U)],
  ["SAMPLE_INFO", op(1, 1, U, U)], ["UARL", op(1, 1, I, U)], ["UCMP", op(1, 3, X, X)],
  ["IABS", op(1, 1, I, I)], ["ISSG", op(1, 1, I, I)], ["LOAD", op(1, 2, U, U)], ["STORE", op(1, 2, U, U)],
  ["BARRIER", op(0, 0, X, X)], ["ATOMUADD", op(1, 3, U, U)], ["ATOMXCHG", op(1, 3, U, U)],
  ["ATOMCAS", op(1, 4, U, U)], ["ATOMAND", op(1, 3, U, U)], ["ATOMOR", op(1, 3, U, U)],
  ["ATOMXOR", op(1, 3, U, U)], ["ATOMUMIN", op(1, 3, U, U)], ["ATOMUMAX", op(1, 3, U, U)],
  ["ATOMIMIN", op(1, 3, I, I)], ["ATOMIMAX", op(1, 3, I, I)], ["ATOMFADD", op(1, 3, F, F)],
  ["ATOMINC_WRAP", op(1, 3, U, U)], ["ATOMDEC_WRAP", op(1, 3, U, U)],
  ["TEX2", op(1, 3, F, F, "tex")], ["TXB2", op(1, 3, F, F, "tex")], ["TXL2", op(1, 3, F, F, "tex")],
  ["IMUL_HI", op(1, 2, I, I)], ["UMUL_HI", op(1, 2, U, U)], ["TG4", op(1, 3, F, F, "tex")],
  ["LODQ", op(1, 2, F, F, "tex")], ["IBFE", op(1, 3, I, I)], ["UBFE", op(1, 3, U, U)], ["BFI", op(1, 4, U, U)],
  ["BREV", op(1, 1, U, U)], ["POPC", op(1, 1, U, U)], ["LSB", op(1, 1, U, U)], ["IMSB", op(1, 1, I, I)],
  ["UMSB", op(1, 1, U, U)], ["INTERP_CENTROID", op(1, 1, F, F)], ["INTERP_SAMPLE", op(1, 2, F, F)],
  ["INTERP_OFFSET", op(1, 2, F, F)], ["F2D", op(1, 1, D, F)], ["D2F", op(1, 1, F, D)], ["DABS", op(1, 1, D, D)],
  ["DNEG", op(1, 1, D, D)], ["DADD", op(1, 2, D, D)], ["DMUL", op(1, 2, D, D)], ["DMAX", op(1, 2, D, D)],
  ["DMIN", op(1, 2, D, D)], ["DSLT", op(1, 2, U, D)], ["DSGE", op(1, 2, U, D)], ["DSEQ", op(1, 2, U, D)],
  ["DSNE", op(1, 2, U, D)], ["DRCP", op(1, 1, D, D)], ["DSQRT", op(1, 1, D, D)], ["DMAD", op(1, 3, D, D)],
  ["DFRAC", op(1, 1, D, D)], ["DLDEXP", op(1, 2, D, D)], ["DFRACEXP", op(2, 1, D, D)], ["D2I", op(1, 1, I, D)],
  ["I2D", op(1, 1, D, I)], ["D2U", op(1, 1, U, D)], ["U2D", op(1, 1, D, U)], ["DRSQ", op(1, 1, D, D)],
  ["DTRUNC", op(1, 1, D, D)], ["DCEIL", op(1, 1, D, D)], ["DFLR", op(1, 1, D, D)], ["DROUND", op(1, 1, D, D)],
  ["DSSG", op(1, 1, D, D)], ["DDIV", op(1, 2, D, D)], ["CLOCK", op(1, 0, U, U)],
  ["TXQS", op(1, 1, U, U, "tex")], ["RESQ", op(1, 1, U, U)], ["VOTE_ANY", op(1, 1, U, U)],
  ["VOTE_ALL", op(1, 1, U, U)], ["VOTE_EQ", op(1, 1, U, U)], ["BALLOT", op(1, 1, U, U)],
  ["READ_FIRST", op(1, 1, X, X)], ["READ_INVOC", op(1, 2, X, X)], ["DEMOTE", op(0, 0, X, X)],
  ["READ_HELPER", op(1, 0, U, U)], ["IMG2HND", op(1, 1, U, U)], ["SAMP2HND", op(1, 1, U, U)],
  ["I64ABS", op(1, 1, D, D)], ["I64NEG", op(1, 1, D, D)], ["U64ADD", op(1, 2, D, D)], ["U64MUL", op(1, 2, D, D)],
]);
