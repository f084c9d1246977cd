import { describe, expect, it } from "vitest";
import { FrameParser, VtestProtocolError } from "../../src/vtest/framing.ts";
import {
  VCMD,
  encodeCapsReply,
  encodeCreateRenderer,
  encodeRequest,
  encodeTransferPut,
  vcmdName,
  type VtestMessage,
} from "../../src/vtest/protocol.ts";
import { Direction, clientBytes } from "../../src/vtest/stream-file.ts";
import { fixtureNames, loadFixture } from "./helpers.ts";

function parseAll(bytes: Uint8Array, chunk: (i: number) => number): VtestMessage[] {
  const p = new FrameParser();
  const out: VtestMessage[] = [];
  for (let off = 0, i = 0; off < bytes.byteLength; i++) {
    const n = Math.max(1, chunk(i));
    out.push(...p.push(bytes.subarray(off, off + n)));
    off += n;
  }
  expect(p.truncation()).toBeNull();
  return out;
}

/** The first client frame of `cmd` in a fixture (raw bytes as Mesa sent them). */
function recordedFrame(fixture: string, cmd: number): Uint8Array {
  const s = loadFixture(fixture);
  const p = new FrameParser();
  for (const r of s.records) {
    if (r.direction !== Direction.ClientToServer) continue;
    for (const m of p.push(r.bytes)) if (m.cmd === cmd) return m.raw;
  }
  throw new Error(`${fixture}: no ${vcmdName(cmd)}`);
}

const u32 = (b: Uint8Array, i: number): number => new DataView(b.buffer, b.byteOffset).getUint32(i * 4, true);

describe("FrameParser on recorded Mesa 22.3 streams", () => {
  for (const name of fixtureNames()) {
    it(`${name}: same messages whole, in 1-byte and in odd-sized chunks`, () => {
      const bytes = clientBytes(loadFixture(name).records);
      const whole = parseAll(bytes, () => bytes.byteLength);
      expect(whole.length).toBeGreaterThan(5);
      expect(whole[0]!.cmd).toBe(VCMD.CREATE_RENDERER);
      const sizes = [1, 3, 7, 13, 4096, 5];
      const chunked = parseAll(bytes, (i) => sizes[i % sizes.length]!);
      expect(chunked.map((m) => m.cmd)).toEqual(whole.map((m) => m.cmd));
      expect(Buffer.concat(chunked.map((m) => m.raw))).toEqual(Buffer.from(bytes));
    });
  }
  it("covers the tiny streams byte by byte", () => {
    const bytes = clientBytes(loadFixture("glxinfo").records);
    const msgs = parseAll(bytes, () => 1);
    expect(msgs.map((m) => vcmdName(m.cmd)).slice(0, 6)).toEqual([
      "CREATE_RENDERER",
      "PING_PROTOCOL_VERSION",
      "RESOURCE_BUSY_WAIT",
      "PROTOCOL_VERSION",
      "GET_CAPS2",
      "GET_CAPS",
    ]);
  });
});

describe("framing quirks", () => {
  it("CREATE_RENDERER: the length field counts bytes (recorded from glxinfo)", () => {
    const raw = recordedFrame("glxinfo", VCMD.CREATE_RENDERER);
    expect(u32(raw, 0)).toBe("glxinfo".length + 1);
    expect(raw.byteLength).toBe(8 + 8);
    const [m] = new FrameParser().push(raw);
    expect(m).toMatchObject({ cmd: VCMD.CREATE_RENDERER, name: "glxinfo" });
    // A name whose byte length is not a multiple of 4, followed by another message.
    const two = new FrameParser().push(Buffer.concat([encodeCreateRenderer("abcde"), encodeRequest(VCMD.GET_CAPS, [])]));
    expect(two.map((x) => x.cmd)).toEqual([VCMD.CREATE_RENDERER, VCMD.GET_CAPS]);
  });

  it("TRANSFER_PUT (v0): 11 dwords + data_size raw bytes, unpadded (recorded from glxgears)", () => {
    const raw = recordedFrame("glxgears", VCMD.TRANSFER_PUT);
    const dataSize = u32(raw, 2 + 10);
    expect(raw.byteLength).toBe(8 + 44 + dataSize);
    expect(u32(raw, 0)).toBe(11 + Math.ceil(dataSize / 4)); // what Mesa 22.3 puts in the length field
    // Odd data size, then a message: the data is not padded and the length field is ignored.
    const data = Uint8Array.from([1, 2, 3, 4, 5]);
    const put = encodeTransferPut(
      { handle: 3, level: 0, stride: 0, layerStride: 0, box: { x: 0, y: 0, z: 0, width: 5, height: 1, depth: 1 }, dataSize: 5 },
      data,
    );
    new DataView(put.buffer).setUint32(0, 11 + 5, true); // old Mesa: data_size + 3 / 4
    const msgs = new FrameParser().push(Buffer.concat([put, encodeRequest(VCMD.RESOURCE_UNREF, [3])]));
    expect(msgs.map((m) => m.cmd)).toEqual([VCMD.TRANSFER_PUT, VCMD.RESOURCE_UNREF]);
    expect(msgs[0]!.cmd === VCMD.TRANSFER_PUT && Array.from(msgs[0]!.data)).toEqual([1, 2, 3, 4, 5]);
  });

  it("TRANSFER_PUT2: exactly 10 dwords whatever the length field says", () => {
    const put2 = encodeRequest(VCMD.TRANSFER_PUT2, [7, 0, 0, 0, 0, 64, 64, 1, 16384, 0], 10 + 4096);
    const msgs = new FrameParser().push(Buffer.concat([put2, encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [7, 1])]));
    expect(msgs.map((m) => m.cmd)).toEqual([VCMD.TRANSFER_PUT2, VCMD.RESOURCE_BUSY_WAIT]);
    expect(msgs[0]).toMatchObject({ transfer: { handle: 7, dataSize: 16384, box: { width: 64, height: 64 } } });
  });

  it("caps replies: length = bytes + 1, as recorded", () => {
    const s = loadFixture("glxinfo");
    const caps2 = s.records.find((r) => r.direction === Direction.ServerToClient && r.cmd === VCMD.GET_CAPS2)!;
    expect(u32(caps2.bytes, 0)).toBe(1377);
    expect(u32(caps2.bytes, 1)).toBe(2);
    expect(caps2.bytes.byteLength).toBe(8 + 1376);
    const caps1 = s.records.find((r) => r.direction === Direction.ServerToClient && r.cmd === VCMD.GET_CAPS)!;
    expect([u32(caps1.bytes, 0), u32(caps1.bytes, 1), caps1.bytes.byteLength]).toEqual([309, 1, 316]);
    expect(Buffer.from(encodeCapsReply(VCMD.GET_CAPS2, caps2.bytes.subarray(8))).equals(caps2.bytes)).toBe(true);
  });
});

describe("hostile input", () => {
  const expectError = (bytes: Uint8Array, match: RegExp, limit?: number): VtestProtocolError => {
    const p = new FrameParser(limit ? { maxMessageBytes: limit } : {});
    let err: unknown;
    try {
      p.push(bytes);
    } catch (e) {
      err = e;
    }
    err ??= p.failure; // complete messages before the bad frame are returned first
    expect(err).toBeInstanceOf(VtestProtocolError);
    expect((err as Error).message).toMatch(match);
    expect(p.bufferedBytes).toBeLessThanOrEqual(bytes.byteLength); // nothing allocated for the body
    expect(() => p.push(new Uint8Array(4))).toThrow(VtestProtocolError); // stays failed
    return err as VtestProtocolError;
  };

  it("rejects a SUBMIT_CMD length beyond the limit from the header alone", () => {
    const e = expectError(encodeRequest(VCMD.SUBMIT_CMD, [], 0xffffffff), /SUBMIT_CMD length 4294967295 dwords exceeds/);
    expect(e.cmd).toBe(VCMD.SUBMIT_CMD);
    expect(e.offset).toBe(0);
  });

  it("rejects a huge TRANSFER_PUT data_size once its 11 dwords are in", () => {
    const hdr = encodeRequest(VCMD.TRANSFER_PUT, [1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0x7fffffff], 11);
    expectError(hdr, /TRANSFER_PUT data_size 2147483647 exceeds/);
  });

  it("honours a configured limit", () => {
    expectError(encodeRequest(VCMD.SUBMIT_CMD, [], 1024), /exceeds the 1024-byte/, 1024);
    expect(new FrameParser({ maxMessageBytes: 1024 }).push(encodeRequest(VCMD.SUBMIT_CMD, new Uint32Array(254)))).toHaveLength(1);
  });

  it("rejects an oversized CREATE_RENDERER name", () => {
    expectError(encodeRequest(VCMD.CREATE_RENDERER, [], 1 << 30), /CREATE_RENDERER name of 1073741824 bytes/);
  });

  it("rejects unknown commands and wrong fixed lengths, with the stream offset", () => {
    expectError(encodeRequest(99, [1, 2]), /unknown vtest command 99/);
    expectError(encodeRequest(0, []), /unknown vtest command 0/);
    const e = expectError(Buffer.concat([encodeRequest(VCMD.GET_CAPS, []), encodeRequest(VCMD.RESOURCE_BUSY_WAIT, [1, 2, 3])]), /RESOURCE_BUSY_WAIT length 3 dwords, expected 2 \(at stream offset 8\)/);
    expect(e.offset).toBe(8);
    const p = new FrameParser();
    expect(p.push(Buffer.concat([encodeRequest(VCMD.GET_CAPS, []), encodeRequest(99, [])])).map((m) => m.cmd)).toEqual([VCMD.GET_CAPS]);
    expect(p.failure?.message).toMatch(/unknown vtest command 99/);
  });

  it("reports truncated messages", () => {
    const p = new FrameParser();
    expect(p.push(encodeRequest(VCMD.SUBMIT_CMD, new Uint32Array(100)).subarray(0, 200))).toEqual([]);
    expect(p.truncation()).toMatch(/inside SUBMIT_CMD at offset 0: have 200 of 408 bytes/);
    const q = new FrameParser();
    q.push(new Uint8Array(5));
    expect(q.truncation()).toMatch(/inside a message header \(5 of 8 bytes\)/);
  });
});
