// The renderer's narrow view of the TGSI → GLSL ES translator (src/shader, owned by another
// engineer). Everything the draw path needs from a translation is listed here, so the translator
// can evolve behind `translatorFromShaderModule` without touching the renderer.

import { translateTgsi } from "../../shader/index.ts";
import type { ShaderKey } from "../../shader/index.ts";

export type { ShaderKey };

export interface TranslatedShader {
  glsl: string;
  /** VS: attribute locations by TGSI IN index, with their scalar kind. */
  attributes: { index: number; location: number; kind: "float" | "int" | "uint" }[];
  /** FS: varyings read, to pass back as the VS key's fsInputs. */
  inputs: NonNullable<ShaderKey["fsInputs"]>;
  samplers: { index: number; name: string }[];
  uniformBlocks: { name: string; bufferIndex: number }[];
  uniforms: { name: string }[];
  constantBuffer0Size: number;
  /** VS with key.streamOutput: transform-feedback varying names, one per stream output, in order. */
  streamOutputVaryings: string[];
  warnings: string[];
}

export type TranslateOutcome = { ok: true; shader: TranslatedShader } | { ok: false; message: string };

export interface ShaderTranslator {
  translate(tgsi: string, key: ShaderKey): TranslateOutcome;
}

/** Adapter over src/shader's translateTgsi. */
export const translatorFromShaderModule: ShaderTranslator = {
  translate(tgsi, key) {
    const r = translateTgsi(tgsi, key);
    if (!r.ok) return { ok: false, message: `line ${r.error.line}:${r.error.column}: ${r.error.message}` };
    const i = r.info;
    return {
      ok: true,
      shader: {
        glsl: r.glsl,
        attributes: i.attributes.map((a) => ({ index: a.index, location: a.location, kind: a.kind })),
        inputs: i.inputs,
        samplers: i.samplers.map((s) => ({ index: s.index, name: s.name })),
        uniformBlocks: i.uniformBlocks.map((b) => ({ name: b.name, bufferIndex: b.bufferIndex })),
        uniforms: i.uniforms.map((u) => ({ name: u.name })),
        constantBuffer0Size: i.constantBuffer0Size,
        streamOutputVaryings: i.streamOutputVaryings,
        warnings: i.warnings,
      },
    };
  },
};
