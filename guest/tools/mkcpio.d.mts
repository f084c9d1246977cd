// Types for mkcpio.mjs (used by guest/guest.test.ts).
export type CpioEntry =
  | { name: string; type: 'dir'; perm: number }
  | { name: string; type: 'symlink'; perm: number; target: string }
  | { name: string; type: 'file'; perm: number; data: Buffer; linkKey?: string }
  | { name: string; type: 'chr' | 'blk'; perm: number; major: number; minor: number };
export function entriesFromDir(root: string): CpioEntry[];
export function parseNode(spec: string): CpioEntry;
export function buildCpio(entries: CpioEntry[], opts?: { mtime?: number }): Buffer;
