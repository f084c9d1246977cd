#!/usr/bin/env node
// Deterministic "newc" (SVR4, no CRC) cpio writer for the guest initramfs. No dependencies, no root:
// device nodes are described on the command line instead of being created on disk.
//
//   node guest/tools/mkcpio.mjs --root DIR --out FILE [--mtime EPOCH] [--node PATH:c|b:MAJOR:MINOR:MODE]...
//
// Determinism: entries sorted by path (byte order), uid/gid 0, one fixed mtime (default
// $SOURCE_DATE_EPOCH or 0), inode numbers assigned 1, 2, 3... in that order, permissions normalised
// (directories 0755, files 0755 if any execute bit is set else 0644, symlinks 0777).
// Files hard-linked together inside DIR stay hard links (one inode, data stored once on the last
// entry, as GNU cpio does; the kernel's initramfs unpacker accepts it).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000, S_IFBLK = 0o060000;

/**
 * Walks `root` and returns archive entries (not yet numbered).
 * @returns {{name: string, type: 'dir'|'file'|'symlink', perm: number, data?: Buffer, target?: string, linkKey?: string}[]}
 */
export function entriesFromDir(root) {
  const out = [];
  const walk = (rel) => {
    const abs = rel ? path.join(root, rel) : root;
    const names = fs.readdirSync(abs).sort();
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) {
        out.push({ name: r, type: 'dir', perm: 0o755 });
        walk(r);
      } else if (st.isSymbolicLink()) {
        out.push({ name: r, type: 'symlink', perm: 0o777, target: fs.readlinkSync(p) });
      } else if (st.isFile()) {
        out.push({
          name: r, type: 'file', perm: st.mode & 0o111 ? 0o755 : 0o644,
          data: fs.readFileSync(p), linkKey: st.nlink > 1 ? `${st.dev}:${st.ino}` : undefined,
        });
      } else {
        throw new Error(`mkcpio: unsupported file type (sockets, fifos and device nodes go in --node): ${p}`);
      }
    }
  };
  walk('');
  return out;
}

/** Parses "dev/console:c:5:1:0600". */
export function parseNode(spec) {
  const m = /^\/?(.+):([cb]):(\d+):(\d+):([0-7]{3,4})$/.exec(spec);
  if (!m) throw new Error(`mkcpio: bad --node "${spec}" (want PATH:c|b:MAJOR:MINOR:MODE)`);
  return { name: m[1], type: m[2] === 'c' ? 'chr' : 'blk', perm: parseInt(m[5], 8), major: +m[3], minor: +m[4] };
}

const hex8 = (n) => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`mkcpio: field out of range: ${n}`);
  return n.toString(16).padStart(8, '0');
};
const pad4 = (n) => (4 - (n % 4)) % 4;

function header(f) {
  return Buffer.from('070701' + [f.ino, f.mode, 0, 0, f.nlink, f.mtime, f.size, 0, 0, f.rmaj ?? 0, f.rmin ?? 0,
    f.namesize, 0].map(hex8).join(''), 'ascii');
}

/**
 * Builds the archive. Entries may come in any order; they are sorted here.
 * @param {ReturnType<typeof entriesFromDir>} entries
 * @param {{mtime?: number}} [opts]
 * @returns {Buffer}
 */
export function buildCpio(entries, opts = {}) {
  const mtime = opts.mtime ?? 0;
  // Parent directories that were not listed explicitly (e.g. "dev" for a --node dev/console).
  const names = new Set(entries.map((e) => e.name));
  const all = [...entries];
  for (const e of entries) {
    for (let d = path.posix.dirname(e.name); d !== '.' && d !== '/' && !names.has(d); d = path.posix.dirname(d)) {
      names.add(d);
      all.push({ name: d, type: 'dir', perm: 0o755 });
    }
  }
  const sorted = all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].name === sorted[i - 1].name) throw new Error(`mkcpio: duplicate entry ${sorted[i].name}`);
  }
  // Hard-link groups: same inode number, nlink = group size, data on the last member only.
  const groups = new Map();
  for (const e of sorted) if (e.linkKey) (groups.get(e.linkKey) ?? groups.set(e.linkKey, []).get(e.linkKey)).push(e);
  const chunks = [];
  let ino = 0;
  const groupIno = new Map();
  const emit = (name, f, data) => {
    const nameBuf = Buffer.from(name + '\0', 'utf8');
    const h = header({ ...f, namesize: nameBuf.length, size: data ? data.length : 0, mtime });
    chunks.push(h, nameBuf, Buffer.alloc(pad4(h.length + nameBuf.length)));
    if (data && data.length) chunks.push(data, Buffer.alloc(pad4(data.length)));
  };
  for (const e of sorted) {
    let myIno, nlink = 1;
    const group = e.linkKey ? groups.get(e.linkKey) : undefined;
    if (group && group.length > 1) {
      if (!groupIno.has(e.linkKey)) groupIno.set(e.linkKey, ++ino);
      myIno = groupIno.get(e.linkKey);
      nlink = group.length;
    } else {
      myIno = ++ino;
    }
    switch (e.type) {
      case 'dir': emit(e.name, { ino: myIno, mode: S_IFDIR | e.perm, nlink: 2 }); break;
      case 'symlink': emit(e.name, { ino: myIno, mode: S_IFLNK | 0o777, nlink: 1 }, Buffer.from(e.target, 'utf8')); break;
      case 'file': {
        const last = !group || group.length < 2 || group[group.length - 1] === e;
        emit(e.name, { ino: myIno, mode: S_IFREG | e.perm, nlink }, last ? e.data : undefined);
        break;
      }
      case 'chr': case 'blk':
        emit(e.name, { ino: myIno, mode: (e.type === 'chr' ? S_IFCHR : S_IFBLK) | e.perm, nlink: 1, rmaj: e.major, rmin: e.minor });
        break;
      default: throw new Error(`mkcpio: unknown entry type ${e.type}`);
    }
  }
  const trailerName = Buffer.from('TRAILER!!!\0', 'ascii');
  const th = header({ ino: 0, mode: 0, nlink: 1, mtime: 0, size: 0, namesize: trailerName.length });
  chunks.push(th, trailerName, Buffer.alloc(pad4(th.length + trailerName.length)));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  chunks.push(Buffer.alloc(pad4(total) + ((512 - ((total + pad4(total)) % 512)) % 512)));
  return Buffer.concat(chunks);
}

function main(argv) {
  let root, out, mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  const nodes = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => { if (i + 1 >= argv.length) throw new Error(`mkcpio: ${a} needs a value`); return argv[++i]; };
    if (a === '--root') root = v();
    else if (a === '--out') out = v();
    else if (a === '--mtime') mtime = Number(v());
    else if (a === '--node') nodes.push(parseNode(v()));
    else throw new Error(`mkcpio: unknown argument ${a}`);
  }
  if (!root || !out) throw new Error('usage: mkcpio.mjs --root DIR --out FILE [--mtime EPOCH] [--node PATH:c|b:MAJOR:MINOR:MODE]...');
  const entries = [...entriesFromDir(root), ...nodes];
  const buf = buildCpio(entries, { mtime });
  fs.writeFileSync(out, buf);
  console.log(`mkcpio: ${entries.length} entries, ${buf.length} bytes -> ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try { main(process.argv.slice(2)); } catch (e) { console.error(e.message); process.exit(1); }
}
