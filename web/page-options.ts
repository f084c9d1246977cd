/**
 * Page options from the URL query:
 *   ?guest=/guest/       directory with manifest.json and the images
 *   ?demo=kmscube        the demo to boot (src/machine/demos.ts; default kmscube)
 *   ?run=shell           older name for ?demo= (the guest programs' names are demo names too)
 *   ?cmdline=...         extra kernel arguments after the fast defaults
 *   ?memory=256          guest RAM in MiB (at least 64 + initramfs)
 *   ?virgl=0             2D-only virtio-gpu (no VIRTIO_GPU_F_VIRGL); the guest gets webvirgl.gl=softpipe
 *   ?snapshot=0          no instant start: boot the demo directly, never read or save a snapshot
 */
import { DEMO_NAMES, isDemoName, type DemoName } from "../src/machine/demos.ts";

export interface PageOptions {
  guestBaseUrl: string;
  demo: DemoName;
  extraCmdline: string;
  memoryMiB: number | null;
  /** Offer virgl 3D (default); false with ?virgl=0. */
  virgl: boolean;
  /** Instant start from a stored snapshot (default); false with ?snapshot=0. */
  snapshot: boolean;
}

export function readPageOptions(search = location.search): PageOptions {
  const params = new URLSearchParams(search);
  const demo = params.get("demo") ?? params.get("run") ?? "kmscube";
  if (!isDemoName(demo)) {
    throw new Error(`?demo=${demo} is not one of ${DEMO_NAMES.join(", ")}`);
  }
  const memory = params.get("memory");
  const memoryMiB = memory === null ? null : Number(memory);
  if (memoryMiB !== null && !(Number.isInteger(memoryMiB) && memoryMiB > 0)) {
    throw new Error(`?memory=${memory} is not a whole number of MiB`);
  }
  return {
    guestBaseUrl: params.get("guest") ?? `${import.meta.env.BASE_URL}guest/`,
    demo,
    extraCmdline: params.get("cmdline") ?? "",
    memoryMiB,
    virgl: params.get("virgl") !== "0",
    snapshot: readSwitch(params, "snapshot"),
  };
}

/** A 0/1 query switch, on by default; anything else is a visible error. */
function readSwitch(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null || value === "1") return true;
  if (value === "0") return false;
  throw new Error(`?${name}=${value} must be 0 or 1`);
}
