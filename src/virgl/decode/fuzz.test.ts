// Bounded fuzzing of the pure decoder: mutated Mesa-like streams and random garbage. Properties:
// nothing escapes as an exception, the walk terminates, never yields more commands than dwords,
// and every error names a command and a field.

import { describe, expect, it } from "vitest";
import { CommandStream, encodeCommands } from "../encode/encoder.ts";
import { sampleCommands } from "../encode/samples.ts";
import { assembleShader } from "./shader-assembler.ts";
import { decodeSubmit } from "./decoder.ts";

/** xorshift32: deterministic, seedable. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}
const interesting = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x3fff0001];

function mutate(base: Uint32Array, next: () => number): Uint32Array {
  let w = Array.from(base);
  const n = 1 + (next() % 4);
  for (let i = 0; i < n; i++) {
    const at = w.length ? next() % w.length : 0;
    switch (next() % 7) {
      case 0:
        w[at] = (w[at] ^ (1 << (next() % 32))) >>> 0;
        break;
      case 1:
        w[at] = interesting[next() % interesting.length];
        break;
      case 2: // header length field
        w[at] = ((w[at] & 0xffff) | ((next() % 0x10000) << 16)) >>> 0;
        break;
      case 3: // command id
        w[at] = ((w[at] & 0xffffff00) | (next() % 64)) >>> 0;
        break;
      case 4:
        w = w.slice(0, at);
        break;
      case 5:
        w.splice(at, 0, next());
        break;
      default:
        w[at] = next();
    }
  }
  return Uint32Array.from(w);
}

/** Returns a description of a violated property, or null. Plain checks: expect() is too slow here. */
function check(words: Uint32Array): string | null {
  let r: ReturnType<typeof decodeSubmit>;
  try {
    r = decodeSubmit(words);
  } catch (e) {
    return `threw ${String(e)}`;
  }
  if (r.commands.length > words.length) return "more commands than dwords";
  if (r.error && (!r.error.cmd || !r.error.field || r.error.offset >= words.length)) return `bad error ${JSON.stringify(r.error)}`;
  for (const c of r.commands) {
    if (c.kind !== "CREATE_SHADER") continue;
    try {
      assembleShader(c, undefined);
    } catch (e) {
      return `assembler threw ${String(e)}`;
    }
  }
  return r.error ? "" : null;
}

describe("decoder fuzz", () => {
  const seeds = [
    encodeCommands(sampleCommands),
    new CommandStream(true).pushAll(sampleCommands.filter((c) => c.kind !== "END_TRANSFERS")).finish(),
  ];

  it("mutated Mesa-like streams (10k cases)", () => {
    const next = rng(0xc0ffee);
    let errors = 0;
    for (let i = 0; i < 10_000; i++) {
      const words = mutate(seeds[i & 1], next);
      const v = check(words);
      if (v) throw new Error(`case ${i}: ${v}`);
      if (v === "") errors++;
    }
    expect(errors).toBeGreaterThan(500); // the mutations do hit the validators
  });

  it("random garbage (5k buffers up to 256 dwords)", () => {
    const next = rng(1234);
    for (let i = 0; i < 5_000; i++) {
      const words = new Uint32Array(next() % 257);
      for (let j = 0; j < words.length; j++) words[j] = next() % 3 === 0 ? next() % 62 | ((next() % 32) << 16) : next();
      const v = check(words);
      if (v) throw new Error(`case ${i}: ${v}`);
    }
  });

  it("a maximal header length at the end of the buffer is rejected, not read", () => {
    const r = decodeSubmit(Uint32Array.from([0xffff0007]));
    expect(r.error?.field).toBe("length");
  });
});
