import type { ShaderError, SourceLocation } from "../ir.ts";

/** Thrown inside passes/emitters, converted to a returned ShaderError at the public boundary. */
export class TranslateFailure {
  constructor(readonly error: ShaderError) {}
}

export function fail(loc: SourceLocation | null, message: string): never {
  throw new TranslateFailure({ line: loc?.line ?? 0, column: loc?.column ?? 0, message });
}
