// Polygon modes POINT and LINE (glPolygonMode; WebGL2 only fills) for triangle draws, with edge
// flags (pure). GL draws each triangle of the draw as its vertices (POINT) or its edges (LINE);
// a vertex whose edge flag is false is not drawn as a point, and an edge starting at such a vertex
// is not drawn (edge flags apply to independent triangles only). The draw path turns the draw
// into an index list of the original vertex numbers (so gl_VertexID and attributes stay
// untouched) drawn as POINTS or LINES.
//
// Exact only when both faces use the same mode and nothing is culled: which triangles face
// front is known only after the vertex shader, so other combinations are left filled (callers
// check emulatedPolygonMode()).
//
// Edge flags reach the host as a vertex-shader EDGEFLAG output; Mesa's state tracker writes it as
// a plain copy of an input (`MOV OUT[e], IN[i]`), so the flag of vertex v is attribute i of v.

import { Prim } from "../protocol.ts";
import { captureList } from "./prim-decompose.ts";

/** PIPE_POLYGON_MODE_*. */
export const PolygonMode = { FILL: 0, LINE: 1, POINT: 2 } as const;

/**
 * The mode to emulate for a draw, or undefined (fill, or not emulable): rasterizer S0 bits
 * cull_face 8-9, fill_front 10-11, fill_back 12-13.
 */
export function emulatedPolygonMode(s0: number, mode: number): number | undefined {
  if (mode !== Prim.TRIANGLES && mode !== Prim.TRIANGLE_STRIP && mode !== Prim.TRIANGLE_FAN) return undefined;
  const cull = (s0 >> 8) & 3;
  const front = (s0 >> 10) & 3;
  const back = (s0 >> 12) & 3;
  if (cull !== 0 || front !== back || front === PolygonMode.FILL || front > PolygonMode.POINT) return undefined;
  return front;
}

/** The vertex-shader input copied to the EDGEFLAG output (Mesa's `MOV OUT[e], IN[i]`), if any. */
export function edgeFlagInput(vs: { readonly text: string }): number | undefined {
  let known = edgeFlagInputs.get(vs);
  if (known === undefined) edgeFlagInputs.set(vs, (known = scanEdgeFlagInput(vs.text)));
  return known ?? undefined;
}

/** Per shader object, scanned once (null: no edge-flag input), not per draw. */
const edgeFlagInputs = new WeakMap<object, number | null>();

function scanEdgeFlagInput(tgsi: string): number | null {
  const decl = /DCL OUT\[(\d+)\],\s*EDGEFLAG/.exec(tgsi);
  if (!decl) return null;
  const mov = new RegExp(`MOV OUT\\[${decl[1]}\\](?:\\.[xyzw]+)?,\\s*IN\\[(\\d+)\\]`).exec(tgsi);
  return mov ? Number(mov[1]) : null;
}

/**
 * Index list (original vertex numbers) drawing the triangles of `seq` as points or lines.
 * `edge(v)` is vertex v's edge flag (all true without edge flags).
 */
export function polygonModeList(mode: number, polygonMode: number, seq: Uint32Array, restart: number | undefined, edge: (v: number) => boolean): Uint32Array {
  const tris = captureList(mode, seq, restart, false);
  if (typeof tris === "string") return new Uint32Array(0);
  const t = tris.vertices;
  // GL applies edge flags to independent triangles only (not to strips and fans)
  const flag = mode === Prim.TRIANGLES ? edge : () => true;
  const out: number[] = [];
  for (let i = 0; i + 2 < t.length; i += 3) {
    if (polygonMode === PolygonMode.POINT) {
      for (let k = 0; k < 3; k++) if (flag(t[i + k])) out.push(t[i + k]);
    } else {
      for (let k = 0; k < 3; k++) if (flag(t[i + k])) out.push(t[i + k], t[i + ((k + 1) % 3)]);
    }
  }
  return Uint32Array.from(out);
}

/** Edge flag of vertex v: its attribute element (`bytes` at `offset + v * stride`) is not all zero; beyond the buffer: true (GL's default flag). */
export function edgeFlagOf(src: Uint8Array, offset: number, stride: number, bytes: number): (v: number) => boolean {
  return (v) => {
    const at = offset + v * stride;
    if (at < 0 || at + bytes > src.length) return true;
    for (let k = 0; k < bytes; k++) if (src[at + k] !== 0) return true;
    return false;
  };
}
