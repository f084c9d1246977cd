/**
 * Reads `public/guest/manifest.json` (written by guest/build.sh) into the four images v86 needs.
 *
 * The reader is deliberately tolerant of the manifest's layout: the files list may be an array
 * of `{name|file|path, size}` or an object keyed by name, and the initramfs may be named by an
 * `initrd`/`initramfs` field or only appear in the list. Fixed names are used for the rest
 * (`bzImage`, `bios.bin`, `vgabios-stdvga.bin`) unless the manifest names them.
 */
export interface GuestFile {
  name: string;
  /** Bytes, when the manifest says. */
  size: number | null;
}

export interface GuestManifest {
  /** Content hash / version string of the image set, when present. */
  version: string | null;
  bzimage: GuestFile;
  initrd: GuestFile;
  bios: GuestFile;
  vgaBios: GuestFile;
  /** Every file the manifest lists. */
  files: GuestFile[];
}

export class GuestManifestError extends Error {
  constructor(source: string, detail: string) {
    super(`guest manifest ${source}: ${detail}`);
    this.name = "GuestManifestError";
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fileFromEntry(entry: Json, fallbackName?: string): GuestFile | null {
  if (typeof entry === "string") return { name: entry, size: null };
  if (typeof entry === "number" && fallbackName) return { name: fallbackName, size: entry };
  if (!isRecord(entry)) return null;
  const name = [entry.name, entry.file, entry.path].find((v): v is string => typeof v === "string") ?? fallbackName;
  if (!name) return null;
  const size = [entry.size, entry.bytes].find((v): v is number => typeof v === "number") ?? null;
  return { name, size };
}

function listFiles(raw: Json | undefined): GuestFile[] {
  if (Array.isArray(raw)) return raw.map((entry) => fileFromEntry(entry)).filter((f): f is GuestFile => f !== null);
  if (isRecord(raw)) {
    return Object.entries(raw)
      .map(([name, entry]) => fileFromEntry(entry, name))
      .filter((f): f is GuestFile => f !== null);
  }
  return [];
}

export function parseGuestManifest(text: string, source = "manifest.json"): GuestManifest {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (error) {
    throw new GuestManifestError(source, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(root)) throw new GuestManifestError(source, "is not a JSON object");

  const files = listFiles(root.files ?? root.images);
  const byName = new Map(files.map((f) => [baseName(f.name), f]));
  // A named field counts if it is an object naming a file, or a string the files list contains
  // (a bare string could be a version, e.g. `kernel: "6.1.0-50-686"`).
  const named = (value: Json | undefined): GuestFile | null => {
    if (value === undefined) return null;
    if (typeof value === "string" && !byName.has(baseName(value))) return null;
    const file = fileFromEntry(value);
    return file ? { name: file.name, size: file.size ?? byName.get(baseName(file.name))?.size ?? null } : null;
  };
  const field = (path: string): Json | undefined => {
    let value: Json | undefined = root;
    for (const key of path.split(".")) value = isRecord(value) ? value[key] : undefined;
    return value;
  };
  const pick = (paths: string[], fallback: (f: GuestFile) => boolean, defaultName: string | null): GuestFile | null => {
    for (const path of paths) {
      const file = named(field(path));
      if (file) return file;
    }
    const listed = files.find(fallback);
    if (listed) return listed;
    return defaultName ? (byName.get(defaultName) ?? { name: defaultName, size: null }) : null;
  };

  const bzimage = pick(["bzimage", "bzImage", "kernel", "kernel.file"], (f) => /bzimage|vmlinuz/i.test(f.name), "bzImage");
  const initrd = pick(["initrd", "initramfs", "initrd.file"], (f) => /initr(d|amfs)|\.cpio/i.test(f.name), null);
  const bios = pick(["bios", "bios.bios"], (f) => baseName(f.name) === "bios.bin", "bios.bin");
  const vgaBios = pick(
    ["vgaBios", "vga_bios", "vgabios", "bios.vgabios"],
    (f) => /^vgabios/i.test(baseName(f.name)),
    "vgabios-stdvga.bin",
  );
  if (!initrd) throw new GuestManifestError(source, "names no initramfs (no initrd/initramfs field, no *.cpio* or initr* file)");

  const versionField = [root.version, root.hash, root.versionHash, root.version_hash].find(
    (v): v is string | number => typeof v === "string" || typeof v === "number",
  );
  return {
    version: versionField === undefined ? null : String(versionField),
    bzimage: bzimage!,
    initrd,
    bios: bios!,
    vgaBios: vgaBios!,
    files,
  };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
