// Live WebGL object accounting. Every GL object the renderer creates goes through `GlObjects`, so a
// context reset or destroy can be shown (tests, debug panel) to free everything it made.

export type GlObjectKind = "buffer" | "texture" | "renderbuffer" | "framebuffer" | "vertexArray" | "sampler" | "query" | "program" | "shader" | "transformFeedback";

export class GlObjects {
  private readonly live = new Map<GlObjectKind, number>();
  constructor(readonly gl: WebGL2RenderingContext) {}

  private made<T>(kind: GlObjectKind, obj: T | null): T {
    if (obj === null) throw new Error(`WebGL could not create a ${kind} (context lost?)`);
    this.live.set(kind, (this.live.get(kind) ?? 0) + 1);
    return obj;
  }
  private gone(kind: GlObjectKind): void {
    this.live.set(kind, (this.live.get(kind) ?? 1) - 1);
  }

  buffer(): WebGLBuffer {
    return this.made("buffer", this.gl.createBuffer());
  }
  texture(): WebGLTexture {
    return this.made("texture", this.gl.createTexture());
  }
  renderbuffer(): WebGLRenderbuffer {
    return this.made("renderbuffer", this.gl.createRenderbuffer());
  }
  framebuffer(): WebGLFramebuffer {
    return this.made("framebuffer", this.gl.createFramebuffer());
  }
  vertexArray(): WebGLVertexArrayObject {
    return this.made("vertexArray", this.gl.createVertexArray());
  }
  sampler(): WebGLSampler {
    return this.made("sampler", this.gl.createSampler());
  }
  query(): WebGLQuery {
    return this.made("query", this.gl.createQuery());
  }
  program(): WebGLProgram {
    return this.made("program", this.gl.createProgram());
  }
  shader(type: number): WebGLShader {
    return this.made("shader", this.gl.createShader(type));
  }
  transformFeedback(): WebGLTransformFeedback {
    return this.made("transformFeedback", this.gl.createTransformFeedback());
  }

  deleteBuffer(o: WebGLBuffer): void {
    this.gl.deleteBuffer(o);
    this.gone("buffer");
  }
  deleteTexture(o: WebGLTexture): void {
    this.gl.deleteTexture(o);
    this.gone("texture");
  }
  deleteRenderbuffer(o: WebGLRenderbuffer): void {
    this.gl.deleteRenderbuffer(o);
    this.gone("renderbuffer");
  }
  deleteFramebuffer(o: WebGLFramebuffer): void {
    this.gl.deleteFramebuffer(o);
    this.gone("framebuffer");
  }
  deleteVertexArray(o: WebGLVertexArrayObject): void {
    this.gl.deleteVertexArray(o);
    this.gone("vertexArray");
  }
  deleteSampler(o: WebGLSampler): void {
    this.gl.deleteSampler(o);
    this.gone("sampler");
  }
  deleteQuery(o: WebGLQuery): void {
    this.gl.deleteQuery(o);
    this.gone("query");
  }
  deleteProgram(o: WebGLProgram): void {
    this.gl.deleteProgram(o);
    this.gone("program");
  }
  deleteShader(o: WebGLShader): void {
    this.gl.deleteShader(o);
    this.gone("shader");
  }
  deleteTransformFeedback(o: WebGLTransformFeedback): void {
    this.gl.deleteTransformFeedback(o);
    this.gone("transformFeedback");
  }

  /** Live counts by kind (kinds never used are omitted). */
  counts(): Partial<Record<GlObjectKind, number>> {
    const out: Partial<Record<GlObjectKind, number>> = {};
    for (const [k, v] of this.live) if (v !== 0) out[k] = v;
    return out;
  }
  total(): number {
    let n = 0;
    for (const v of this.live.values()) n += v;
    return n;
  }
}
