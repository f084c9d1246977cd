import { describe, expect, it } from "vitest";
import { CommandStream, encodeCommand, encodeCommands, shaderChunks } from "../encode/encoder.ts";
import { sampleCommands, sampleKinds } from "../encode/samples.ts";
import { Cmd, Obj, header } from "../protocol.ts";
import { decodeSubmit, walkCommands } from "./decoder.ts";
import { assembleShader, type PendingShader } from "./shader-assembler.ts";
import type { Command, CommandKind } from "./types.ts";

const one = (c: Command): Uint32Array => {
  const out: number[] = [];
  encodeCommand(c, out);
  return Uint32Array.from(out);
};
const raw = (cmd: number, obj: number, payload: number[]): Uint32Array => Uint32Array.from([header(cmd, obj, payload.length), ...payload]);

describe("decoder(encoder(x)) == x", () => {
  it("covers every accepted command kind", () => {
    // Exhaustive at compile time: adding a Command kind without listing it here fails tsc.
    const all: Record<CommandKind, true> = {
      NOP: true, CREATE_BLEND: true, CREATE_RASTERIZER: true, CREATE_DSA: true, CREATE_SHADER: true,
      CREATE_VERTEX_ELEMENTS: true, CREATE_SAMPLER_VIEW: true, CREATE_SAMPLER_STATE: true, CREATE_SURFACE: true,
      CREATE_QUERY: true, CREATE_STREAMOUT_TARGET: true, BIND_OBJECT: true, DESTROY_OBJECT: true,
      SET_VIEWPORT_STATE: true, SET_FRAMEBUFFER_STATE: true, SET_VERTEX_BUFFERS: true, CLEAR: true, DRAW_VBO: true,
      RESOURCE_INLINE_WRITE: true, SET_SAMPLER_VIEWS: true, SET_INDEX_BUFFER: true, SET_CONSTANT_BUFFER: true,
      SET_STENCIL_REF: true, SET_BLEND_COLOR: true, SET_SCISSOR_STATE: true, BLIT: true, RESOURCE_COPY_REGION: true,
      BIND_SAMPLER_STATES: true, BEGIN_QUERY: true, END_QUERY: true, GET_QUERY_RESULT: true, SET_POLYGON_STIPPLE: true,
      SET_CLIP_STATE: true, SET_SAMPLE_MASK: true, SET_STREAMOUT_TARGETS: true, SET_RENDER_CONDITION: true,
      SET_UNIFORM_BUFFER: true, SET_SUB_CTX: true, CREATE_SUB_CTX: true, DESTROY_SUB_CTX: true, BIND_SHADER: true,
      SET_MIN_SAMPLES: true, TRANSFER3D: true, END_TRANSFERS: true, COPY_TRANSFER3D: true, SET_TWEAKS: true,
      EMIT_STRING_MARKER: true, LINK_SHADER: true,
    };
    expect([...sampleKinds].sort()).toEqual(Object.keys(all).sort());
  });
  for (const c of sampleCommands) {
    it(c.kind, () => {
      const r = decodeSubmit(one(c));
      expect(r.error).toBeUndefined();
      expect(r.commands).toEqual([c]);
    });
  }
  it("a whole stream decodes in order with offsets", () => {
    const words = encodeCommands(sampleCommands);
    const r = decodeSubmit(words);
    expect(r.error).toBeUndefined();
    expect(r.commands).toEqual(sampleCommands);
    expect(r.offsets[0]).toBe(0);
    expect(r.offsets[1]).toBe(1); // NOP has no payload
  });
});

describe("Mesa submit layout", () => {
  it("skips the END_TRANSFERS padding after the reserved transfer area", () => {
    const t = sampleCommands.find((c) => c.kind === "TRANSFER3D")!;
    const words = new CommandStream(true).push({ kind: "SET_SUB_CTX", subCtx: 1 }).push(t).finish();
    expect(words.length).toBe(1024 + 2);
    const r = decodeSubmit(words);
    expect(r.error).toBeUndefined();
    expect(r.commands.map((c) => c.kind)).toEqual(["TRANSFER3D", "END_TRANSFERS", "SET_SUB_CTX"]);
  });
});

describe("length and field validation", () => {
  const cases: [string, Uint32Array, string, string][] = [
    ["payload past end", Uint32Array.from([header(Cmd.CLEAR, 0, 8), 1, 2]), "CLEAR", "length"],
    ["CLEAR short", raw(Cmd.CLEAR, 0, [4, 0, 0, 0, 0, 0, 0]), "CLEAR", "length"],
    ["unknown cmd", raw(200, 0, []), "CMD_200", "cmd"],
    ["cap-gated LAUNCH_GRID", raw(Cmd.LAUNCH_GRID, 0, [1, 1, 1, 1, 1, 1, 0, 0]), "LAUNCH_GRID", "cmd"],
    ["cap-gated TEXTURE_BARRIER", raw(Cmd.TEXTURE_BARRIER, 0, [0]), "TEXTURE_BARRIER", "cmd"],
    ["object handle 0", raw(Cmd.CREATE_OBJECT, Obj.SURFACE, [0, 1, 1, 0, 0]), "CREATE_OBJECT/SURFACE", "handle"],
    ["MSAA surface", raw(Cmd.CREATE_OBJECT, Obj.MSAA_SURFACE, [1, 1, 1, 0, 0, 4]), "CREATE_OBJECT/MSAA_SURFACE", "object_type"],
    ["geometry shader", raw(Cmd.CREATE_OBJECT, Obj.SHADER, [1, 2, 8, 10, 0, 0, 0]), "CREATE_OBJECT/SHADER", "stage"],
    ["shader SO overflow", raw(Cmd.CREATE_OBJECT, Obj.SHADER, [1, 0, 8, 10, 65]), "CREATE_OBJECT/SHADER", "so_num_outputs"],
    ["shader SO short", raw(Cmd.CREATE_OBJECT, Obj.SHADER, [1, 0, 8, 10, 2, 0, 0, 0, 0]), "CREATE_OBJECT/SHADER", "length"],
    ["nr_cbufs 9", raw(Cmd.SET_FRAMEBUFFER_STATE, 0, [9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), "SET_FRAMEBUFFER_STATE", "nr_cbufs"],
    ["nr_cbufs mismatch", raw(Cmd.SET_FRAMEBUFFER_STATE, 0, [2, 0, 1]), "SET_FRAMEBUFFER_STATE", "length"],
    ["viewport slot", raw(Cmd.SET_VIEWPORT_STATE, 0, [16, 0, 0, 0, 0, 0, 0]), "SET_VIEWPORT_STATE", "start_slot"],
    ["viewport ragged", raw(Cmd.SET_VIEWPORT_STATE, 0, [0, 0, 0]), "SET_VIEWPORT_STATE", "length"],
    ["vertex buffers ragged", raw(Cmd.SET_VERTEX_BUFFERS, 0, [1, 2]), "SET_VERTEX_BUFFERS", "length"],
    ["sampler views overflow", raw(Cmd.SET_SAMPLER_VIEWS, 0, [1, 0xffffffff, 1]), "SET_SAMPLER_VIEWS", "start_slot"],
    ["sampler stage 6", raw(Cmd.SET_SAMPLER_VIEWS, 0, [6, 0]), "SET_SAMPLER_VIEWS", "shader_type"],
    ["samplers overflow", raw(Cmd.BIND_SAMPLER_STATES, 0, [1, 31, 1, 2]), "BIND_SAMPLER_STATES", "start_slot"],
    ["index size 3", raw(Cmd.SET_INDEX_BUFFER, 0, [5, 3, 0]), "SET_INDEX_BUFFER", "index_size"],
    ["index len 2", raw(Cmd.SET_INDEX_BUFFER, 0, [5, 2]), "SET_INDEX_BUFFER", "length"],
    ["draw quads", raw(Cmd.DRAW_VBO, 0, [0, 4, 7, 0, 1, 0, 0, 0, 0, 0, 3, 0]), "DRAW_VBO", "mode"],
    ["draw indirect", raw(Cmd.DRAW_VBO, 0, new Array(20).fill(0)), "DRAW_VBO", "length"],
    ["transfer direction", raw(Cmd.TRANSFER3D, 0, [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 3]), "TRANSFER3D", "direction"],
    ["transfer negative box", raw(Cmd.TRANSFER3D, 0, [1, 0, 0, 0, 0, 0xffffffff, 0, 0, 1, 1, 1, 0, 1]), "TRANSFER3D", "box.x"],
    ["inline write no data", raw(Cmd.RESOURCE_INLINE_WRITE, 0, new Array(11).fill(0)), "RESOURCE_INLINE_WRITE", "length"],
    ["uniform buffer index", raw(Cmd.SET_UNIFORM_BUFFER, 0, [0, 32, 0, 16, 1]), "SET_UNIFORM_BUFFER", "index"],
    ["bind shader object", raw(Cmd.BIND_OBJECT, Obj.SHADER, [1]), "BIND_OBJECT", "object_type"],
    ["sampler mip filter 3", raw(Cmd.CREATE_OBJECT, Obj.SAMPLER_STATE, [1, 3 << 11, 0, 0, 0, 0, 0, 0, 0]), "CREATE_OBJECT/SAMPLER_STATE", "min_mip_filter"],
    ["swizzle 6", raw(Cmd.CREATE_OBJECT, Obj.SAMPLER_VIEW, [1, 1, 67, 0, 0, 6]), "CREATE_OBJECT/SAMPLER_VIEW", "swizzle[0]"],
    ["VE buffer index", raw(Cmd.CREATE_OBJECT, Obj.VERTEX_ELEMENTS, [1, 0, 0, 32, 30]), "CREATE_OBJECT/VERTEX_ELEMENTS", "element[0].vertex_buffer_index"],
    ["SO targets 5", raw(Cmd.SET_STREAMOUT_TARGETS, 0, [0, 1, 2, 3, 4, 5]), "SET_STREAMOUT_TARGETS", "num_targets"],
    ["string marker long", raw(Cmd.EMIT_STRING_MARKER, 0, [9, 0x41414141, 0x41414141]), "EMIT_STRING_MARKER", "string_length"],
  ];
  for (const [name, words, cmd, field] of cases) {
    it(name, () => {
      const r = decodeSubmit(words);
      expect(r.error, name).toBeDefined();
      expect(r.error!.cmd).toBe(cmd);
      expect(r.error!.field).toBe(field);
      expect(r.error!.message.length).toBeGreaterThan(0);
    });
  }

  it("stops at the first bad command but keeps what came before", () => {
    const words = Uint32Array.from([...one({ kind: "SET_SUB_CTX", subCtx: 1 }), ...raw(Cmd.CLEAR, 0, [1]), ...one({ kind: "NOP" })]);
    const r = decodeSubmit(words);
    expect(r.commands.map((c) => c.kind)).toEqual(["SET_SUB_CTX"]);
    expect(r.error?.offset).toBe(2);
  });

  it("a visitor can stop the walk, and its exceptions become errors", () => {
    const words = encodeCommands(sampleCommands);
    let n = 0;
    expect(walkCommands(words, () => ++n < 3)).toBeUndefined();
    expect(n).toBe(3);
    const err = walkCommands(words, () => {
      throw new Error("boom");
    });
    expect(err?.field).toBe("execute");
  });

  it("empty submit is fine", () => {
    expect(decodeSubmit(new Uint32Array(0))).toEqual({ commands: [], offsets: [] });
  });
});

describe("shader text chunks", () => {
  it("reassembles a text split across continuation chunks", () => {
    const text = "VERT\n" + "DCL IN[0]\n".repeat(200) + "  0: END\n";
    const chunks = shaderChunks(7, 0, text, 500, 64);
    expect(chunks.length).toBeGreaterThan(3);
    const words = encodeCommands(chunks);
    const r = decodeSubmit(words);
    expect(r.error).toBeUndefined();
    let pending: PendingShader | undefined;
    let done = "";
    for (const c of r.commands) {
      if (c.kind !== "CREATE_SHADER") throw new Error("unexpected");
      const a = assembleShader(c, pending);
      if (a.state === "error") throw new Error(a.message);
      if (a.state === "incomplete") pending = a.pending;
      else done = a.text;
    }
    expect(done).toBe(text);
  });
  it("rejects an out-of-order continuation", () => {
    const [first, , third] = shaderChunks(7, 0, "x".repeat(1000), 10, 64);
    const a = assembleShader(first as never, undefined);
    expect(a.state).toBe("incomplete");
    if (a.state !== "incomplete") return;
    expect(assembleShader(third as never, a.pending).state).toBe("error");
  });
});
