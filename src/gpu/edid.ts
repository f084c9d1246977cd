/**
 * A 128-byte EDID 1.4 base block for a virtual display (VESA E-EDID Release A, Rev. 2).
 * The preferred mode is the first detailed timing (CVT reduced-blanking-like timing at ~60 Hz);
 * common modes are listed as established and standard timings so the guest can switch modes.
 * Answered by GET_EDID (VIRTIO_GPU_F_EDID, VIRTIO 1.2 5.7.6.8).
 */

export const EDID_BLOCK_SIZE = 128;

/** Manufacturer PNP id (three letters A-Z). */
const MANUFACTURER = "WVG";
const PRODUCT_CODE = 0x1050;
const MONITOR_NAME = "webvirgl";
const DPI = 96;

/** Standard timings: [width, height, aspect code] with aspect 0 = 16:10, 1 = 4:3, 2 = 5:4, 3 = 16:9; all at 60 Hz. */
const STANDARD_TIMINGS: readonly [number, number, number][] = [
  [1280, 720, 3],
  [1280, 800, 0],
  [1280, 960, 1],
  [1280, 1024, 2],
  [1440, 900, 0],
  [1600, 1200, 1],
  [1680, 1050, 0],
  [1920, 1080, 3],
];

export interface DetailedTiming {
  width: number;
  height: number;
  /** Pixel clock in units of 10 kHz. */
  pixelClock10kHz: number;
  hBlank: number;
  hFrontPorch: number;
  hSync: number;
  vBlank: number;
  vFrontPorch: number;
  vSync: number;
  widthMm: number;
  heightMm: number;
}

/** CVT vertical sync width by aspect ratio (VESA CVT 1.1 table 3-2); 10 for non-standard aspects. */
function cvtVSync(width: number, height: number): number {
  const ratios: [number, number, number][] = [
    [4, 3, 4],
    [16, 9, 5],
    [16, 10, 6],
    [5, 4, 7],
    [15, 9, 7],
  ];
  for (const [w, h, sync] of ratios) if (width * h === height * w) return sync;
  return 10;
}

/**
 * Reduced-blanking timing for `width`×`height` at `refresh` Hz: fixed 160-pixel horizontal
 * blank, vertical blank of at least 460 µs. Returns null when the mode cannot be expressed in
 * a detailed timing descriptor (12-bit sizes, 16-bit pixel clock).
 */
export function reducedBlankingTiming(width: number, height: number, refresh = 60): DetailedTiming | null {
  if (width < 1 || height < 1 || width > 4095 || height > 4095) return null;
  const hBlank = 160;
  const hFrontPorch = 48;
  const hSync = 32;
  const vFrontPorch = 3;
  const vSync = cvtVSync(width, height);
  const lineMicros = (1e6 / refresh - 460) / height;
  const vBlank = Math.max(Math.ceil(460 / lineMicros), vFrontPorch + vSync + 6);
  const pixelClock10kHz = Math.ceil(((width + hBlank) * (height + vBlank) * refresh) / 10000);
  if (pixelClock10kHz > 0xffff) return refresh > 30 ? reducedBlankingTiming(width, height, 30) : null;
  const widthMm = Math.min(4095, Math.round((width * 25.4) / DPI));
  const heightMm = Math.min(4095, Math.round((height * 25.4) / DPI));
  return { width, height, pixelClock10kHz, hBlank, hFrontPorch, hSync, vBlank, vFrontPorch, vSync, widthMm, heightMm };
}

function writeDetailedTiming(block: Uint8Array, at: number, t: DetailedTiming): void {
  block[at] = t.pixelClock10kHz & 0xff;
  block[at + 1] = t.pixelClock10kHz >>> 8;
  block[at + 2] = t.width & 0xff;
  block[at + 3] = t.hBlank & 0xff;
  block[at + 4] = ((t.width >>> 8) << 4) | (t.hBlank >>> 8);
  block[at + 5] = t.height & 0xff;
  block[at + 6] = t.vBlank & 0xff;
  block[at + 7] = ((t.height >>> 8) << 4) | (t.vBlank >>> 8);
  block[at + 8] = t.hFrontPorch & 0xff;
  block[at + 9] = t.hSync & 0xff;
  block[at + 10] = ((t.vFrontPorch & 0xf) << 4) | (t.vSync & 0xf);
  block[at + 11] = ((t.hFrontPorch >>> 8) << 6) | ((t.hSync >>> 8) << 4) | ((t.vFrontPorch >>> 4) << 2) | (t.vSync >>> 4);
  block[at + 12] = t.widthMm & 0xff;
  block[at + 13] = t.heightMm & 0xff;
  block[at + 14] = ((t.widthMm >>> 8) << 4) | (t.heightMm >>> 8);
  block[at + 15] = 0; // no borders
  block[at + 16] = 0;
  // Digital separate sync (bits 4-3 = 11), vsync negative, hsync positive (CVT-RB polarity).
  block[at + 17] = 0x18 | 0x02;
}

/** Display descriptor (tag ≥ 0xF0 area, here 0xFC name, 0xFD range, 0x10 dummy): 18 bytes. */
function writeTextDescriptor(block: Uint8Array, at: number, tag: number, text: string): void {
  block.fill(0, at, at + 18);
  block[at + 3] = tag;
  const chars = [...text.slice(0, 13)].map((c) => c.charCodeAt(0) & 0x7f);
  if (chars.length < 13) chars.push(0x0a);
  while (chars.length < 13) chars.push(0x20);
  block.set(chars, at + 5);
}

function writeRangeLimits(block: Uint8Array, at: number, preferred: DetailedTiming | null): void {
  block.fill(0, at, at + 18);
  block[at + 3] = 0xfd;
  let minV = 50;
  let maxHkHz = 90;
  let maxClockMHz = 200;
  if (preferred) {
    const totalPixels = (preferred.width + preferred.hBlank) * (preferred.height + preferred.vBlank);
    const refresh = (preferred.pixelClock10kHz * 10000) / totalPixels;
    minV = Math.min(minV, Math.floor(refresh) - 1);
    maxHkHz = Math.max(maxHkHz, Math.ceil((preferred.pixelClock10kHz * 10) / (preferred.width + preferred.hBlank)) + 1);
    maxClockMHz = Math.max(maxClockMHz, Math.ceil(preferred.pixelClock10kHz / 100));
  }
  block[at + 5] = minV; // min vertical rate, Hz
  block[at + 6] = 75; // max vertical rate, Hz
  block[at + 7] = 30; // min horizontal rate, kHz
  block[at + 8] = Math.min(255, maxHkHz);
  block[at + 9] = Math.min(255, Math.ceil(maxClockMHz / 10)); // max pixel clock, 10 MHz units
  block[at + 10] = 0x01; // range limits only, no timing formula
  block.set([0x0a, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20], at + 11);
}

/** The base block for a display whose preferred mode is `width`×`height`. */
export function buildEdid(width: number, height: number): Uint8Array {
  const block = new Uint8Array(EDID_BLOCK_SIZE);
  block.set([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00], 0);
  const [a, b, c] = [...MANUFACTURER].map((ch) => ch.charCodeAt(0) - 64);
  const manufacturer = (a << 10) | (b << 5) | c;
  block[8] = manufacturer >>> 8; // big-endian
  block[9] = manufacturer & 0xff;
  block[10] = PRODUCT_CODE & 0xff;
  block[11] = PRODUCT_CODE >>> 8;
  // 12-15 serial number: 0 (none). Week 1 of 2024.
  block[16] = 1;
  block[17] = 2024 - 1990;
  block[18] = 1; // EDID version 1
  block[19] = 4; // revision 4
  block[20] = 0xa5; // digital input, 8 bits per colour, DisplayPort
  // EDID 1.4 needs a detailed timing first; a mode beyond its 12-bit fields is listed scaled
  // down to fit (the guest still gets the exact size from GET_DISPLAY_INFO).
  const scale = Math.min(1, 4095 / Math.max(width, height, 1));
  const preferred =
    reducedBlankingTiming(width, height) ??
    reducedBlankingTiming(Math.max(1, Math.floor(width * scale)), Math.max(1, Math.floor(height * scale)), 30) ??
    reducedBlankingTiming(1024, 768);
  block[21] = Math.min(255, Math.max(1, Math.round(((preferred?.widthMm ?? 600) + 5) / 10))); // cm
  block[22] = Math.min(255, Math.max(1, Math.round(((preferred?.heightMm ?? 340) + 5) / 10)));
  block[23] = 120; // gamma 2.2 = (120 + 100) / 100
  block[24] = 0x06; // RGB 4:4:4, sRGB default colour space, preferred timing is native
  writeChromaticity(block);
  // Established timings: 640x480@60 (byte 35 bit 5), 800x600@60 (byte 35 bit 0), 1024x768@60 (byte 36 bit 3).
  block[35] = 0x21;
  block[36] = 0x08;
  block[37] = 0x00;
  for (let i = 0; i < 8; i++) {
    const timing = STANDARD_TIMINGS[i];
    const at = 38 + 2 * i;
    if (timing) {
      block[at] = timing[0] / 8 - 31;
      block[at + 1] = (timing[2] << 6) | (60 - 60);
    } else {
      block[at] = 0x01;
      block[at + 1] = 0x01;
    }
  }
  // Four 18-byte descriptors: preferred timing (if expressible), range limits, name, dummy.
  if (preferred) writeDetailedTiming(block, 54, preferred);
  writeRangeLimits(block, 72, preferred);
  writeTextDescriptor(block, 90, 0xfc, MONITOR_NAME);
  block.fill(0, 108, 126);
  block[108 + 3] = 0x10; // dummy descriptor: tag 0x10, all-zero payload
  block[126] = 0; // no extension blocks
  block[127] = edidChecksum(block);
  return block;
}

/** The byte that makes the 128 bytes sum to 0 mod 256. */
export function edidChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 127; i++) sum += block[i];
  return (256 - (sum & 0xff)) & 0xff;
}

/** sRGB primaries and D65 white point, 10-bit binary fractions (bytes 25-34). */
function writeChromaticity(block: Uint8Array): void {
  const q = (v: number) => Math.round(v * 1024);
  const [rx, ry, gx, gy, bx, by, wx, wy] = [0.64, 0.33, 0.3, 0.6, 0.15, 0.06, 0.3127, 0.329].map(q);
  block[25] = ((rx & 3) << 6) | ((ry & 3) << 4) | ((gx & 3) << 2) | (gy & 3);
  block[26] = ((bx & 3) << 6) | ((by & 3) << 4) | ((wx & 3) << 2) | (wy & 3);
  block.set([rx >>> 2, ry >>> 2, gx >>> 2, gy >>> 2, bx >>> 2, by >>> 2, wx >>> 2, wy >>> 2], 27);
}
