/**
 * The demos a machine can boot: each is a guest program (`webvirgl.run=`) plus its arguments
 * (`webvirgl.args=`). A demo change needs a reboot: the choice is on the kernel command line.
 */
import type { GuestRun } from "../emulator/kernel-cmdline.ts";

export type DemoName =
  | "kmscube"
  | "glmark2"
  | "glmark2-build"
  | "glmark2-texture"
  | "glmark2-shading"
  | "glinfo"
  | "shell"
  | "sysinfo";

export interface Demo {
  readonly name: DemoName;
  /** Short label for pickers. */
  readonly title: string;
  readonly description: string;
  readonly run: GuestRun;
  /** `webvirgl.args=` for the guest's /init ("" = none). */
  readonly args: string;
  /** Whether the demo draws on the screen (a screenshot is meaningful). */
  readonly graphical: boolean;
  /**
   * Instant start saves a snapshot with this demo already running (its GL start-up is then
   * skipped on restore): endless demos only, where resuming mid-run changes nothing. Others
   * restore the shell snapshot and are typed in.
   */
  readonly snapshotRunning: boolean;
}

// glmark2-es2-drm only finds a config the primary plane takes (XRGB8888) with this visual config;
// /init adds it too, but a preset must not depend on that.
const GLMARK2_VISUAL = "--visual-config r=8:g=8:b=8:a=0";
// Long durations: a scene is a demo to look at here, not a benchmark run.
const glmark2 = (scenes: string[]): string => `${GLMARK2_VISUAL} ${scenes.map((s) => `-b ${s}`).join(" ")}`;

export const DEMOS: readonly Demo[] = [
  { name: "kmscube", title: "kmscube", description: "Mesa's spinning shaded cube (GLES 2 on KMS/GBM)", run: "kmscube", args: "", graphical: true, snapshotRunning: true },
  { name: "glmark2-build", title: "glmark2: build", description: "glmark2's horse model, vertex buffers (scene build)", run: "glmark2", args: glmark2(["build:use-vbo=true:duration=60"]), graphical: true, snapshotRunning: false },
  { name: "glmark2-texture", title: "glmark2: texture", description: "glmark2 textured cube, linear and mipmapped filtering", run: "glmark2", args: glmark2(["texture:texture-filter=linear:duration=30", "texture:texture-filter=mipmap:duration=30"]), graphical: true, snapshotRunning: false },
  { name: "glmark2-shading", title: "glmark2: shading", description: "glmark2 per-vertex and per-pixel lighting", run: "glmark2", args: glmark2(["shading:shading=gouraud:duration=30", "shading:shading=phong:duration=30"]), graphical: true, snapshotRunning: false },
  { name: "glmark2", title: "glmark2 (full run)", description: "the whole glmark2-es2-drm benchmark; prints a score on the console", run: "glmark2", args: "", graphical: true, snapshotRunning: false },
  { name: "glinfo", title: "glinfo", description: "prints the guest's EGL/GL/GLES renderer and versions on the console", run: "glinfo", args: "", graphical: false, snapshotRunning: false },
  { name: "shell", title: "shell", description: "a busybox shell on the serial console", run: "shell", args: "", graphical: false, snapshotRunning: false },
  { name: "sysinfo", title: "sysinfo", description: "kernel, CPU and virtio devices as the guest sees them", run: "sysinfo", args: "", graphical: false, snapshotRunning: false },
];

export const DEMO_NAMES: readonly DemoName[] = DEMOS.map((d) => d.name);

export function isDemoName(name: string): name is DemoName {
  return (DEMO_NAMES as readonly string[]).includes(name);
}

export function getDemo(name: DemoName): Demo {
  const demo = DEMOS.find((d) => d.name === name);
  if (!demo) throw new RangeError(`unknown demo "${name}"`);
  return demo;
}

/** Kernel arguments selecting the demo; one array element per argument (args keep their spaces inside quotes). */
export function demoKernelArgs(demo: Demo): string[] {
  const args = [`webvirgl.run=${demo.run}`];
  if (demo.args) args.push(`webvirgl.args="${demo.args}"`);
  return args;
}
