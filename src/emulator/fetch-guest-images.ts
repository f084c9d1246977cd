/**
 * Browser (any fetch): downloads manifest.json and the four images from a guest directory URL,
 * reporting progress over all files together.
 */
import { fetchImage, ImageFetchError } from "./fetch-image.ts";
import { parseGuestManifest, type GuestFile, type GuestManifest } from "./guest-manifest.ts";

export interface FetchedGuestImages {
  manifest: GuestManifest;
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer;
  bzimage: ArrayBuffer;
  initrd: ArrayBuffer;
}

export interface GuestDownloadProgress {
  /** File being downloaded now. */
  file: string;
  loaded: number;
  /** Sum of known sizes (manifest sizes, else Content-Length as files start); null if unknown. */
  total: number | null;
}

/** `manifest.json` of a guest image directory, parsed; a bad one is an ImageFetchError naming it. */
export async function fetchManifest(baseUrl: string, signal?: AbortSignal): Promise<GuestManifest> {
  const manifestUrl = `${baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`}manifest.json`;
  const manifestBuffer = await fetchImage(manifestUrl, undefined, undefined, signal);
  try {
    return parseGuestManifest(new TextDecoder().decode(manifestBuffer), manifestUrl);
  } catch (error) {
    throw new ImageFetchError(manifestUrl, 200, error instanceof Error ? error.message : String(error));
  }
}

export async function fetchGuestImages(
  baseUrl: string,
  onProgress?: (progress: GuestDownloadProgress) => void,
  signal?: AbortSignal,
): Promise<FetchedGuestImages> {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const manifest = await fetchManifest(base, signal);

  const files: GuestFile[] = [manifest.bios, manifest.vgaBios, manifest.bzimage, manifest.initrd];
  const loaded = new Map<string, number>();
  const totals = new Map<string, number | null>(files.map((f) => [f.name, f.size]));
  const report = (file: string) => {
    const sizes = [...totals.values()];
    const total = sizes.every((s) => s !== null) ? sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : null;
    const sum = [...loaded.values()].reduce((a, b) => a + b, 0);
    onProgress?.({ file, loaded: sum, total });
  };

  // In parallel: HTTP/1.1 allows six connections per origin and the kernel and initramfs dominate.
  const [bios, vgaBios, bzimage, initrd] = await Promise.all(
    files.map((file) =>
      fetchImage(
        `${base}${file.name}`,
        ({ loaded: bytes, total }) => {
          loaded.set(file.name, bytes);
          if (totals.get(file.name) === null && total !== null) totals.set(file.name, total);
          report(file.name);
        },
        file.size ?? undefined,
        signal,
      ),
    ),
  );
  return { manifest, bios: bios!, vgaBios: vgaBios!, bzimage: bzimage!, initrd: initrd! };
}
