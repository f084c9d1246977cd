// PatternPort: wraps a port so that readbacks of display targets return a known gradient
// (byte 0 = x & 255, byte 1 = y & 255, byte 2 = 0x80, byte 3 = 0xff per 4-byte pixel, x and y
// in window pixels). Lets tests check that what a real X11 client shows is exactly what the
// renderer returned: presentation path, stride handling and reply order (`--renderer pattern`).

import type { ResourceDesc, TransferDesc } from "./protocol.ts";
import type { ContextInfo, RendererContext, RendererPort } from "./renderer-port.ts";

const VIRGL_BIND_DISPLAY_TARGET = 1 << 7;

/** The gradient for a transfer box, laid out with the transfer's stride (4-byte pixels). */
export function patternBytes(t: TransferDesc): Uint8Array {
  const out = new Uint8Array(t.dataSize);
  const stride = t.stride && t.box.height > 1 ? t.stride : t.box.width * 4;
  for (let row = 0; row < t.box.height; row++) {
    for (let col = 0; col < t.box.width; col++) {
      const i = row * stride + col * 4;
      if (i + 4 > out.length) return out;
      out[i] = (t.box.x + col) & 255;
      out[i + 1] = (t.box.y + row) & 255;
      out[i + 2] = 0x80;
      out[i + 3] = 0xff;
    }
  }
  return out;
}

export class PatternPort implements RendererPort {
  constructor(private readonly inner: RendererPort) {}

  async createContext(info: ContextInfo): Promise<RendererContext> {
    const ctx = await this.inner.createContext(info);
    const displayTargets = new Set<number>();
    return {
      getCaps: (c) => ctx.getCaps(c),
      createResource: (d: ResourceDesc) => {
        if (d.bind & VIRGL_BIND_DISPLAY_TARGET) displayTargets.add(d.handle);
        else displayTargets.delete(d.handle);
        return ctx.createResource(d);
      },
      unrefResource: (h) => {
        displayTargets.delete(h);
        return ctx.unrefResource(h);
      },
      transferPut: (t, data) => ctx.transferPut(t, data),
      transferGet: (t) => (displayTargets.has(t.handle) ? patternBytes(t) : ctx.transferGet(t)),
      submit: (c) => ctx.submit(c),
      busyWait: (h, w) => ctx.busyWait(h, w),
      destroy: () => ctx.destroy(),
    };
  }

  close(): Promise<void> | void {
    return this.inner.close?.();
  }
}
