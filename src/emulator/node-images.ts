/** Node only: reads the guest images and v86.wasm from disk. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseGuestManifest, type GuestManifest } from "./guest-manifest.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** `public/guest` of this checkout, or $WEBVIRGL_GUEST_DIR. */
export function defaultGuestDir(): string {
  return process.env.WEBVIRGL_GUEST_DIR ?? join(repoRoot, "public", "guest");
}

export function guestManifestPath(guestDir = defaultGuestDir()): string {
  return join(guestDir, "manifest.json");
}

export function hasGuestImages(guestDir = defaultGuestDir()): boolean {
  return existsSync(guestManifestPath(guestDir));
}

export interface GuestImages {
  manifest: GuestManifest;
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer | null;
  bzimage: ArrayBuffer;
  initrd: ArrayBuffer;
}

async function readBuffer(path: string, what: string): Promise<ArrayBuffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read the ${what} at ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Node may hand out a slice of a pooled buffer: copy to an ArrayBuffer of exactly this file.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function readGuestImages(guestDir = defaultGuestDir()): Promise<GuestImages> {
  const manifestPath = guestManifestPath(guestDir);
  const manifest = parseGuestManifest(await readFile(manifestPath, "utf8"), manifestPath);
  const at = (name: string) => join(guestDir, name);
  const vgaPath = at(manifest.vgaBios.name);
  const [bios, bzimage, initrd, vgaBios] = await Promise.all([
    readBuffer(at(manifest.bios.name), "BIOS"),
    readBuffer(at(manifest.bzimage.name), "kernel (bzImage)"),
    readBuffer(at(manifest.initrd.name), "initramfs"),
    existsSync(vgaPath) ? readBuffer(vgaPath, "VGA BIOS") : Promise.resolve(null),
  ]);
  return { manifest, bios, vgaBios, bzimage, initrd };
}

/** v86.wasm from the installed npm package. */
export async function readV86Wasm(): Promise<ArrayBuffer> {
  const require = createRequire(import.meta.url);
  const main = require.resolve("v86");
  return readBuffer(join(dirname(main), "v86.wasm"), "v86 WebAssembly module");
}
