// Minimal reader for `xwd -root` dumps (ZPixmap, TrueColor): pixel bytes at (x, y).

export interface XwdImage {
  width: number;
  height: number;
  /** The pixel's bytes in file order (3 or 4 bytes; for 24-bit TrueColor: B, G, R). */
  pixel(x: number, y: number): number[];
}

export function parseXwd(data: Uint8Array): XwdImage {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u = (i: number): number => v.getUint32(i * 4, false);
  const headerSize = u(0);
  const format = u(2);
  if (u(1) !== 7 || format !== 2) throw new Error(`xwd: version ${u(1)} format ${format}, want 7 / ZPixmap`);
  const width = u(4);
  const height = u(5);
  const bitsPerPixel = u(11);
  const bytesPerLine = u(12);
  const ncolors = u(19);
  const bpp = bitsPerPixel / 8;
  const base = headerSize + ncolors * 12;
  if (base + bytesPerLine * height > data.byteLength) throw new Error("xwd: truncated pixel data");
  return {
    width,
    height,
    pixel: (x, y) => Array.from(data.subarray(base + y * bytesPerLine + x * bpp, base + y * bytesPerLine + (x + 1) * bpp)),
  };
}
