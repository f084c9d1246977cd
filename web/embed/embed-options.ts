/**
 * embed.html query parameters:
 *   ?demo=kmscube     demo to boot (default kmscube)
 *   ?autostart=1      boot right away (default 1; 0 waits for a `start` command)
 *   ?memory=256       guest RAM, MiB
 *   ?virgl=0          2D-only device
 *   ?guest=/guest/    guest image directory
 *   ?stats=1000       ms between `stats` events (0 = none; at least 250)
 *   ?origin=https://a.example,https://b.example   only these parent origins may send commands,
 *                     and events go only to the first (default: any parent origin, events to "*")
 * Bad values throw an Error naming the parameter (the page shows it).
 */
import { DEMO_NAMES, isDemoName, type DemoName } from "../../src/machine/demos.ts";

export interface EmbedOptions {
  demo: DemoName;
  autostart: boolean;
  memoryMiB: number | undefined;
  virgl: boolean;
  guestBaseUrl: string | undefined;
  statsIntervalMs: number;
  allowedOrigins: string[] | null;
}

export function readEmbedOptions(search: string): EmbedOptions {
  const params = new URLSearchParams(search);
  const demo = params.get("demo") ?? "kmscube";
  if (!isDemoName(demo)) throw new Error(`?demo=${demo} is not a demo; demos: ${DEMO_NAMES.join(", ")}`);
  const flag = (name: string, fallback: boolean): boolean => {
    const v = params.get(name);
    if (v === null) return fallback;
    if (v === "1" || v === "true") return true;
    if (v === "0" || v === "false") return false;
    throw new Error(`?${name}=${v} must be 1 or 0`);
  };
  const memory = params.get("memory");
  let memoryMiB: number | undefined;
  if (memory !== null) {
    memoryMiB = Number(memory);
    if (!/^\d+$/.test(memory) || memoryMiB < 64 || memoryMiB >= 2048) throw new Error(`?memory=${memory} is not a whole number of MiB from 64 to 2047`);
  }
  const stats = params.get("stats") ?? "1000";
  if (!/^\d+$/.test(stats)) throw new Error(`?stats=${stats} is not a number of milliseconds`);
  const statsIntervalMs = Number(stats) === 0 ? 0 : Math.max(250, Number(stats));
  const origin = params.get("origin");
  let allowedOrigins: string[] | null = null;
  if (origin !== null) {
    allowedOrigins = origin.split(",").map((o) => o.trim()).filter(Boolean);
    for (const o of allowedOrigins) {
      let parsed: URL;
      try {
        parsed = new URL(o);
      } catch {
        throw new Error(`?origin=${o} is not an origin like https://example.com`);
      }
      if (parsed.origin !== o) throw new Error(`?origin=${o} is not an origin (scheme://host[:port], no path); did you mean ${parsed.origin}?`);
    }
  }
  return { demo, autostart: flag("autostart", true), memoryMiB, virgl: flag("virgl", true), guestBaseUrl: params.get("guest") ?? undefined, statsIntervalMs, allowedOrigins };
}
