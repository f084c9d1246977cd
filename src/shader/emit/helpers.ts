/**
 * GLSL helper functions for integer operations GLSL ES 3.00 lacks or leaves undefined. Semantics follow
 * NIR (what Mesa constant-folds in the guest): division/modulo by zero → 0, INT_MIN / -1 → INT_MIN,
 * shift counts masked to 5 bits, bitfield ops as in NIR's ubfe/ibfe/bfi/bit_count/find_lsb/ufind_msb/ifind_msb.
 */
export const HELPERS: Readonly<Record<string, string>> = {
  // border-colour emulation (emit/texture-border.ts): share of the filter footprint inside [0, n) texels
  webvirgl_border_nearest: "float webvirgl_border_nearest(float c) { return (c >= 0.0 && c < 1.0) ? 1.0 : 0.0; }",
  webvirgl_border_linear: [
    "float webvirgl_border_linear(float c, float n) {",
    "  float x = c * n - 0.5; float i0 = floor(x); float a = x - i0;",
    "  return (i0 >= 0.0 && i0 <= n - 1.0 ? 1.0 - a : 0.0) + (i0 >= -1.0 && i0 <= n - 2.0 ? a : 0.0);",
    "}",
  ].join("\n"),
  webvirgl_udiv: "uint webvirgl_udiv(uint a, uint b) { return b == 0u ? 0u : a / b; }",
  webvirgl_umod: "uint webvirgl_umod(uint a, uint b) { return b == 0u ? 0u : a % b; }",
  webvirgl_idiv:
    "int webvirgl_idiv(int a, int b) { if (b == 0) return 0; if (b == -1) return int(0u - uint(a)); return a / b; }",
  webvirgl_imod:
    "int webvirgl_imod(int a, int b) { if (b == 0 || b == -1) return 0; return a - (a / b) * b; }",
  webvirgl_umul_hi: [
    "uint webvirgl_umul_hi(uint a, uint b) {",
    "  uint al = a & 0xffffu, ah = a >> 16u, bl = b & 0xffffu, bh = b >> 16u;",
    "  uint ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;",
    "  uint mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);",
    "  return hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);",
    "}",
  ].join("\n"),
  webvirgl_imul_hi: [
    "int webvirgl_imul_hi(int a, int b) {",
    "  uint h = webvirgl_umul_hi(uint(a), uint(b));",
    "  if (a < 0) h -= uint(b);",
    "  if (b < 0) h -= uint(a);",
    "  return int(h);",
    "}",
  ].join("\n"),
  webvirgl_ubfe: [
    "uint webvirgl_ubfe(uint v, uint off, uint bits) {",
    "  off &= 31u; bits &= 31u;",
    "  if (bits == 0u) return 0u;",
    "  if (off + bits < 32u) return (v << (32u - bits - off)) >> (32u - bits);",
    "  return v >> off;",
    "}",
  ].join("\n"),
  webvirgl_ibfe: [
    "int webvirgl_ibfe(int v, uint off, uint bits) {",
    "  off &= 31u; bits &= 31u;",
    "  if (bits == 0u) return 0;",
    "  if (off + bits < 32u) return (v << (32u - bits - off)) >> (32u - bits);",
    "  return v >> off;",
    "}",
  ].join("\n"),
  webvirgl_bfi: [
    "uint webvirgl_bfi(uint base, uint ins, uint off, uint bits) {",
    "  off &= 31u; bits &= 31u;",
    "  if (bits == 0u) return base;",
    "  uint mask = ((bits == 32u ? 0xffffffffu : ((1u << bits) - 1u)) << off);",
    "  return (base & ~mask) | ((ins << off) & mask);",
    "}",
  ].join("\n"),
  webvirgl_popc: [
    "uint webvirgl_popc(uint v) {",
    "  v = v - ((v >> 1u) & 0x55555555u);",
    "  v = (v & 0x33333333u) + ((v >> 2u) & 0x33333333u);",
    "  v = (v + (v >> 4u)) & 0x0f0f0f0fu;",
    "  return (v * 0x01010101u) >> 24u;",
    "}",
  ].join("\n"),
  webvirgl_brev: [
    "uint webvirgl_brev(uint v) {",
    "  v = ((v >> 1u) & 0x55555555u) | ((v & 0x55555555u) << 1u);",
    "  v = ((v >> 2u) & 0x33333333u) | ((v & 0x33333333u) << 2u);",
    "  v = ((v >> 4u) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4u);",
    "  v = ((v >> 8u) & 0x00ff00ffu) | ((v & 0x00ff00ffu) << 8u);",
    "  return (v >> 16u) | (v << 16u);",
    "}",
  ].join("\n"),
  webvirgl_lsb: "uint webvirgl_lsb(uint v) { return v == 0u ? 0xffffffffu : webvirgl_popc((v & (0u - v)) - 1u); }",
  webvirgl_umsb: [
    "uint webvirgl_umsb(uint v) {",
    "  if (v == 0u) return 0xffffffffu;",
    "  uint r = 0u;",
    "  if ((v >> 16u) != 0u) { r += 16u; v >>= 16u; }",
    "  if ((v >> 8u) != 0u) { r += 8u; v >>= 8u; }",
    "  if ((v >> 4u) != 0u) { r += 4u; v >>= 4u; }",
    "  if ((v >> 2u) != 0u) { r += 2u; v >>= 2u; }",
    "  if ((v >> 1u) != 0u) { r += 1u; }",
    "  return r;",
    "}",
  ].join("\n"),
  webvirgl_imsb: "uint webvirgl_imsb(int v) { return webvirgl_umsb(v < 0 ? ~uint(v) : uint(v)); }",
};

/** Helpers that call other helpers. */
export const HELPER_DEPS: Readonly<Record<string, readonly string[]>> = {
  webvirgl_imul_hi: ["webvirgl_umul_hi"],
  webvirgl_lsb: ["webvirgl_popc"],
  webvirgl_imsb: ["webvirgl_umsb"],
};

/** GLSL text of the requested helpers, dependencies first, deterministic order. */
export function helperSource(names: ReadonlySet<string>): string[] {
  const all = new Set<string>();
  const add = (n: string): void => {
    for (const d of HELPER_DEPS[n] ?? []) add(d);
    all.add(n);
  };
  for (const n of [...names].sort()) add(n);
  const order = Object.keys(HELPERS);
  return [...all].sort((a, b) => order.indexOf(a) - order.indexOf(b)).map((n) => HELPERS[n] ?? "");
}
