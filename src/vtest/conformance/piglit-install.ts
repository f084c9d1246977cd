// Where Debian's piglit lives (the package installs under the multiarch lib dir).
import { existsSync } from "node:fs";
import type { PiglitLayout } from "./test-list.ts";

const CANDIDATES = ["/usr/lib/x86_64-linux-gnu/piglit", "/usr/lib/piglit", "/usr/local/lib/piglit"];

export function findPiglit(root?: string): PiglitLayout {
  const dirs = root ? [root] : process.env.PIGLIT_SOURCE_DIR ? [process.env.PIGLIT_SOURCE_DIR, ...CANDIDATES] : CANDIDATES;
  const found = dirs.find((d) => existsSync(`${d}/bin/shader_runner`));
  if (!found) throw new Error(`piglit not found in ${dirs.join(", ")} (Debian package piglit; or pass its root)`);
  return { binDir: `${found}/bin`, rootDir: found };
}
