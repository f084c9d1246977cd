// Reassembles TGSI text sent in CREATE_OBJECT/SHADER chunks (virgl-protocol.md §4 "Splitting"):
// the first chunk carries the total length (incl. NUL) in offlen, continuation chunks carry their
// byte offset with bit 31 set. vrend accumulates until offset + chunk == total. We require chunks
// in order and without overlap, and stop at the first NUL.

import type { CommandOf } from "./types.ts";

type ShaderChunk = CommandOf<"CREATE_SHADER">;

export interface PendingShader {
  handle: number;
  stage: number;
  total: number;
  numTokens: number;
  streamOutput: ShaderChunk["streamOutput"];
  bytes: Uint8Array;
  filled: number;
}

export type AssembleResult =
  | { state: "incomplete"; pending: PendingShader }
  | { state: "complete"; handle: number; stage: number; numTokens: number; streamOutput: ShaderChunk["streamOutput"]; text: string }
  | { state: "error"; message: string };

function finish(p: PendingShader): AssembleResult {
  let end = p.bytes.indexOf(0);
  if (end < 0) end = p.total;
  let text = "";
  for (let i = 0; i < end; i++) text += String.fromCharCode(p.bytes[i]);
  return { state: "complete", handle: p.handle, stage: p.stage, numTokens: p.numTokens, streamOutput: p.streamOutput, text };
}

/** Feed one chunk; `pending` is the state from the previous incomplete chunk of this handle. */
export function assembleShader(chunk: ShaderChunk, pending: PendingShader | undefined): AssembleResult {
  if (!chunk.continuation) {
    const total = chunk.offlen;
    const p: PendingShader = {
      handle: chunk.handle,
      stage: chunk.stage,
      total,
      numTokens: chunk.numTokens,
      streamOutput: chunk.streamOutput,
      bytes: new Uint8Array(total),
      filled: 0,
    };
    const n = Math.min(total, chunk.text.length);
    p.bytes.set(chunk.text.subarray(0, n));
    p.filled = n;
    return p.filled >= total ? finish(p) : { state: "incomplete", pending: p };
  }
  if (!pending || pending.handle !== chunk.handle) return { state: "error", message: `continuation for shader ${chunk.handle} without a first chunk` };
  if (chunk.offlen !== pending.filled) {
    return { state: "error", message: `continuation offset ${chunk.offlen} != ${pending.filled} bytes received` };
  }
  const n = Math.min(pending.total - pending.filled, chunk.text.length);
  pending.bytes.set(chunk.text.subarray(0, n), pending.filled);
  pending.filled += n;
  return pending.filled >= pending.total ? finish(pending) : { state: "incomplete", pending };
}
