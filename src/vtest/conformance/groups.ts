// Areas of the piglit profiles the conformance list samples (issue 6: GL 1.x-3.x, GLSL
// 1.10-1.30, GLSL ES 1.00/3.00, FBO, texturing, VBO, transform feedback), with how many tests
// make-list.ts draws from each. The first matching group wins; the summary table uses the same.

export interface TestGroup {
  id: string;
  pattern: RegExp;
  /** Tests sampled into conformance/piglit-tests.txt (all of them when the area is smaller). */
  quota: number;
}

export const GROUPS: readonly TestGroup[] = [
  { id: "gl-1.x", pattern: /^spec@!opengl 1\.[0-5]@/, quota: 70 },
  { id: "gl-2.x", pattern: /^spec@!opengl 2\.[01]@/, quota: 30 },
  { id: "gl-3.x", pattern: /^spec@!opengl 3\.[0-3]@/, quota: 40 },
  { id: "gles-2/3", pattern: /^spec@!opengl es [23]\.0@/, quota: 20 },
  { id: "fbo", pattern: /^fbo@|^spec@(arb|ext)_framebuffer_object@|^spec@ext_framebuffer_blit@/, quota: 50 },
  { id: "texturing", pattern: /^texturing@|^spec@(arb|ext)_texture_/, quota: 80 },
  { id: "vbo", pattern: /^spec@arb_vertex_buffer_object@|^vbo@|^spec@arb_vertex_array_object@|^spec@arb_draw_elements_base_vertex@/, quota: 20 },
  { id: "transform-feedback", pattern: /^spec@ext_transform_feedback@/, quota: 40 },
  { id: "shaders", pattern: /^shaders@|^glean@|^general@/, quota: 40 },
  { id: "glsl-1.10", pattern: /^spec@glsl-1\.10@/, quota: 50 },
  { id: "glsl-1.20", pattern: /^spec@glsl-1\.20@/, quota: 40 },
  { id: "glsl-1.30", pattern: /^spec@glsl-1\.30@/, quota: 50 },
  { id: "glsl-es-1.00", pattern: /^spec@glsl-es-1\.00@/, quota: 20 },
  { id: "glsl-es-3.00", pattern: /^spec@glsl-es-3\.00@/, quota: 40 },
];

export function groupOf(name: string): string {
  return GROUPS.find((g) => g.pattern.test(name))?.id ?? "other";
}
