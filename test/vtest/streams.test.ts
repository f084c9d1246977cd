import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { VCMD } from "../../src/vtest/protocol.ts";
import { referenceRecordingPort } from "../../src/vtest/capsets.ts";
import { clientMessages, replayStream } from "../../src/vtest/replay.ts";
import {
  Direction,
  StreamFormatError,
  encodeStreamHeader,
  encodeStreamRecord,
  parseStream,
} from "../../src/vtest/stream-file.ts";
import { createStreamRecorder, readStreamFile } from "../../src/vtest/stream-io.ts";
import { serializeStream, stripTransferGetReplies, truncateAfterFrames } from "../../src/vtest/stream-tools.ts";
import { describeStream, summarizeCommands } from "../../src/vtest/stream-dump.ts";
import { walkCommands } from "../../src/vtest/ccmd.ts";
import { fixtureNames, loadFixture, tempDir } from "./helpers.ts";

describe("stream file format", () => {
  it("round-trips header and records, with padding", () => {
    const bytes = Buffer.concat([
      encodeStreamHeader({ tool: "t", createdAt: "now", client: "x" }),
      encodeStreamRecord({ direction: Direction.ClientToServer, cmd: 8, timeMs: 1, bytes: Uint8Array.from([1, 2, 3]) }),
      encodeStreamRecord({ direction: Direction.Note, cmd: 0, timeMs: 2, bytes: new TextEncoder().encode("hi") }),
      encodeStreamRecord({ direction: Direction.ServerToClient, cmd: 9, timeMs: 3, bytes: new Uint8Array(0) }),
    ]);
    expect(bytes.byteLength % 4).toBe(0);
    const s = parseStream(bytes);
    expect(s.meta).toEqual({ tool: "t", createdAt: "now", client: "x" });
    expect(s.records.map((r) => [r.direction, r.cmd, r.timeMs, Array.from(r.bytes)])).toEqual([
      [0, 8, 1, [1, 2, 3]],
      [2, 0, 2, [104, 105]],
      [1, 9, 3, []],
    ]);
    expect(Buffer.from(serializeStream(s)).equals(bytes)).toBe(true);
  });

  it("rejects bad magic, versions and truncation with context", () => {
    expect(() => parseStream(new Uint8Array(32))).toThrow(StreamFormatError);
    const hdr = encodeStreamHeader({ tool: "t", createdAt: "now" });
    const rec = encodeStreamRecord({ direction: 0, cmd: 1, timeMs: 0, bytes: new Uint8Array(8) });
    expect(() => parseStream(Buffer.concat([hdr, rec.subarray(0, 20)]))).toThrow(/runs past the end/);
    const v2 = Uint8Array.from(hdr);
    v2[8] = 2;
    expect(() => parseStream(v2)).toThrow(/format version 2/);
  });

  it("recorder writes plain and gzip files that the reader loads", async () => {
    const dir = tempDir();
    for (const file of ["a.vtstream", "b.vtstream.gz"]) {
      const rec = createStreamRecorder(join(dir, file), { tool: "t", createdAt: "now" });
      rec.record(Direction.ClientToServer, 10, Uint8Array.from([0, 0, 0, 0, 10, 0, 0, 0]));
      rec.note("hello");
      await rec.close();
      const s = readStreamFile(join(dir, file));
      expect(s.records).toHaveLength(2);
      expect(new TextDecoder().decode(s.records[1]!.bytes)).toBe("hello");
    }
  });

  it("make-fixture tools cut after N frames and strip TRANSFER_GET payloads", () => {
    const s = loadFixture("glxgears");
    expect(s.meta["truncatedAfterFrames"]).toBe(10);
    const five = truncateAfterFrames(s, 5);
    const gets = (x: typeof s): number => x.records.filter((r) => r.direction === Direction.ServerToClient && r.cmd === VCMD.TRANSFER_GET).length;
    expect(gets(five)).toBe(5);
    expect(stripTransferGetReplies(five).records.every((r) => r.cmd !== VCMD.TRANSFER_GET || r.direction !== 1 || r.bytes.byteLength === 0)).toBe(true);
    const dir = tempDir();
    writeFileSync(join(dir, "x.vtstream.gz"), gzipSync(serializeStream(five)));
    expect(readStreamFile(join(dir, "x.vtstream.gz")).records).toHaveLength(five.records.length);
  });

  it("dump lists every message", () => {
    const lines = describeStream(loadFixture("glxinfo"));
    expect(lines.some((l) => /-> CREATE_RENDERER name="glxinfo"/.test(l))).toBe(true);
    expect(lines.some((l) => /<- GET_CAPS2 reply 1384 bytes/.test(l))).toBe(true);
  });
});

describe("fixtures", () => {
  it("are small and recorded at protocol 0", () => {
    const names = fixtureNames();
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const n of names) {
      const s = loadFixture(n);
      expect(s.meta["servedVersion"], n).toBe(0);
      const note = s.records.find((r) => r.direction === Direction.Note);
      expect(new TextDecoder().decode(note!.bytes), n).toBe("client offered protocol 2, negotiated 0");
    }
  });

  it("use only v0 commands and never the v2 shared-memory ones", () => {
    const seen = new Set<number>();
    for (const n of fixtureNames()) for (const m of clientMessages(loadFixture(n))) seen.add(m.cmd);
    for (const v2 of [VCMD.RESOURCE_CREATE2, VCMD.TRANSFER_GET2, VCMD.TRANSFER_PUT2]) expect(seen.has(v2)).toBe(false);
    for (const v0 of [VCMD.RESOURCE_CREATE, VCMD.TRANSFER_PUT, VCMD.TRANSFER_GET, VCMD.SUBMIT_CMD, VCMD.RESOURCE_BUSY_WAIT]) {
      expect(seen.has(v0)).toBe(true);
    }
  });
});

describe("virgl command buffers in the fixtures", () => {
  it("every submit is a whole sequence of commands; v0 means no encoded transfers", () => {
    const union = new Set<string>();
    for (const n of fixtureNames()) {
      for (const m of clientMessages(loadFixture(n))) {
        if (m.cmd !== VCMD.SUBMIT_CMD) continue;
        const w = walkCommands(m.commands);
        expect(w.error, n).toBeNull();
        for (const k of w.counts.keys()) union.add(k);
      }
    }
    expect(union.has("DRAW_VBO")).toBe(true);
    expect(union.has("CREATE_OBJECT/SHADER")).toBe(true);
    expect(union.has("TRANSFER3D")).toBe(false);
    expect(union.has("END_TRANSFERS")).toBe(false);
    expect(union.has("COPY_TRANSFER3D")).toBe(false);
  });

  it("summarises glxgears: 10 frames of 12 draws", () => {
    const lines = summarizeCommands(loadFixture("glxgears"));
    expect(lines).toContain("   120 DRAW_VBO");
    expect(lines).toContain("    10 CLEAR");
  });

  it("walkCommands reports a header that overruns the buffer", () => {
    expect(walkCommands(Uint32Array.of(8 | (5 << 16), 0)).error).toMatch(/claims 5 dwords, 1 remain/);
  });
});

describe("replay into the recording port", () => {
  for (const name of fixtureNames()) {
    it(`${name}: replays with the recorded reply sizes and order`, async () => {
      const s = loadFixture(name);
      const port = referenceRecordingPort();
      const r = await replayStream(s, port);
      expect(r.protocolVersion).toBe(0);
      const recorded = s.records.filter((x) => x.direction === Direction.ServerToClient);
      expect(r.replies).toHaveLength(recorded.length);
      recorded.forEach((rec, i) => {
        const stripped = rec.cmd === VCMD.TRANSFER_GET && s.meta["replyDataStripped"] === true;
        if (!stripped) expect(Buffer.from(r.replies[i]!).equals(rec.bytes), `reply ${i} (cmd ${rec.cmd})`).toBe(true);
      });
      expect(port.stats.contexts).toBe(1);
      expect(port.stats.submits).toBeGreaterThan(0);
    });
  }

  it("answers the front-buffer BUSY_WAIT before the TRANSFER_GET data (glxgears)", async () => {
    const s = loadFixture("glxgears");
    const r = await replayStream(s, referenceRecordingPort());
    const sizes = r.replies.map((b) => b.byteLength);
    const firstFrame = sizes.indexOf(1216 * 300);
    expect(firstFrame).toBeGreaterThan(0);
    expect(sizes[firstFrame - 1]).toBe(12); // the busy-wait reply came first
  });
});
