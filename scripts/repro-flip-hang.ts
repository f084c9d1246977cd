/**
 * Regression check for the guest hang at high page-flip rates (fixed 2026-12-08 in
 * src/emulator/v86-pci-host.ts): boots the real guest in Node with kmscube on the virgl path
 * against a stand-in renderer answering at once (or `--delay MS` later) and prints the submit and
 * request counters every 5 s. Before the fix kmscube stopped after 6-16 s at 180-700 fps in 7 of
 * 7 runs (an interrupt delivered in the middle of the guest's MMIO write corrupted the kernel).
 *
 *   WEBVIRGL_SERIAL_ECHO=1 npx tsx scripts/repro-flip-hang.ts [--seconds 60] [--delay 0] [--cmdline "..."]
 *
 * Exits 1 if the counters stopped moving (the hang), 0 if kmscube kept submitting to the end.
 */
import { cliOption } from "../bench/lib/harness.ts";
import { bootFastFlipGuest } from "../test/node/fast-flip-guest.ts";

const seconds = Number(cliOption("seconds", "60"));
const { guest, module, gpu } = await bootFastFlipGuest({
  delayMs: Number(cliOption("delay", "0")),
  cmdline: cliOption("cmdline", "webvirgl.run=kmscube"),
});
let last = -1;
let stalledFor = 0;
for (let t = 5; t <= seconds; t += 5) {
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const submits = module.stats.submits;
  console.log(`t=${t}s submits=${submits} requests=${gpu.stats.transport.requestsPopped} errors=${gpu.stats.commands.errors}`);
  stalledFor = submits === last && submits > 0 ? stalledFor + 5 : 0;
  last = submits;
}
await guest.stop();
console.log(stalledFor > 0 ? `HANG: no submit for the last ${stalledFor} s` : "no hang seen");
process.exit(stalledFor > 0 ? 1 : 0);
