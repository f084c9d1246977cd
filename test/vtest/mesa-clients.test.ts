// Real Mesa 22.3 clients (Debian bookworm) against our server through scripts/vtest-run.sh.
// Skips, saying which Debian package is missing, when the host lacks them.

import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseXwd } from "./xwd.ts";
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
function run(args: string[], env: Record<string, string> = {}, cwd?: string): string {
  const r = spawnSync("bash", [RUN, "--server-arg", "--quiet", ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
    cwd,
  });
  if (r.error) throw new Error(`vtest-run.sh ${args.join(" ")}: ${r.error.message}`);
  if (r.status === 97 || r.status === 98) throw new Error(`vtest-run.sh failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(glxMissing !== null)(`glxinfo through vtest${glxMissing ? ` (skipped: missing ${glxMissing})` : ""}`, () => {
  it("reports the virgl renderer from the reference caps and negotiates protocol 0", () => {
    const rec = tempDir();
    const out = run(["--xvfb", "--server-arg", "--renderer=recording", "--record", rec, "--", "glxinfo", "-B"]);
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

const xwdMissing = glxMissing ?? (have("xwd") ? null : "xwd (Debian x11-apps)");

describe.skipIf(xwdMissing !== null)(`glxgears presentation${xwdMissing ? ` (skipped: missing ${xwdMissing})` : ""}`, () => {
  it("shows exactly the bytes the renderer returned for the window (no 12-byte shift)", () => {
    const dir = tempDir();
    const script = "glxgears -geometry 300x300+0+0 >/dev/null & g=$!; sleep 2; xwd -root -silent > shot.xwd; kill -TERM $g; wait $g; true";
    run(["--xvfb", "--server-arg", "--renderer=pattern", "--", "sh", "-c", script], {}, dir);
    const img = parseXwd(readFileSync(join(dir, "shot.xwd")));
    // Pattern: B = x & 255, G = y & 255, R = 0x80 (see src/vtest/pattern-port.ts).
    for (const [x, y] of [[0, 0], [1, 0], [3, 0], [150, 150], [299, 299], [0, 299]] as const) {
      expect(img.pixel(x, y).slice(0, 3), `pixel ${x},${y}`).toEqual([x & 255, y & 255, 0x80]);
    }
  }, 60_000);
});

describe.skipIf(piglitMissing !== null)(`piglit through vtest${piglitMissing ? ` (skipped: missing ${piglitMissing})` : ""}`, () => {
  it("runs a surfaceless-EGL piglit test to completion and records its stream", () => {
    const rec = tempDir();
    const out = run(["--server-arg", "--renderer=recording", "--record", rec, "--", `${PIGLIT_BIN}/gl-1.0-readpixsanity`, "-auto", "-fbo"], {
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

describe.skipIf(chromiumMissing !== null)(`real renderer (WebGL2 in headless Chromium)${chromiumMissing ? ` (skipped: missing ${chromiumMissing})` : ""}`, () => {
  it("glxinfo reports virgl on the page's WebGL2 and glxgears draws frames", () => {
    // The default server renderer is the WebGL2 VirglRenderer in the bridge page.
    // 15 s of glxgears: its first fps line comes after 5 s, later still when the test stage loads both cores.
    const out = run(["--xvfb", "--", "sh", "-c", "glxinfo -B && timeout -s INT 15 glxgears; true"]);
    // The caps come from our renderer now: its renderer string is the page's WebGL renderer (ANGLE...).
    expect(out).toMatch(/OpenGL renderer string: virgl \((ANGLE|WebKit|Google|Mesa|SwiftShader).*\)/);
    expect(out).not.toMatch(/OpenGL renderer string: virgl \(LLVMPIPE/);
    expect(out).toMatch(/OpenGL version string: \d\.\d Mesa/);
    const fps = /(\d+) frames in 5\.0 seconds/.exec(out);
    expect(Number(fps?.[1] ?? 0), out).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(piglitMissing !== null)("a piglit test reads back what the renderer drew (pass, not the recording port's fail)", () => {
    const out = run(["--", `${PIGLIT_BIN}/fbo-readpixels`, "-auto", "-fbo"], { PIGLIT_PLATFORM: "surfaceless_egl" });
    expect(out).toMatch(/PIGLIT: \{"result": "pass" \}/);
  }, 120_000);
});

const nsMissing = baseMissing;

describe.skipIf(nsMissing !== null)(`scripts/vtest-run.sh teardown${nsMissing ? ` (skipped: missing ${nsMissing})` : ""}`, () => {
  it("takes server and client down when it is killed", async () => {
    const marker = `${31 + Math.random()}`.slice(0, 8);
    const child = spawn("bash", [RUN, "--server-arg", "--quiet", "--server-arg", "--renderer=recording", "--", "sh", "-c", `echo started; exec sleep ${marker}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes("started") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("started");
    const t0 = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c, sig) => resolve(c ?? (sig ? 128 : null)));
      child.kill("SIGTERM");
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const survivors = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`sleep\0${marker}`);
        } catch {
          return false;
        }
      });
    expect(survivors).toEqual([]);
  }, 60_000);
});
