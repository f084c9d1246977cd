// Real Mesa 22.3 clients (Debian bookworm) against our server through scripts/vtest-run.sh.
// Skips, saying which Debian package is missing, when the host lacks them.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { VCMD } from "../../src/vtest/protocol.ts";
import { clientMessages } from "../../src/vtest/replay.ts";
import { readStreamFile } from "../../src/vtest/stream-io.ts";
import { tempDir } from "./helpers.ts";

const RUN = new URL("../../scripts/vtest-run.sh", import.meta.url).pathname;
const PIGLIT_BIN = ["/usr/lib/x86_64-linux-gnu/piglit/bin", "/usr/lib/piglit/bin"].find((d) => existsSync(d));

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

function canUnshare(): boolean {
  const args = process.getuid?.() === 0 ? ["--mount", "--net", "true"] : ["--user", "--map-root-user", "--mount", "--net", "true"];
  return have("unshare") && spawnSync("unshare", args).status === 0;
}

function virpipeDriverPresent(): boolean {
  return ["/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so", "/usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so"].some((f) => existsSync(f));
}

function missing(needs: Record<string, boolean>): string | null {
  const gone = Object.entries(needs)
    .filter(([, ok]) => !ok)
    .map(([what]) => what);
  return gone.length ? gone.join(", ") : null;
}

const baseMissing = missing({
  "unshare with mount+net namespaces (util-linux; root or unprivileged user namespaces)": canUnshare(),
  "Mesa DRI drivers (Debian libgl1-mesa-dri)": virpipeDriverPresent(),
});
const glxMissing = baseMissing ?? missing({ "glxinfo (Debian mesa-utils)": have("glxinfo"), "Xvfb (Debian xvfb)": have("Xvfb") });
const piglitMissing = baseMissing ?? missing({ "piglit (Debian piglit)": PIGLIT_BIN !== undefined });

/** Runs a client through vtest-run.sh; returns stdout whatever the client's exit status. */
function run(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync("bash", [RUN, "--server-arg", "--quiet", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  if (r.error) throw new Error(`vtest-run.sh ${args.join(" ")}: ${r.error.message}`);
  if (r.status === 97 || r.status === 98) throw new Error(`vtest-run.sh failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(glxMissing !== null)(`glxinfo through vtest${glxMissing ? ` (skipped: missing ${glxMissing})` : ""}`, () => {
  it("reports the virgl renderer from the reference caps and negotiates protocol 0", () => {
    const rec = tempDir();
    const out = run(["--xvfb", "--record", rec, "--", "glxinfo", "-B"]);
    const renderer = /OpenGL renderer string: (.*)/.exec(out)?.[1] ?? "";
    expect(renderer).toMatch(/^virgl/);
    expect(renderer).toBe("virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))");
    expect(out).toMatch(/OpenGL version string: 2\.1 Mesa/);
    expect(out).toMatch(/OpenGL ES profile version string: OpenGL ES 3\.0/);
    const files = readdirSync(rec);
    expect(files).toEqual(["001-glxinfo.vtstream"]);
    const msgs = [...clientMessages(readStreamFile(join(rec, files[0]!)))];
    expect(msgs.find((m) => m.cmd === VCMD.PROTOCOL_VERSION)).toMatchObject({ version: 2 });
    expect(msgs.some((m) => m.cmd === VCMD.SUBMIT_CMD)).toBe(true);
  });
});

describe.skipIf(piglitMissing !== null)(`piglit through vtest${piglitMissing ? ` (skipped: missing ${piglitMissing})` : ""}`, () => {
  it("runs a surfaceless-EGL piglit test to completion and records its stream", () => {
    const rec = tempDir();
    const out = run(["--record", rec, "--", `${PIGLIT_BIN}/gl-1.0-readpixsanity`, "-auto", "-fbo"], {
      PIGLIT_PLATFORM: "surfaceless_egl",
    });
    // The recording port renders nothing, so the test itself fails; it must get to its verdict.
    expect(out).toMatch(/PIGLIT: \{"result": "(pass|fail|skip)" \}/);
    const [file] = readdirSync(rec);
    const msgs = [...clientMessages(readStreamFile(join(rec, file!)))];
    expect(msgs[0]).toMatchObject({ cmd: VCMD.CREATE_RENDERER, name: "gl-1.0-readpixsanity" });
    expect(msgs.filter((m) => m.cmd === VCMD.TRANSFER_GET).length).toBeGreaterThan(0);
  });
});

const chromiumMissing = glxMissing ?? (existsSync(process.env.WEBVIRGL_CHROMIUM ?? "/usr/bin/chromium") ? null : "chromium (Debian chromium)");

describe.skipIf(chromiumMissing !== null)(`glxgears through the Chromium bridge${chromiumMissing ? ` (skipped: missing ${chromiumMissing})` : ""}`, () => {
  it("runs glxinfo and a few glxgears frames with the renderer port in headless Chromium", () => {
    const out = run(["--xvfb", "--server-arg", "--renderer=chromium", "--", "sh", "-c", "glxinfo -B && timeout -s INT 6 glxgears; true"]);
    expect(out).toMatch(/OpenGL renderer string: virgl/);
    const fps = /(\d+) frames in 5\.0 seconds/.exec(out);
    expect(Number(fps?.[1] ?? 0)).toBeGreaterThan(5);
  }, 120_000);
});
