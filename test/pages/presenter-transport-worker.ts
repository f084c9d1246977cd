/**
 * Worker side of bench/presenter-transport.ts. Three transports to the same receiver:
 * (a) postMessage with the frame transferred, (b) comlink with Comlink.transfer,
 * (c) a SharedArrayBuffer ring of frame slots woken with Atomics.waitAsync.
 * The receiver only touches the data (a checksum of a few bytes) so the transport is what
 * gets measured; the page side pays the one copy out of "guest memory" in all three.
 */
import * as Comlink from "comlink";

/** Atomics.waitAsync (Chromium has it; TS's ES2022 lib does not declare it). */
type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): WaitAsyncResult }).waitAsync;

interface Scope {
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(msg: unknown, transfer?: Transferable[]): void;
}
const scope = self as unknown as Scope;

function touch(p: Uint8Array): number {
  return p.length === 0 ? 0 : p[0] + p[p.length >> 1] + p[p.length - 1];
}

// (b) comlink API on its own MessageChannel so (a) keeps the worker's onmessage.
const api = {
  ping(): number {
    return 0;
  },
  frame(p: Uint8Array): number {
    return touch(p);
  },
};
export type TransportApi = typeof api;

// (c) ring: ctl[0] = head (frames written), ctl[1] = tail (frames consumed).
function serveRing(ctl: Int32Array, data: Uint8Array, slots: number, slotBytes: number): void {
  const step = (): void => {
    const head = Atomics.load(ctl, 0);
    let tail = Atomics.load(ctl, 1);
    while (tail !== head) {
      const slot = tail % slots;
      // A real presenter would texSubImage2D straight from this view (or copy it out first).
      touch(data.subarray(slot * slotBytes, slot * slotBytes + 16));
      tail++;
    }
    Atomics.store(ctl, 1, tail);
    Atomics.notify(ctl, 1);
    const w = waitAsync(ctl, 0, head);
    if (w.async) void w.value.then(step);
    else queueMicrotask(step);
  };
  step();
}

scope.onmessage = (ev: MessageEvent): void => {
  const m = ev.data as { kind: string; port?: MessagePort; ctl?: Int32Array; data?: Uint8Array; slots?: number; slotBytes?: number; pixels?: Uint8Array; n?: number };
  switch (m.kind) {
    case "ping":
      scope.postMessage({ kind: "pong" });
      break;
    case "frame":
      scope.postMessage({ kind: "ack", sum: touch(m.pixels!) });
      break;
    case "frame-recycle": {
      // Hand the buffer back so the page can refill it instead of allocating a new one.
      const px = m.pixels!;
      scope.postMessage({ kind: "ack", sum: touch(px), pixels: px }, [px.buffer]);
      break;
    }
    case "comlink":
      Comlink.expose(api, m.port!);
      break;
    case "ring":
      serveRing(m.ctl!, m.data!, m.slots!, m.slotBytes!);
      break;
  }
};
