/**
 * The guest's GL renderer and version, read from what its programs print on the serial console:
 * glinfo (`glinfo: api=gles2 ... renderer=virgl (...) version=OpenGL ES 3.2 Mesa ...`), kmscube
 * (`  renderer: "virgl (...)"`, `  version: "OpenGL ES 3.2 ..."`) and glmark2 (`GL_RENDERER: ...`).
 */
export interface GuestGlInfo {
  renderer: string | null;
  version: string | null;
  /** Which program said so. */
  source: "glinfo" | "kmscube" | "glmark2";
}

/** Feeds serial lines; `info` is the best guess so far (null until something matched). */
export class GuestGlInfoParser {
  info: GuestGlInfo | null = null;
  private inKmscubeGl = false;

  /** Returns true when `info` changed. */
  pushLine(raw: string): boolean {
    const line = raw.replace(/\r$/, "");
    const glinfo = /^glinfo: api=(\S+) .*?renderer=(.+?) version=(.+?)(?: glsl=.*)?$/.exec(line);
    if (glinfo) {
      // Prefer the GLES 2 line (what kmscube/glmark2 use) but take the first of any API until then.
      if (this.info?.source === "glinfo" && !glinfo[1].startsWith("gles2")) return false;
      return this.set({ renderer: glinfo[2], version: glinfo[3], source: "glinfo" });
    }
    if (/^OpenGL ES 2\.x information:/.test(line)) {
      this.inKmscubeGl = true;
      return false;
    }
    if (this.inKmscubeGl) {
      const kv = /^\s+(renderer|version): "(.*)"$/.exec(line);
      if (kv) {
        const current = this.info?.source === "kmscube" ? this.info : { renderer: null, version: null, source: "kmscube" as const };
        return this.set({ ...current, [kv[1]]: kv[2] });
      }
      if (/^\S/.test(line)) this.inKmscubeGl = false;
      return false;
    }
    const glmark2 = /^\s*GL_(RENDERER|VERSION):\s+(.+)$/.exec(line);
    if (glmark2) {
      const current = this.info?.source === "glmark2" ? this.info : { renderer: null, version: null, source: "glmark2" as const };
      return this.set({ ...current, [glmark2[1] === "RENDERER" ? "renderer" : "version"]: glmark2[2].trim() });
    }
    return false;
  }

  reset(): void {
    this.info = null;
    this.inKmscubeGl = false;
  }

  private set(info: GuestGlInfo): boolean {
    const same = this.info && this.info.renderer === info.renderer && this.info.version === info.version && this.info.source === info.source;
    this.info = info;
    return !same;
  }
}
