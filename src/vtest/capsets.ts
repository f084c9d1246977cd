// Reference capsets (virglrenderer 0.10.4 on a GLES 3.0 llvmpipe host) and their loading.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CAPS_V1_BYTES, CAPS_V2_BYTES } from "./protocol.ts";
import { RecordingPort } from "./recording-port.ts";

/** In the repo beside this module (copied from the project's reference material). */
export const REFERENCE_CAPSET_DIR = join(dirname(fileURLToPath(import.meta.url)), "reference-capsets");
export const DEFAULT_CAPSET_FILES = {
  1: `${REFERENCE_CAPSET_DIR}/virglrenderer-0.10.4-gles30_capset1.bin`,
  2: `${REFERENCE_CAPSET_DIR}/virglrenderer-0.10.4-gles30_capset2.bin`,
} as const;

export interface Capsets {
  capset1: Uint8Array;
  capset2: Uint8Array;
}

/** Loads capset files; a capset shorter than Mesa 22.3's struct is zero-extended. */
export function loadCapsets(files: { 1: string; 2: string } = DEFAULT_CAPSET_FILES): Capsets {
  const read = (path: string, size: number): Uint8Array => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (err) {
      throw new Error(`capset file ${path}: ${(err as Error).message}`);
    }
    if (bytes.byteLength >= size) return bytes;
    const out = new Uint8Array(size);
    out.set(bytes);
    return out;
  };
  return { capset1: read(files[1], CAPS_V1_BYTES), capset2: read(files[2], CAPS_V2_BYTES) };
}

/** A RecordingPort answering with the reference capsets. */
export function referenceRecordingPort(): RecordingPort {
  return new RecordingPort(loadCapsets());
}
