/**
 * Reproduces the open guest hang at high page-flip rates (README "Known limits"): boots the real
 * guest in Node with kmscube on the virgl path against an auto-answering stand-in renderer
 * (FakeVirglPort: every submit and fence completes at once, or `--delay MS` later), and prints
 * the submit and request counters every 5 s. On 2026-12-08 kmscube stopped after 6-16 s at
 * 180-700 fps in 5 of 5 runs: with the guest's own kernel as a NULL-pointer oops at EIP 0x60 in
 * virtqueue_notify ← virtio_gpu_notify ← virtio_gpu_primary_plane_update (atomic commit worker),
 * or silently; with Debian's 686 kernel (WEBVIRGL_GUEST_DIR of an older image) silently; with
 * `drm_kms_helper.poll=0` too. In Chromium it hits after ~10-16 s at 80-175 fps.
 *
 *   WEBVIRGL_SERIAL_ECHO=1 npx tsx scripts/repro-flip-hang.ts [--seconds 60] [--delay 0] [--cmdline "..."]
 *
 * Exits 1 if the counters stopped moving (the hang), 0 if kmscube kept submitting to the end.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cliOption } from "../bench/lib/harness.ts";
import { NodeGuest } from "../src/emulator/node-harness.ts";
import { createVirtioGpu, type VirtioGpu } from "../src/gpu/index.ts";
import { FakeScanoutBackend } from "../src/gpu/testing/fake-scanout-backend.ts";
import { createVirglModule } from "../src/gpu/virgl/index.ts";
import { FakeVirglPort } from "../src/gpu/virgl/testing/fake-virgl-port.ts";
import type { VirglReply } from "../src/gpu/virgl/virgl-port.ts";
import { REFERENCE_CAPSET_DIR } from "../src/vtest/capsets.ts";

const seconds = Number(cliOption("seconds", "60"));
const delayMs = Number(cliOption("delay", "0"));
const cmdline = cliOption("cmdline", "webvirgl.run=kmscube");

/** The stand-in renderer, answering every request `delayMs` later instead of at once. */
class DelayedPort extends FakeVirglPort {
  constructor() {
    super(true);
  }
}
if (delayMs > 0) {
  const answer = (): Promise<VirglReply> => new Promise((resolve) => setTimeout(() => resolve({ backingWrites: [], error: null }), delayMs));
  Object.defineProperty(DelayedPort.prototype, "later", { value: answer });
}

const capset = (name: string) => new Uint8Array(readFileSync(join(REFERENCE_CAPSET_DIR, name)));
const module = createVirglModule({
  port: new DelayedPort(),
  capsets: { v1: capset("virglrenderer-0.10.4-gles30_capset1.bin"), v2: capset("virglrenderer-0.10.4-gles30_capset2.bin") },
});
let gpu: VirtioGpu | undefined;
const guest = await NodeGuest.boot({
  cmdline,
  devices: [(context) => (gpu = createVirtioGpu({ ...context, backend: new FakeScanoutBackend(), modules: [module] }))],
});
let last = -1;
let stalledFor = 0;
for (let t = 5; t <= seconds; t += 5) {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const submits = module.stats.submits;
  console.log(`t=${t}s submits=${submits} requests=${gpu?.stats.transport.requestsPopped ?? "?"} errors=${gpu?.stats.commands.errors ?? "?"}`);
  stalledFor = submits === last && submits > 0 ? stalledFor + 5 : 0;
  last = submits;
}
await guest.stop();
console.log(stalledFor > 0 ? `HANG: no submit for the last ${stalledFor} s` : "no hang seen");
process.exit(stalledFor > 0 ? 1 : 0);
