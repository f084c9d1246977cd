// Walks a virgl command buffer (SUBMIT_CMD payload) by its headers, without interpreting the
// commands: `header = cmd | object_type << 8 | length << 16`, then `length` dwords.
// Used to summarise recorded streams; the real decoder lives in src/virgl/.

const CCMD_NAMES = (
  "NOP CREATE_OBJECT BIND_OBJECT DESTROY_OBJECT SET_VIEWPORT_STATE SET_FRAMEBUFFER_STATE SET_VERTEX_BUFFERS CLEAR " +
  "DRAW_VBO RESOURCE_INLINE_WRITE SET_SAMPLER_VIEWS SET_INDEX_BUFFER SET_CONSTANT_BUFFER SET_STENCIL_REF " +
  "SET_BLEND_COLOR SET_SCISSOR_STATE BLIT RESOURCE_COPY_REGION BIND_SAMPLER_STATES BEGIN_QUERY END_QUERY " +
  "GET_QUERY_RESULT SET_POLYGON_STIPPLE SET_CLIP_STATE SET_SAMPLE_MASK SET_STREAMOUT_TARGETS SET_RENDER_CONDITION " +
  "SET_UNIFORM_BUFFER SET_SUB_CTX CREATE_SUB_CTX DESTROY_SUB_CTX BIND_SHADER SET_TESS_STATE SET_MIN_SAMPLES " +
  "SET_SHADER_BUFFERS SET_SHADER_IMAGES MEMORY_BARRIER LAUNCH_GRID SET_FRAMEBUFFER_STATE_NO_ATTACH TEXTURE_BARRIER " +
  "SET_ATOMIC_BUFFERS SET_DEBUG_FLAGS GET_QUERY_RESULT_QBO TRANSFER3D END_TRANSFERS COPY_TRANSFER3D SET_TWEAKS " +
  "CLEAR_TEXTURE PIPE_RESOURCE_CREATE PIPE_RESOURCE_SET_TYPE GET_MEMORY_INFO EMIT_STRING_MARKER LINK_SHADER " +
  "CREATE_VIDEO_CODEC DESTROY_VIDEO_CODEC CREATE_VIDEO_BUFFER DESTROY_VIDEO_BUFFER BEGIN_FRAME DECODE_MACROBLOCK " +
  "DECODE_BITSTREAM ENCODE_BITSTREAM END_FRAME"
).split(" ");

const OBJ_NAMES = "NULL BLEND RASTERIZER DSA SHADER VERTEX_ELEMENTS SAMPLER_VIEW SAMPLER_STATE SURFACE QUERY STREAMOUT_TARGET MSAA_SURFACE".split(" ");

/** "CREATE_OBJECT/SHADER", "DRAW_VBO", "UNKNOWN(99)"... */
export function ccmdName(cmd: number, objType: number): string {
  const name = CCMD_NAMES[cmd] ?? `UNKNOWN(${cmd})`;
  return cmd >= 1 && cmd <= 3 && objType !== 0 ? `${name}/${OBJ_NAMES[objType] ?? objType}` : name;
}

export interface CommandWalk {
  /** Command name -> count. */
  counts: Map<string, number>;
  /** Set when a header claims more dwords than remain. */
  error: string | null;
}

export function walkCommands(buf: Uint32Array): CommandWalk {
  const counts = new Map<string, number>();
  let off = 0;
  while (off < buf.length) {
    const h = buf[off]!;
    const len = h >>> 16;
    if (off + 1 + len > buf.length) {
      return { counts, error: `command header 0x${h.toString(16)} at dword ${off} claims ${len} dwords, ${buf.length - off - 1} remain` };
    }
    const name = ccmdName(h & 0xff, (h >>> 8) & 0xff);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    off += 1 + len;
  }
  return { counts, error: null };
}
