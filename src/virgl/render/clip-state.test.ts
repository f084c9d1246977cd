// SET_CLIP_STATE is recorded on the sub-context (draw.ts uploads it as webvirgl_clip_planes).
import { describe, expect, it } from "vitest";
import { VirglContext } from "./context.ts";
import type { ExecEnv } from "./exec-env.ts";
import { execute } from "./execute.ts";
import { SubContext } from "./sub-context.ts";

describe("SET_CLIP_STATE", () => {
  it("stores the 8 user clip planes on the current sub-context", () => {
    const ctx = new VirglContext(1, "t");
    const sub = new SubContext(0);
    ctx.subs.set(0, sub);
    ctx.current = sub;
    const env = { ctx } as unknown as ExecEnv;
    const planes = new Float32Array(32).map((_, i) => i * 0.5 - 3);
    expect(sub.clipPlanes).toEqual(new Float32Array(32));
    expect(execute(env, { kind: "SET_CLIP_STATE", planes })).toBeNull();
    expect(sub.clipPlanes).toEqual(planes);
    planes[0] = 99; // a copy, not the decoder's view of the command buffer
    expect(sub.clipPlanes[0]).toBe(-3);
  });
});
