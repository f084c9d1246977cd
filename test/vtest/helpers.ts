// Test helpers: fixture loading and a minimal vtest client over a real UNIX socket.

import { connect, type Socket } from "node:net";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStreamFile } from "../../src/vtest/stream-io.ts";
import type { ParsedStream } from "../../src/vtest/stream-file.ts";
import type { Logger } from "../../src/vtest/session.ts";

export const FIXTURE_DIR = new URL("../fixtures/streams/", import.meta.url).pathname;

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".vtstream.gz"))
    .sort();
}

export function loadFixture(name: string): ParsedStream {
  return readStreamFile(join(FIXTURE_DIR, name.endsWith(".gz") ? name : `${name}.vtstream.gz`));
}

export function tempDir(prefix = "webvirgl-vtest-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A logger that remembers what it was told. */
export function memoryLogger(): Logger & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    info: (m) => lines.push(m),
    error: (m) => {
      lines.push(m);
      errors.push(m);
    },
  };
}

/** Exact-length reads over a socket, like Mesa's virgl_block_read. */
export class FakeClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly done: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake();
    });
    this.done = new Promise((resolve) =>
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
    socket.on("error", () => {});
  }

  static connect(path: string): Promise<FakeClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once("connect", () => resolve(new FakeClient(s)));
      s.once("error", reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(...parts: Uint8Array[]): void {
    for (const p of parts) this.socket.write(p);
  }

  async read(n: number, timeoutMs = 5000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`connection closed with ${this.buf.length} of ${n} bytes`);
      if (Date.now() > deadline) throw new Error(`timeout reading ${n} bytes (have ${this.buf.length})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    const out = new Uint8Array(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return out;
  }

  async readU32s(n: number): Promise<number[]> {
    const b = await this.read(n * 4);
    return Array.from(new Uint32Array(b.buffer, b.byteOffset, n));
  }

  get pendingBytes(): number {
    return this.buf.length;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
