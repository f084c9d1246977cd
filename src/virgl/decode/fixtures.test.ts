// The decoder against real Mesa 22.3 traffic: every SUBMIT_CMD in the recorded vtest fixtures
// (test/fixtures/streams, GLES 3.0 reference caps) must decode without a single error, and the
// shader texts must reassemble.

import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readStreamFile } from "../../vtest/stream-io.ts";
import { decodeSubmit } from "./decoder.ts";
import { assembleShader } from "./shader-assembler.ts";

const dir = path.resolve(import.meta.dirname, "../../../test/fixtures/streams");
const files = readdirSync(dir).filter((f) => f.endsWith(".vtstream.gz")).sort();
const VCMD_SUBMIT_CMD = 6;
const VTEST_HDR_BYTES = 8;

describe("recorded Mesa streams decode cleanly", () => {
  it("fixtures exist", () => {
    expect(files.length).toBeGreaterThan(5);
  });
  for (const f of files) {
    it(f, () => {
      const { records } = readStreamFile(path.join(dir, f));
      let submits = 0;
      let commands = 0;
      let shaders = 0;
      const kinds = new Set<string>();
      for (const r of records) {
        if (r.direction !== 0 || r.cmd !== VCMD_SUBMIT_CMD) continue;
        const body = r.bytes.slice(VTEST_HDR_BYTES);
        const words = new Uint32Array(body.buffer, body.byteOffset, body.byteLength >>> 2);
        const d = decodeSubmit(words);
        expect(d.error, `${f} submit ${submits}: ${JSON.stringify(d.error)}`).toBeUndefined();
        submits++;
        commands += d.commands.length;
        for (const c of d.commands) {
          kinds.add(c.kind);
          if (c.kind === "CREATE_SHADER") {
            const a = assembleShader(c, undefined);
            expect(a.state).toBe("complete");
            if (a.state === "complete") expect(a.text).toMatch(/^(VERT|FRAG)\n/);
            shaders++;
          }
        }
      }
      expect(submits).toBeGreaterThan(0);
      expect(commands).toBeGreaterThan(submits);
      expect(kinds.has("SET_SUB_CTX")).toBe(true);
      void shaders;
    });
  }
});
