/**
 * Character cursor over one line of TGSI text; tracks the column for error reports.
 * All reads are bounded by the line length, so no caller can loop forever.
 */
import type { ShaderError } from "../ir.ts";

export class ParseFailure {
  constructor(readonly error: ShaderError) {}
}

export class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly line: number,
  ) {}

  get column(): number {
    return this.pos + 1;
  }

  fail(message: string, column = this.column): never {
    throw new ParseFailure({ line: this.line, column, message });
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 13) this.pos++;
      else break;
    }
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): string {
    this.skipSpace();
    return this.text.charAt(this.pos);
  }

  /** Consume `ch` (after spaces) if present. */
  eat(ch: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(ch, this.pos)) {
      this.pos += ch.length;
      return true;
    }
    return false;
  }

  expect(ch: string, what?: string): void {
    if (!this.eat(ch)) {
      const found = this.pos < this.text.length ? `'${this.text.charAt(this.pos)}'` : "end of line";
      this.fail(`expected '${ch}'${what ? ` ${what}` : ""}, found ${found}`);
    }
  }

  /** Identifier of [A-Za-z0-9_] starting with a letter or digit (TGSI names like 2D, 1D_ARRAY). */
  word(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
      if (!ok) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  /** Peek the next word without consuming it. */
  peekWord(): string {
    const save = this.pos;
    const w = this.word();
    this.pos = save;
    return w;
  }

  /** Unsigned decimal integer, bounded by `max`. */
  uint(what: string, max: number): number {
    this.skipSpace();
    const start = this.pos;
    let value = 0;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      if (value > max) this.fail(`${what} ${this.text.slice(start, this.pos + 1)}… exceeds the limit ${max}`, start + 1);
      this.pos++;
    }
    if (this.pos === start) this.fail(`expected ${what}`);
    return value;
  }

  /** Signed decimal integer. */
  int(what: string, max: number): number {
    this.skipSpace();
    const neg = this.eat("-");
    if (!neg) this.eat("+");
    const v = this.uint(what, max);
    return neg ? -v : v;
  }

  /** A raw token up to ',', '}', or whitespace (for immediates). */
  token(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length) {
      const ch = this.text.charAt(this.pos);
      if (ch === "," || ch === "}" || ch === " " || ch === "\t") break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }
}
