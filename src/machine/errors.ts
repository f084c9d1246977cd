/** Machine failures with a title a UI can show and the detail that explains it. */
import { EmulatorError } from "../emulator/emulator.ts";
import { ImageFetchError } from "../emulator/fetch-image.ts";
import { V86InternalsError } from "../emulator/v86-internals.ts";

export type MachineErrorKind = "bad-option" | "unsupported-browser" | "download" | "gpu" | "emulator" | "internal";

export class MachineError extends Error {
  constructor(
    readonly kind: MachineErrorKind,
    readonly title: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${title}: ${detail}`, options);
    this.name = "MachineError";
  }
}

/** Any failure as a MachineError (download errors name the URL and how to build the guest). */
export function toMachineError(error: unknown): MachineError {
  if (error instanceof MachineError) return error;
  if (error instanceof ImageFetchError) {
    const hint = error.status === 404 || /not found/.test(error.message) ? "\nThe guest images are built into public/guest/ by `bash guest/build.sh`." : "";
    return new MachineError("download", "Could not download a guest image", `${error.url}: ${error.message.replace(/^could not download \S+: /, "")}${hint}`, { cause: error });
  }
  if (error instanceof EmulatorError || error instanceof V86InternalsError) {
    return new MachineError("emulator", "The emulator could not start", error.message, { cause: error });
  }
  return new MachineError("internal", "Unexpected error", error instanceof Error ? error.message : String(error), { cause: error });
}
