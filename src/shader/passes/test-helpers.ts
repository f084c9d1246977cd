import { parseTgsi } from "../parse/parser.ts";
import type { Program } from "../ir.ts";
import { TranslateFailure } from "./fail.ts";

export function prog(text: string): Program {
  const r = parseTgsi(text);
  if (!r.ok) throw new Error(`${r.error.line}:${r.error.column} ${r.error.message}`);
  return r.value;
}

/** Run a pass expected to fail; returns the structured error message. */
export function passError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TranslateFailure) return `${e.error.line}:${e.error.column} ${e.error.message}`;
    throw e;
  }
  throw new Error("expected the pass to fail");
}
