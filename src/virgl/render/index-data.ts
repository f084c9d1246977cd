// Index data preparation for DRAW_VBO (pure). WebGL2 has no base vertex and always restarts at the
// all-ones index of the index type, so indices are taken from the index buffer's CPU shadow and:
// * index_bias is added on the CPU (widening to 32 bits when needed),
// * a primitive-restart index other than the all-ones value is rewritten to it,
// and the result is uploaded into a renderer-owned ELEMENT_ARRAY_BUFFER.

export interface PreparedIndices {
  /** 1, 2 or 4. */
  size: number;
  data: Uint8Array;
  count: number;
}

function read(src: Uint8Array, size: number, i: number): number {
  const o = i * size;
  if (size === 1) return src[o];
  if (size === 2) return src[o] | (src[o + 1] << 8);
  return (src[o] | (src[o + 1] << 8) | (src[o + 2] << 16) | (src[o + 3] << 24)) >>> 0;
}

/**
 * `shadow` is the whole index buffer; the draw reads `count` indices of `size` bytes starting at
 * byte `offset + start * size`. Returns an error string if the range leaves the buffer.
 */
export function prepareIndices(
  shadow: Uint8Array,
  size: number,
  offset: number,
  start: number,
  count: number,
  indexBias: number,
  primitiveRestart: boolean,
  restartIndex: number,
): PreparedIndices | string {
  if (size !== 1 && size !== 2 && size !== 4) return `index size ${size}`;
  const first = offset + start * size;
  const bytes = count * size;
  if (first + bytes > shadow.length) return `indices [${first}, +${bytes}) beyond the ${shadow.length}-byte index buffer`;
  const src = shadow.subarray(first, first + bytes);
  const fixed = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  const needRewrite = indexBias !== 0 || (primitiveRestart && restartIndex !== fixed);
  if (!needRewrite) return { size, data: src.slice(), count };
  const out = new Uint32Array(count);
  let max = 0;
  for (let i = 0; i < count; i++) {
    const v = read(src, size, i);
    if (primitiveRestart && v === restartIndex) {
      out[i] = 0xffffffff;
      continue;
    }
    const b = v + indexBias;
    const w = b < 0 ? 0 : b > 0xfffffffe ? 0xfffffffe : b;
    out[i] = w;
    if (w > max) max = w;
  }
  // Narrow back to the original size when every value fits below its restart index.
  if (size < 4 && max < fixed) {
    const narrow = size === 2 ? new Uint16Array(count) : new Uint8Array(count);
    for (let i = 0; i < count; i++) narrow[i] = out[i] === 0xffffffff ? fixed : out[i];
    return { size, data: new Uint8Array(narrow.buffer), count };
  }
  return { size: 4, data: new Uint8Array(out.buffer), count };
}
