/**
 * Pass: decide how every IN/OUT/SV register maps to GLSL (attributes, varyings, built-ins, fragment outputs)
 * with a deterministic naming scheme so a VS and an FS translated separately link:
 *
 *   GENERIC[n] → webvirgl_v_generic<n>, TEXCOORD[n] → webvirgl_v_texcoord<n>, COLOR[n] → webvirgl_v_color<n>,
 *   BCOLOR[n] → webvirgl_v_bcolor<n>, FOG[n] → webvirgl_v_fog<n>, any other semantic S[n] → webvirgl_v_<s><n>.
 *   Smooth varyings are `vec4`, flat ones `flat uvec4` (raw bits, so integers survive exactly).
 *
 * The result is a plan of GLSL globals / prologue / epilogue lines and the expression each register reads as.
 */
import type { Declaration, Program } from "../ir.ts";
import type {
  AttributeInfo,
  OutputInfo,
  ScalarKind,
  ShaderKey,
  UniformInfo,
  VaryingInfo,
} from "../types.ts";
import { conv, type Kind } from "../emit/values.ts";
import { fail } from "./fail.ts";

/** sRGB transfer functions (IEC 61966-2-1) on RGB, alpha untouched; see ShaderKey.colorOutputSrgb. */
const SRGB_FUNCTIONS = {
  encode:
    "vec4 webvirgl_srgb_encode(vec4 c) { vec3 x = clamp(c.rgb, 0.0, 1.0); return vec4(mix(x * 12.92, 1.055 * pow(x, vec3(1.0 / 2.4)) - 0.055, step(vec3(0.0031308), x)), c.a); }",
  decode:
    "vec4 webvirgl_srgb_decode(vec4 c) { vec3 x = clamp(c.rgb, 0.0, 1.0); return vec4(mix(x / 12.92, pow((x + 0.055) / 1.055, vec3(2.4)), step(vec3(0.04045), x)), c.a); }",
} as const;

export interface RegExpr {
  /** A vec4-shaped GLSL expression (swizzlable). */
  expr: string;
  kind: Kind;
}

export interface IoPlan {
  globals: string[];
  prologue: string[];
  epilogue: string[];
  inputs: Map<number, RegExpr>;
  systemValues: Map<number, RegExpr>;
  /** OUT register indices in use (stored in locals o<i> / oa[i]). */
  outputRegs: number[];
  attributes: AttributeInfo[];
  varyingsIn: VaryingInfo[];
  varyingsOut: VaryingInfo[];
  outputs: OutputInfo[];
  uniforms: UniformInfo[];
  warnings: string[];
  writesDepth: boolean;
  usesDiscard: boolean;
  fragCoordOrigin: "upper_left" | "lower_left";
  fragCoordPixelCenter: "half_integer" | "integer";
  color0WritesAllCbufs: boolean;
  streamOutputVaryings: string[];
}

export function varyingName(semantic: string, index: number): string {
  return `webvirgl_v_${semantic.toLowerCase()}${index}`;
}

function kindOf(k: ScalarKind | undefined): Kind {
  return k === "int" ? "i" : k === "uint" ? "u" : "f";
}

function vec4Type(kind: Kind): string {
  return kind === "f" ? "vec4" : kind === "u" ? "uvec4" : "ivec4";
}

function semanticAt(d: Declaration, r: number): { name: string; index: number } {
  if (!d.semantic) return { name: "GENERIC", index: r };
  return { name: d.semantic.name, index: d.semantic.index + (r - d.first) };
}

const COMPARE = ["false", "<", "==", "<=", ">", "!=", ">=", "true"];

/** Output local for OUT[r]: `o<r>` or `oa[r]` when OUT is indirectly addressed. */
export function outLocal(r: number, outArray: boolean): string {
  return outArray ? `oa[${r}]` : `o${r}`;
}

export function resolveLinkage(prog: Program, key: ShaderKey, outArray: boolean): IoPlan {
  const plan: IoPlan = {
    globals: [], prologue: [], epilogue: [], inputs: new Map(), systemValues: new Map(), outputRegs: [],
    attributes: [], varyingsIn: [], varyingsOut: [], outputs: [], uniforms: [], warnings: [],
    writesDepth: false, usesDiscard: false, fragCoordOrigin: "upper_left", fragCoordPixelCenter: "half_integer",
    color0WritesAllCbufs: false, streamOutputVaryings: [],
  };
  for (const p of prog.properties) {
    if (p.name === "FS_COORD_ORIGIN") plan.fragCoordOrigin = p.value === "LOWER_LEFT" ? "lower_left" : "upper_left";
    if (p.name === "FS_COORD_PIXEL_CENTER") plan.fragCoordPixelCenter = p.value === "INTEGER" ? "integer" : "half_integer";
    if (p.name === "FS_COLOR0_WRITES_ALL_CBUFS") plan.color0WritesAllCbufs = p.value !== "0";
  }
  const clipMask = (key.clipPlaneEnable ?? 0) & 0xff;
  const ins = prog.declarations.filter((d) => d.file === "IN");
  const outs = prog.declarations.filter((d) => d.file === "OUT");
  const svs = prog.declarations.filter((d) => d.file === "SV");
  for (const d of outs) for (let r = d.first; r <= d.last; r++) plan.outputRegs.push(r);
  const isVS = prog.stage === "VERT";
  let fragCoordDone = false;
  const fragCoord = (): RegExpr => {
    if (!fragCoordDone) {
      fragCoordDone = true;
      plan.globals.push("uniform vec2 webvirgl_fragcoord_yflip;", "vec4 webvirgl_fragcoord;");
      plan.uniforms.push({
        name: "webvirgl_fragcoord_yflip", glslType: "vec2", arraySize: 0,
        purpose: "(flip, height): flip=1 when the GL window y of the render target runs opposite to info.fragCoordOrigin; then y = height - gl_FragCoord.y",
      });
      plan.prologue.push(
        "webvirgl_fragcoord = gl_FragCoord;",
        "if (webvirgl_fragcoord_yflip.x != 0.0) webvirgl_fragcoord.y = webvirgl_fragcoord_yflip.y - webvirgl_fragcoord.y;",
      );
      if (plan.fragCoordPixelCenter === "integer") plan.prologue.push("webvirgl_fragcoord.xy -= vec2(0.5);");
    }
    return { expr: "webvirgl_fragcoord", kind: "f" };
  };
  // Gallium's sprite origin counts window y downwards; the renderer's GL window coordinates are
  // numerically gallium's (rows are never flipped), so GL's upper-left gl_PointCoord is gallium's
  // LOWER_LEFT and gallium's UPPER_LEFT is its flip (the same reason the GL front face is the
  // opposite of front_ccw).
  const pointCoord = (): RegExpr => ({
    expr: key.spriteCoordLowerLeft
      ? "vec4(gl_PointCoord, 0.0, 1.0)"
      : "vec4(gl_PointCoord.x, 1.0 - gl_PointCoord.y, 0.0, 1.0)",
    kind: "f",
  });

  // ---- system values (both stages)
  for (const d of svs) {
    for (let r = d.first; r <= d.last; r++) {
      const sem = d.semantic?.name ?? "";
      let e: RegExpr;
      switch (sem) {
        case "INSTANCEID":
          e = { expr: "ivec4(gl_InstanceID, 0, 0, 0)", kind: "i" };
          break;
        case "VERTEXID":
        case "VERTEXID_NOBASE":
          e = { expr: "ivec4(gl_VertexID, 0, 0, 0)", kind: "i" };
          break;
        case "BASEVERTEX":
        case "BASEINSTANCE":
        case "DRAWID":
        case "SAMPLEID":
        case "PRIM_ID":
          plan.warnings.push(`SV ${sem} is not available in GLSL ES 3.00: reads 0`);
          e = { expr: "ivec4(0)", kind: "i" };
          break;
        case "FACE":
          e = { expr: "uvec4(gl_FrontFacing ? 0xffffffffu : 0u, 0u, 0u, 0u)", kind: "u" };
          break;
        case "POSITION":
          if (isVS) fail(d.loc, "SV POSITION in a vertex shader");
          e = fragCoord();
          break;
        case "SAMPLEPOS":
          plan.warnings.push("SV SAMPLEPOS approximated as the pixel centre");
          e = { expr: "vec4(0.5, 0.5, 0.0, 0.0)", kind: "f" };
          break;
        case "SAMPLEMASK":
          plan.warnings.push("SV SAMPLEMASK approximated as all samples");
          e = { expr: "ivec4(-1, 0, 0, 0)", kind: "i" };
          break;
        case "HELPER_INVOCATION":
          e = { expr: "uvec4(0u)", kind: "u" };
          break;
        default:
          fail(d.loc, `system value ${sem || "(none)"} is not supported on a WebGL2 host`);
      }
      plan.systemValues.set(r, e);
    }
  }

  if (isVS) {
    for (const d of ins) {
      for (let r = d.first; r <= d.last; r++) {
        const kind = kindOf(key.attributeTypes?.[r]);
        const name = `webvirgl_attr${r}`;
        plan.globals.push(`layout(location = ${r}) in ${kind === "f" ? "highp " : ""}${vec4Type(kind)} ${name};`);
        plan.attributes.push({ index: r, location: r, name, kind: kind === "f" ? "float" : kind === "i" ? "int" : "uint" });
        plan.inputs.set(r, { expr: name, kind });
      }
    }
    const requested = new Map<string, VaryingInfo>();
    for (const v of key.fsInputs ?? []) requested.set(v.name, v);
    const declared = new Set<string>();
    let positionReg = -1;
    let clipVertexReg = -1;
    const clipDistRegs: number[] = [];
    let wroteSize = false;
    for (const d of outs) {
      for (let r = d.first; r <= d.last; r++) {
        const o = outLocal(r, outArray);
        const sem = semanticAt(d, r);
        switch (sem.name) {
          case "POSITION":
            positionReg = r;
            if (d.invariant) plan.globals.push("invariant gl_Position;");
            plan.epilogue.push(`gl_Position = uintBitsToFloat(${o});`);
            plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name: "gl_Position" });
            continue;
          case "PSIZE":
            wroteSize = true;
            plan.epilogue.push(`gl_PointSize = uintBitsToFloat(${o}.x);`);
            plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name: "gl_PointSize" });
            continue;
          case "CLIPVERTEX":
            clipVertexReg = r;
            plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name: "webvirgl_clipdist*" });
            continue;
          case "CLIPDIST":
            clipDistRegs[sem.index] = r;
            plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name: `webvirgl_clipdist${sem.index}` });
            continue;
          case "EDGEFLAG":
          case "LAYER":
          case "VIEWPORT_INDEX":
          case "VIEWPORT_MASK":
          case "PRIM_ID":
            plan.warnings.push(`VS output ${sem.name} ignored (not available in GLSL ES 3.00)`);
            continue;
          default:
            break;
        }
        const name = varyingName(sem.name, sem.index);
        if (declared.has(name)) fail(d.loc, `two outputs with semantic ${sem.name}[${sem.index}]`);
        declared.add(name);
        const req = requested.get(name);
        const flat = req?.flat ?? false;
        const centroid = req?.centroid ?? false;
        const info: VaryingInfo = {
          name, semantic: sem.name, semanticIndex: sem.index, flat, centroid, glslType: flat ? "uvec4" : "vec4",
        };
        plan.varyingsOut.push(info);
        plan.globals.push(`${flat ? "flat " : ""}${centroid ? "centroid " : ""}out ${info.glslType} ${name};`);
        let value = flat ? o : `uintBitsToFloat(${o})`;
        if (!flat && key.clampVertexColor && (sem.name === "COLOR" || sem.name === "BCOLOR")) value = `clamp(${value}, 0.0, 1.0)`;
        plan.epilogue.push(`${name} = ${value};`);
        plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name });
      }
    }
    for (const v of key.fsInputs ?? []) {
      if (declared.has(v.name)) continue;
      declared.add(v.name);
      plan.globals.push(`${v.flat ? "flat " : ""}${v.centroid ? "centroid " : ""}out ${v.flat ? "uvec4" : "vec4"} ${v.name};`);
      // BCOLOR defaults to COLOR when the VS has no back colour (GL behaviour with two-sided lighting off).
      const front = v.semantic === "BCOLOR" ? varyingName("COLOR", v.semanticIndex) : "";
      const frontInfo = plan.varyingsOut.find((x) => x.name === front);
      if (frontInfo && frontInfo.flat === v.flat) plan.epilogue.push(`${v.name} = ${front};`);
      else plan.epilogue.push(`${v.name} = ${v.flat ? "uvec4(0u)" : "vec4(0.0, 0.0, 0.0, 1.0)"};`);
      plan.varyingsOut.push({ ...v, glslType: v.flat ? "uvec4" : "vec4" });
    }
    if (clipMask !== 0) {
      plan.globals.push("out vec4 webvirgl_clipdist0;", "out vec4 webvirgl_clipdist1;");
      if (clipDistRegs.length > 0) {
        for (let i = 0; i < 2; i++) {
          const r = clipDistRegs[i];
          plan.epilogue.push(`webvirgl_clipdist${i} = ${r === undefined ? "vec4(0.0)" : `uintBitsToFloat(${outLocal(r, outArray)})`};`);
        }
      } else {
        plan.globals.push("uniform vec4 webvirgl_clip_planes[8];");
        plan.uniforms.push({ name: "webvirgl_clip_planes", glslType: "vec4", arraySize: 8, purpose: "SET_CLIP_STATE user clip planes (clip space)" });
        const cvReg = clipVertexReg >= 0 ? clipVertexReg : positionReg;
        const cv = cvReg >= 0 ? `uintBitsToFloat(${outLocal(cvReg, outArray)})` : "gl_Position";
        plan.epilogue.push(`{ vec4 cv = ${cv};`);
        for (let i = 0; i < 2; i++) {
          const parts = [0, 1, 2, 3].map((c) => `dot(cv, webvirgl_clip_planes[${i * 4 + c}])`);
          plan.epilogue.push(`  webvirgl_clipdist${i} = vec4(${parts.join(", ")});`);
        }
        plan.epilogue.push("}");
      }
    }
    if (!wroteSize) {
      plan.globals.push("uniform float webvirgl_point_size;");
      plan.uniforms.push({ name: "webvirgl_point_size", glslType: "float", arraySize: 0, purpose: "rasterizer point_size (VS writes no PSIZE)" });
      plan.epilogue.push("gl_PointSize = max(webvirgl_point_size, 1.0);");
    }
    (key.streamOutput ?? []).forEach((so, i) => {
      const d = outs.find((x) => so.registerIndex >= x.first && so.registerIndex <= x.last);
      if (!d) fail(null, `stream output ${i} names OUT[${so.registerIndex}], which is not declared`);
      const start = so.startComponent & 3;
      const n = Math.max(1, Math.min(4 - start, so.numComponents));
      const name = `webvirgl_so${i}`;
      plan.globals.push(`flat out ${n === 1 ? "uint" : `uvec${n}`} ${name};`);
      plan.epilogue.push(`${name} = ${outLocal(so.registerIndex, outArray)}.${"xyzw".slice(start, start + n)};`);
      plan.streamOutputVaryings.push(name);
    });
    plan.globals.push("uniform float webvirgl_yflip;");
    plan.uniforms.push({ name: "webvirgl_yflip", glslType: "float", arraySize: 0, purpose: "non-zero: negate gl_Position.y (render-target y flip)" });
    plan.epilogue.push("if (webvirgl_yflip != 0.0) gl_Position.y = -gl_Position.y;");
    return plan;
  }

  // ---- fragment shader
  const sprite = key.spriteCoordEnable ?? 0;
  const declaredIn = new Set<string>();
  const declareVarying = (v: VaryingInfo): void => {
    if (declaredIn.has(v.name)) return;
    declaredIn.add(v.name);
    plan.varyingsIn.push(v);
    plan.globals.push(`${v.flat ? "flat " : ""}${v.centroid ? "centroid " : ""}in ${v.glslType} ${v.name};`);
  };
  for (const d of ins) {
    for (let r = d.first; r <= d.last; r++) {
      const sem = semanticAt(d, r);
      if (sem.name === "POSITION") {
        plan.inputs.set(r, fragCoord());
        continue;
      }
      if (sem.name === "FACE") {
        plan.inputs.set(r, { expr: "vec4(gl_FrontFacing ? 1.0 : -1.0, 0.0, 0.0, 1.0)", kind: "f" });
        continue;
      }
      if (sem.name === "PCOORD" || (sem.name === "TEXCOORD" && sem.index < 32 && (sprite >>> sem.index) & 1)) {
        plan.inputs.set(r, pointCoord());
        continue;
      }
      if (sem.name === "PRIM_ID" || sem.name === "LAYER" || sem.name === "VIEWPORT_INDEX") {
        plan.warnings.push(`FS input ${sem.name} is not available in GLSL ES 3.00: reads 0`);
        plan.inputs.set(r, { expr: "uvec4(0u)", kind: "u" });
        continue;
      }
      if (d.interpolation === "LINEAR" ) plan.warnings.push(`IN[${r}] LINEAR (noperspective) interpolated perspective-correct`);
      if (d.location === "SAMPLE") plan.warnings.push(`IN[${r}] SAMPLE interpolation approximated as centre`);
      const flat = d.interpolation === "CONSTANT" || (d.interpolation === "COLOR" && !!key.flatshade);
      const centroid = d.location === "CENTROID";
      const v: VaryingInfo = {
        name: varyingName(sem.name, sem.index), semantic: sem.name, semanticIndex: sem.index, flat, centroid,
        glslType: flat ? "uvec4" : "vec4",
      };
      declareVarying(v);
      const kind: Kind = flat ? "u" : "f";
      if (sem.name === "COLOR" && key.twoSide) {
        const b: VaryingInfo = { ...v, name: varyingName("BCOLOR", sem.index), semantic: "BCOLOR" };
        declareVarying(b);
        plan.inputs.set(r, { expr: `(gl_FrontFacing ? ${v.name} : ${b.name})`, kind });
      } else {
        plan.inputs.set(r, { expr: v.name, kind });
      }
    }
  }
  if (clipMask !== 0) {
    plan.globals.push("in vec4 webvirgl_clipdist0;", "in vec4 webvirgl_clipdist1;");
    const conds: string[] = [];
    for (let i = 0; i < 8; i++) if (clipMask & (1 << i)) conds.push(`webvirgl_clipdist${i >> 2}.${"xyzw"[i & 3]} < 0.0`);
    plan.prologue.push(`if (${conds.join(" || ")}) discard;`);
    plan.usesDiscard = true;
  }
  const nr = Math.max(1, Math.min(8, key.nrCbufs ?? 1));
  const colorLocs = new Set<number>();
  for (const d of outs) {
    for (let r = d.first; r <= d.last; r++) {
      const o = outLocal(r, outArray);
      const sem = semanticAt(d, r);
      if (sem.name === "POSITION") {
        plan.writesDepth = true;
        plan.prologue.push(`${o} = floatBitsToUint(vec4(0.0, 0.0, gl_FragCoord.z, 0.0));`);
        plan.epilogue.push(`gl_FragDepth = uintBitsToFloat(${o}.z);`);
        plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name: "gl_FragDepth" });
        continue;
      }
      if (sem.name !== "COLOR") {
        plan.warnings.push(`FS output ${sem.name} ignored (not available in GLSL ES 3.00)`);
        continue;
      }
      const locs = sem.index === 0 && plan.color0WritesAllCbufs ? Array.from({ length: nr }, (_, i) => i) : [sem.index];
      for (const loc of locs) {
        if (loc > 7) fail(d.loc, `colour output ${loc} exceeds 8 draw buffers`);
        if (colorLocs.has(loc)) continue;
        colorLocs.add(loc);
        const kind = kindOf(key.colorOutputTypes?.[loc]);
        const name = `webvirgl_fragcolor${loc}`;
        plan.globals.push(`layout(location = ${loc}) out ${vec4Type(kind)} ${name};`);
        let value = conv({ code: o, kind: "u", n: 4 }, kind).code;
        if (kind === "f" && (key.clampFragmentColor || key.colorOutputClamp?.[loc])) value = `clamp(${value}, 0.0, 1.0)`;
        const srgb = kind === "f" ? key.colorOutputSrgb?.[loc] : undefined;
        if (srgb) {
          const fn = `webvirgl_srgb_${srgb}`;
          if (!plan.globals.some((g) => g.startsWith(`vec4 ${fn}(`))) plan.globals.push(SRGB_FUNCTIONS[srgb]);
          value = `${fn}(${value})`;
        }
        plan.epilogue.push(`${name} = ${value};`);
        plan.outputs.push({ index: r, semantic: sem.name, semanticIndex: sem.index, name, location: loc });
        if (loc === 0 && key.alphaFunc !== undefined && key.alphaFunc !== 7 && kind === "f") {
          const f = key.alphaFunc;
          plan.usesDiscard = true;
          if (f === 0) plan.epilogue.push("discard;");
          else {
            plan.globals.push("uniform float webvirgl_alpha_ref;");
            plan.uniforms.push({ name: "webvirgl_alpha_ref", glslType: "float", arraySize: 0, purpose: "DSA alpha_ref (alpha test)" });
            plan.epilogue.push(`if (!(${name}.a ${COMPARE[f] ?? "<"} webvirgl_alpha_ref)) discard;`);
          }
        }
      }
    }
  }
  return plan;
}
