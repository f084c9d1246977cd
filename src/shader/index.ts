/** Public API of the TGSI → GLSL ES 3.00 translator. */
export { parseTgsi } from "./parse/parser.ts";
export { translateTgsi, translateProgram } from "./translate.ts";
export { varyingName } from "./passes/resolve-linkage.ts";
export { LIMITS } from "./limits.ts";
export type * from "./ir.ts";
export type * from "./types.ts";
