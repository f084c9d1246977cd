/**
 * Downloads a guest image with byte-level progress. v86 can fetch images itself, but only
 * reports progress per XHR and says nothing useful on a 404; we fetch first and hand v86 buffers.
 */
export interface FetchProgress {
  url: string;
  loaded: number;
  /** From Content-Length (or the caller's expected size); null when unknown. */
  total: number | null;
}

export type ProgressCallback = (progress: FetchProgress) => void;

export class ImageFetchError extends Error {
  constructor(
    readonly url: string,
    /** HTTP status, or null for a network error. */
    readonly status: number | null,
    detail: string,
  ) {
    super(`could not download ${url}: ${detail}`);
    this.name = "ImageFetchError";
  }
}

export async function fetchImage(
  url: string,
  onProgress?: ProgressCallback,
  expectedSize?: number,
  signal?: AbortSignal,
): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throw new ImageFetchError(url, null, `network error (${describe(error)})`);
  }
  if (!response.ok) {
    throw new ImageFetchError(url, response.status, `HTTP ${response.status} ${response.statusText}`.trim());
  }
  // Vite's dev server answers unknown paths under / with index.html (SPA fallback): an image
  // that comes back as HTML is a missing file, not a kernel.
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("text/html")) {
    throw new ImageFetchError(
      url,
      response.status,
      `file not found (HTTP ${response.status}, but the server answered with an HTML page: a dev server's fallback for missing files)`,
    );
  }
  const header = Number(response.headers.get("content-length"));
  const total = Number.isFinite(header) && header > 0 ? header : (expectedSize ?? null);
  onProgress?.({ url, loaded: 0, total });
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    onProgress?.({ url, loaded: buffer.byteLength, total: buffer.byteLength });
    return buffer;
  }

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (error) {
      throw new ImageFetchError(url, response.status, `download interrupted after ${loaded} bytes (${describe(error)})`);
    }
    if (result.done) break;
    chunks.push(result.value);
    loaded += result.value.byteLength;
    onProgress?.({ url, loaded, total });
  }
  // A compressed transfer decodes to more bytes than Content-Length; fewer means truncation.
  if (header > 0 && loaded < header && !response.headers.get("content-encoding")) {
    throw new ImageFetchError(url, response.status, `got ${loaded} bytes, Content-Length said ${header}`);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  onProgress?.({ url, loaded, total: loaded });
  return bytes.buffer;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
