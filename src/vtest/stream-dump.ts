// Human-readable listing of a vtest stream file: `npx tsx src/vtest/stream-dump.ts [--ccmd] FILE...`
// (--ccmd: only a count of the virgl commands inside the submits).

import { FrameParser } from "./framing.ts";
import { VCMD, vcmdName, type VtestMessage } from "./protocol.ts";
import { Direction, type ParsedStream } from "./stream-file.ts";
import { readStreamFile } from "./stream-io.ts";
import { walkCommands } from "./ccmd.ts";
import { clientMessages } from "./replay.ts";

function describeMessage(m: VtestMessage): string {
  switch (m.cmd) {
    case VCMD.CREATE_RENDERER:
      return `name=${JSON.stringify(m.name)}`;
    case VCMD.PROTOCOL_VERSION:
      return `version=${m.version}`;
    case VCMD.RESOURCE_CREATE:
    case VCMD.RESOURCE_CREATE2: {
      const r = m.resource;
      return `handle=${r.handle} target=${r.target} format=${r.format} bind=0x${r.bind.toString(16)} ${r.width}x${r.height}x${r.depth} array=${r.arraySize} levels=${r.lastLevel + 1} samples=${r.nrSamples}`;
    }
    case VCMD.RESOURCE_UNREF:
      return `handle=${m.handle}`;
    case VCMD.TRANSFER_GET:
    case VCMD.TRANSFER_PUT: {
      const t = m.transfer;
      const b = t.box;
      return `handle=${t.handle} level=${t.level} stride=${t.stride} layer_stride=${t.layerStride} box=${b.x},${b.y},${b.z} ${b.width}x${b.height}x${b.depth} size=${t.dataSize}`;
    }
    case VCMD.SUBMIT_CMD:
      return `${m.commands.length} dwords`;
    case VCMD.RESOURCE_BUSY_WAIT:
      return `handle=${m.handle} flags=${m.flags}`;
    default:
      return "";
  }
}

/** One line per record. Client frames are decoded with the real FrameParser. */
export function describeStream(stream: ParsedStream): string[] {
  const lines = [`# ${JSON.stringify(stream.meta)}`];
  const parser = new FrameParser();
  for (const r of stream.records) {
    const t = `${String(r.timeMs).padStart(6)}ms`;
    if (r.direction === Direction.Note) {
      lines.push(`${t} note ${new TextDecoder().decode(r.bytes)}`);
    } else if (r.direction === Direction.ServerToClient) {
      lines.push(`${t} <- ${vcmdName(r.cmd)} reply ${r.bytes.byteLength} bytes`);
    } else {
      for (const m of parser.push(r.bytes)) lines.push(`${t} -> ${vcmdName(m.cmd)} ${describeMessage(m)}`);
    }
  }
  return lines;
}

/** Counts of the virgl commands in all submits of a stream ("name count" lines, by count). */
export function summarizeCommands(stream: ParsedStream): string[] {
  const total = new Map<string, number>();
  const errors: string[] = [];
  for (const m of clientMessages(stream)) {
    if (m.cmd !== VCMD.SUBMIT_CMD) continue;
    const w = walkCommands(m.commands);
    for (const [k, n] of w.counts) total.set(k, (total.get(k) ?? 0) + n);
    if (w.error) errors.push(w.error);
  }
  return [...[...total].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(6)} ${k}`), ...errors.map((e) => `error: ${e}`)];
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "\0")) {
  const ccmd = process.argv.includes("--ccmd");
  for (const file of process.argv.slice(2).filter((a) => a !== "--ccmd")) {
    const s = readStreamFile(file);
    process.stdout.write(`${(ccmd ? [`# ${file}`, ...summarizeCommands(s)] : describeStream(s)).join("\n")}\n`);
  }
}
