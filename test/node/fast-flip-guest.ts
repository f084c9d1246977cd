/**
 * The real guest running kmscube on the virgl path against a stand-in renderer that answers every
 * submit and fence at once (or `delayMs` later): the guest flips as fast as the emulated CPU can,
 * 200-1000 fps. Shared by test/node/fast-flip.test.ts and scripts/repro-flip-hang.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NodeGuest } from "../../src/emulator/node-harness.ts";
import { createVirtioGpu, type VirtioGpu } from "../../src/gpu/index.ts";
import { FakeScanoutBackend } from "../../src/gpu/testing/fake-scanout-backend.ts";
import { createVirglModule, type VirglModule } from "../../src/gpu/virgl/index.ts";
import { FakeVirglPort } from "../../src/gpu/virgl/testing/fake-virgl-port.ts";
import type { VirglReply } from "../../src/gpu/virgl/virgl-port.ts";
import { REFERENCE_CAPSET_DIR } from "../../src/vtest/capsets.ts";

export interface FastFlipGuest {
  guest: NodeGuest;
  module: VirglModule;
  gpu: VirtioGpu;
}

/** A FakeVirglPort in auto-answer mode whose answers arrive `delayMs` later. */
class DelayedAnswerPort extends FakeVirglPort {
  constructor(delayMs: number) {
    super(true);
    if (delayMs > 0) {
      const later = (): Promise<VirglReply> => new Promise((resolve) => setTimeout(() => resolve({ backingWrites: [], error: null }), delayMs));
      Object.defineProperty(this, "later", { value: later });
    }
  }
}

export async function bootFastFlipGuest(options: { cmdline?: string; delayMs?: number } = {}): Promise<FastFlipGuest> {
  const capset = (name: string) => new Uint8Array(readFileSync(join(REFERENCE_CAPSET_DIR, name)));
  const module = createVirglModule({
    port: new DelayedAnswerPort(options.delayMs ?? 0),
    capsets: { v1: capset("virglrenderer-0.10.4-gles30_capset1.bin"), v2: capset("virglrenderer-0.10.4-gles30_capset2.bin") },
  });
  let gpu: VirtioGpu | undefined;
  const guest = await NodeGuest.boot({
    cmdline: options.cmdline ?? "webvirgl.run=kmscube",
    devices: [(context) => (gpu = createVirtioGpu({ ...context, backend: new FakeScanoutBackend(), modules: [module] }))],
  });
  if (!gpu) throw new Error("the virtio-gpu device factory did not run");
  return { guest, module, gpu };
}
