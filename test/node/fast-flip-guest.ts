/**
 * The real guest running kmscube on the virgl path against a stand-in renderer that answers every
 * submit and fence at once (or `delayMs` later): the guest flips as fast as the emulated CPU can,
 * 200-1000 fps. Shared by test/node/fast-flip.test.ts and scripts/repro-flip-hang.ts.
 */
import { NodeGuest } from "../../src/emulator/node-harness.ts";
import { createVirtioGpu, type VirtioGpu } from "../../src/gpu/index.ts";
import { FakeScanoutBackend } from "../../src/gpu/testing/fake-scanout-backend.ts";
import { createVirglModule, type VirglModule } from "../../src/gpu/virgl/index.ts";
import { FakeVirglPort } from "../../src/gpu/virgl/testing/fake-virgl-port.ts";
import { loadCapsets } from "../../src/vtest/capsets.ts";

export interface FastFlipGuest {
  guest: NodeGuest;
  module: VirglModule;
  gpu: VirtioGpu;
}

export async function bootFastFlipGuest(options: { cmdline?: string; delayMs?: number } = {}): Promise<FastFlipGuest> {
  // What virglrenderer reports on a GLES 3.0 host: Mesa takes the same paths as with our renderer.
  const { capset1, capset2 } = loadCapsets();
  const module = createVirglModule({
    port: new FakeVirglPort(options.delayMs ? { delayMs: options.delayMs } : true),
    capsets: { v1: capset1, v2: capset2 },
  });
  let gpu: VirtioGpu | undefined;
  const guest = await NodeGuest.boot({
    cmdline: options.cmdline ?? "webvirgl.run=kmscube",
    devices: [(context) => (gpu = createVirtioGpu({ ...context, backend: new FakeScanoutBackend(), modules: [module] }))],
  });
  if (!gpu) throw new Error("the virtio-gpu device factory did not run");
  return { guest, module, gpu };
}
