// WebGL sampler objects for SAMPLER_STATE objects, cached per state object (freed when the state
// object is destroyed or the context goes away).

import { compareFunc, magFilter, minFilter, wrapMode } from "../conv/state.ts";
import type { CommandOf } from "../decode/types.ts";
import type { ExecEnv } from "./exec-env.ts";

const TEXTURE_WRAP_S = 0x2802;
const TEXTURE_WRAP_T = 0x2803;
const TEXTURE_WRAP_R = 0x8072;
const TEXTURE_MIN_FILTER = 0x2801;
const TEXTURE_MAG_FILTER = 0x2800;
const TEXTURE_MIN_LOD = 0x813a;
const TEXTURE_MAX_LOD = 0x813b;
const TEXTURE_COMPARE_MODE = 0x884c;
const TEXTURE_COMPARE_FUNC = 0x884d;
const COMPARE_REF_TO_TEXTURE = 0x884e;

export type SamplerVariants = Map<object, { normal?: WebGLSampler; nearest?: WebGLSampler }>;

export type SamplerDesc = CommandOf<"CREATE_SAMPLER_STATE">["state"];

/**
 * WebGL sampler for a SAMPLER_STATE object; integer and non-comparing depth textures need nearest
 * filtering whatever the state says, so each state has up to two variants.
 */
export function samplerFor(env: ExecEnv, cache: SamplerVariants, ss: SamplerDesc, forceNearest: boolean): WebGLSampler {
  let variants = cache.get(ss);
  if (!variants) {
    variants = {};
    cache.set(ss, variants);
  }
  const hit = forceNearest ? variants.nearest : variants.normal;
  if (hit) return hit;
  const { gl } = env;
  const s = env.objs.sampler();
  gl.samplerParameteri(s, TEXTURE_WRAP_S, wrapMode(ss.wrapS)?.gl ?? 0x812f);
  gl.samplerParameteri(s, TEXTURE_WRAP_T, wrapMode(ss.wrapT)?.gl ?? 0x812f);
  gl.samplerParameteri(s, TEXTURE_WRAP_R, wrapMode(ss.wrapR)?.gl ?? 0x812f);
  gl.samplerParameteri(s, TEXTURE_MIN_FILTER, forceNearest ? 0x2600 : (minFilter(ss.minImgFilter, ss.minMipFilter) ?? 0x2600));
  gl.samplerParameteri(s, TEXTURE_MAG_FILTER, forceNearest ? 0x2600 : (magFilter(ss.magImgFilter) ?? 0x2600));
  gl.samplerParameterf(s, TEXTURE_MIN_LOD, ss.minLod);
  gl.samplerParameterf(s, TEXTURE_MAX_LOD, ss.maxLod);
  if (ss.compareMode) {
    gl.samplerParameteri(s, TEXTURE_COMPARE_MODE, COMPARE_REF_TO_TEXTURE);
    gl.samplerParameteri(s, TEXTURE_COMPARE_FUNC, compareFunc(ss.compareFunc) ?? 0x0203);
  }
  if (forceNearest) variants.nearest = s;
  else variants.normal = s;
  return s;
}
