/**
 * The embed postMessage protocol (docs/embed.md). Every message is an object with
 * `webvirgl: 1` (namespace + protocol version), so the iframe and its host can tell webvirgl
 * messages from anything else on the channel.
 *
 * host → iframe:  { webvirgl: 1, type: "command", id, command, args? }
 * iframe → host:  { webvirgl: 1, type: "result", id, ok: true, result } | { ..., ok: false, error }
 *                 { webvirgl: 1, type: "event", event, data }
 */
import type { DemoName } from "../../src/machine/demos.ts";
import type { MachinePhase } from "../../src/machine/machine.ts";
import type { MachineStats } from "../../src/machine/machine-stats.ts";

export const PROTOCOL_VERSION = 1;

export type EmbedCommand =
  | { command: "start" }
  | { command: "stop" }
  | { command: "reset" }
  | { command: "setDemo"; args: { demo: DemoName } }
  | { command: "screenshot" }
  | { command: "getStatus" };

export type CommandName = EmbedCommand["command"];

export type CommandMessage = { webvirgl: 1; type: "command"; id: string | number } & EmbedCommand;

export interface EmbedStatus {
  phase: MachinePhase;
  demo: DemoName;
  demos: DemoName[];
  bootCount: number;
  error: { kind: string; title: string; detail: string } | null;
}

export interface ScreenshotResult {
  mimeType: "image/png";
  /** The PNG file's bytes. */
  png: ArrayBuffer;
}

export type ResultMessage =
  | { webvirgl: 1; type: "result"; id: string | number; ok: true; result: EmbedStatus | ScreenshotResult | null }
  | { webvirgl: 1; type: "result"; id: string | number; ok: false; error: string };

export interface EmbedEvents {
  /** The machine exists and commands are accepted (sent once; `getStatus` asks again). */
  ready: EmbedStatus;
  phase: { phase: MachinePhase; detail: string };
  /** Throttled (`?stats=` ms, default 1000; `?stats=0` turns them off). */
  stats: MachineStats;
  error: { kind: string; title: string; detail: string };
}

export type EventMessage = { [K in keyof EmbedEvents]: { webvirgl: 1; type: "event"; event: K; data: EmbedEvents[K] } }[keyof EmbedEvents];

const COMMANDS: readonly CommandName[] = ["start", "stop", "reset", "setDemo", "screenshot", "getStatus"];

/** A command message, or a reason why `data` is not one (null: not a webvirgl message at all, ignore it). */
export function parseCommand(data: unknown): { ok: true; message: CommandMessage } | { ok: false; id: string | number | null; error: string } | null {
  if (typeof data !== "object" || data === null || (data as { webvirgl?: unknown }).webvirgl === undefined) return null;
  const m = data as Record<string, unknown>;
  if (m.type !== "command") return null;
  const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
  if (m.webvirgl !== PROTOCOL_VERSION) return { ok: false, id, error: `unsupported protocol version ${String(m.webvirgl)} (this embed speaks ${PROTOCOL_VERSION})` };
  if (id === null) return { ok: false, id, error: "a command needs an id (string or number)" };
  if (!(COMMANDS as readonly unknown[]).includes(m.command)) return { ok: false, id, error: `unknown command ${JSON.stringify(m.command)}; commands: ${COMMANDS.join(", ")}` };
  if (m.command === "setDemo") {
    const args = m.args as { demo?: unknown } | undefined;
    if (typeof args?.demo !== "string") return { ok: false, id, error: "setDemo needs args: { demo: string }" };
  }
  return { ok: true, message: m as unknown as CommandMessage };
}
