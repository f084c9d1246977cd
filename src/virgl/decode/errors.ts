// Decode errors: which command, which field, which value, where in the submit. Never thrown across
// the decoder boundary; parse functions return them and the walker stops the submit (like vrend,
// which marks the context errored and drops the rest of the buffer).

export interface DecodeError {
  /** Command name (e.g. "DRAW_VBO", "CREATE_OBJECT/SHADER"). */
  cmd: string;
  /** Field the check failed on (e.g. "length", "nr_cbufs", "stage"). */
  field: string;
  /** Offending value. */
  value: number;
  /** Dword index of the command header inside the submit. */
  offset: number;
  message: string;
}

/** Thrown only inside the decode module by `fail()` and caught by the walker. */
export class DecodeFailure extends Error {
  constructor(
    readonly field: string,
    readonly value: number,
    readonly reason: string,
  ) {
    super(`${field}=${value}: ${reason}`);
  }
}

export function fail(field: string, value: number, reason: string): never {
  throw new DecodeFailure(field, value, reason);
}

export function formatDecodeError(e: DecodeError): string {
  return `${e.cmd} @dw${e.offset}: ${e.field}=${e.value}: ${e.message}`;
}
