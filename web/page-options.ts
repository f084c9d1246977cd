/**
 * Page options from the URL query:
 *   ?guest=/guest/       directory with manifest.json and the images
 *   ?run=shell           what the guest's /init runs (webvirgl.run=)
 *   ?cmdline=...         extra kernel arguments after the fast defaults
 *   ?memory=256          guest RAM in MiB (at least 64 + initramfs)
 *   ?virgl=0             2D-only virtio-gpu (no VIRTIO_GPU_F_VIRGL); the guest gets webvirgl.gl=softpipe
 */
import type { GuestRun } from "../src/emulator/kernel-cmdline.ts";

export interface PageOptions {
  guestBaseUrl: string;
  run: GuestRun;
  extraCmdline: string;
  memoryMiB: number | null;
  /** Offer virgl 3D (default); false with ?virgl=0. */
  virgl: boolean;
}

const RUNS: readonly GuestRun[] = ["kmscube", "glinfo", "glmark2", "shell", "sysinfo"];

export function readPageOptions(search = location.search): PageOptions {
  const params = new URLSearchParams(search);
  const run = params.get("run") ?? "shell";
  if (!(RUNS as readonly string[]).includes(run)) {
    throw new Error(`?run=${run} is not one of ${RUNS.join(", ")}`);
  }
  const memory = params.get("memory");
  const memoryMiB = memory === null ? null : Number(memory);
  if (memoryMiB !== null && !(Number.isInteger(memoryMiB) && memoryMiB > 0)) {
    throw new Error(`?memory=${memory} is not a whole number of MiB`);
  }
  return {
    guestBaseUrl: params.get("guest") ?? `${import.meta.env.BASE_URL}guest/`,
    run: run as GuestRun,
    extraCmdline: params.get("cmdline") ?? "",
    memoryMiB,
    virgl: params.get("virgl") !== "0",
  };
}
