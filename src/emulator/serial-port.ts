import type { V86 } from "v86";

export type SerialByteListener = (byte: number) => void;

/** The guest's first UART (ttyS0) as seen from the host: bytes out of the guest, text into it. */
export class SerialPort {
  private readonly listeners = new Set<SerialByteListener>();
  private readonly encoder = new TextEncoder();

  constructor(private readonly v86: V86) {
    v86.add_listener("serial0-output-byte", (byte) => {
      for (const listener of this.listeners) listener(byte);
    });
  }

  /** Calls `listener` with every byte the guest writes to ttyS0; returns an unsubscribe. */
  onByte(listener: SerialByteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends `text` as UTF-8 to the guest's ttyS0 (a terminal's Enter is "\r"). */
  send(text: string): void {
    this.sendBytes(this.encoder.encode(text));
  }

  sendBytes(bytes: Uint8Array): void {
    this.v86.serial_send_bytes(0, bytes);
  }
}

/** Keeps what the guest printed, decoded as UTF-8. */
export class SerialLog {
  private readonly decoder = new TextDecoder();
  private text = "";

  constructor(
    /** Oldest text is dropped past this many characters, so a long run does not grow without bound. */
    private readonly maxChars = 4 * 1024 * 1024,
  ) {}

  push(byte: number): string {
    // Streaming decode: a multi-byte UTF-8 sequence comes out whole on its last byte.
    const chunk = this.decoder.decode(Uint8Array.of(byte), { stream: true });
    this.text += chunk;
    if (this.text.length > this.maxChars) this.text = this.text.slice(this.text.length - this.maxChars / 2);
    return chunk;
  }

  all(): string {
    return this.text;
  }

  tail(chars: number): string {
    return this.text.slice(Math.max(0, this.text.length - chars));
  }

  clear(): void {
    this.text = "";
  }
}
