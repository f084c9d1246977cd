/** glmark2's console output: per-scene fps and frame time, the score, the GL renderer. */

export interface Glmark2Scene {
  scene: string;
  options: string;
  fps: number | null;
  frameTimeMs: number | null;
  /** glmark2's verdict when the scene did not run ("Unsupported", "Set up failed"). */
  status: string | null;
}

/** glmark2's scene lines: `[build] use-vbo=false: FPS: 57 FrameTime: 17.544 ms` (or `: Unsupported`). */
export function parseGlmark2(text: string): { scenes: Glmark2Scene[]; score: number | null; glRenderer: string | null } {
  const scenes: Glmark2Scene[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\[([\w-]+)\] (.*?): (?:FPS: (\d+(?:\.\d+)?) FrameTime: (\d+(?:\.\d+)?) ms|(.+))$/.exec(line.trim());
    if (!m) continue;
    scenes.push({
      scene: m[1]!,
      options: m[2]!,
      fps: m[3] !== undefined ? Number(m[3]) : null,
      frameTimeMs: m[4] !== undefined ? Number(m[4]) : null,
      status: m[5] ?? null,
    });
  }
  const score = /glmark2 Score: (\d+)/.exec(text);
  const renderer = /GL_RENDERER:\s*(.+)/.exec(text);
  return { scenes, score: score ? Number(score[1]) : null, glRenderer: renderer ? renderer[1]!.trim() : null };
}
