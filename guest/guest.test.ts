// Fast tests of the guest image tooling (no Mesa build here): the cpio writer, the /init command
// line parser, and public/guest/manifest.json against the files (skipped if the image is not built).
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCpio, entriesFromDir, parseNode } from './tools/mkcpio.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webvirgl-guest-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeTree(root: string, mtime: number) {
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/busybox'), 'not really busybox\n', { mode: 0o755 });
  fs.symlinkSync('usr/bin', path.join(root, 'bin'));
  fs.writeFileSync(path.join(root, 'etc/hostname'), 'webvirgl\n', { mode: 0o600 });
  fs.writeFileSync(path.join(root, 'usr/bin/a_dri.so'), Buffer.alloc(1000, 7));
  fs.linkSync(path.join(root, 'usr/bin/a_dri.so'), path.join(root, 'usr/bin/b_dri.so'));
  for (const p of ['usr/bin/busybox', 'etc/hostname', 'usr/bin/a_dri.so', 'usr', 'etc']) {
    fs.utimesSync(path.join(root, p), mtime, mtime);
  }
}

function hasTool(cmd: string) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

describe('mkcpio (deterministic newc writer)', () => {
  const a = path.join(tmp, 'a'), b = path.join(tmp, 'b');
  makeTree(a, 1_000_000);
  makeTree(b, 2_000_000); // different host timestamps and inode numbers
  const nodes = [parseNode('dev/console:c:5:1:0600')];
  const archiveA = buildCpio([...entriesFromDir(a), ...nodes], { mtime: 1700000000 });
  const archiveB = buildCpio([...nodes, ...entriesFromDir(b)], { mtime: 1700000000 });

  it('gives the same bytes for the same tree', () => {
    expect(archiveA.equals(archiveB)).toBe(true);
    expect(archiveA.length % 512).toBe(0);
    expect(archiveA.subarray(0, 6).toString()).toBe('070701');
  });

  it.skipIf(!hasTool('cpio'))('is listed by cpio -t, with a device node, a symlink and a hard link', () => {
    const f = path.join(tmp, 'a.cpio');
    fs.writeFileSync(f, archiveA);
    const names = execFileSync('cpio', ['-t', '--quiet', '-F', f], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['bin', 'dev', 'dev/console', 'etc', 'etc/hostname', 'usr', 'usr/bin',
      'usr/bin/a_dri.so', 'usr/bin/b_dri.so', 'usr/bin/busybox']);
    const long = execFileSync('cpio', ['-tv', '--quiet', '-F', f], { encoding: 'utf8' });
    expect(long).toMatch(/^crw------- .* 5, +1 .* dev\/console$/m);
    expect(long).toMatch(/^lrwxrwxrwx .* bin -> usr\/bin$/m);
    expect(long).toMatch(/^-rw-r--r-- +2 .* usr\/bin\/b_dri\.so$/m);
    expect(long).toMatch(/^-rwxr-xr-x +1 .* usr\/bin\/busybox$/m);
    // Extract and check that the hard-linked data survives (stored once).
    const x = path.join(tmp, 'x');
    fs.mkdirSync(x);
    execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames', '-F', f], { cwd: x, stdio: 'ignore' });
    expect(fs.readFileSync(path.join(x, 'usr/bin/a_dri.so')).equals(Buffer.alloc(1000, 7))).toBe(true);
    expect(fs.statSync(path.join(x, 'usr/bin/a_dri.so')).ino).toBe(fs.statSync(path.join(x, 'usr/bin/b_dri.so')).ino);
  });

  it('stores the 1000-byte hard-linked file once', () => {
    const oneCopy = buildCpio([{ name: 'f', type: 'file', perm: 0o644, data: Buffer.alloc(1000, 7) }]);
    const twoLinks = buildCpio([
      { name: 'f', type: 'file', perm: 0o644, data: Buffer.alloc(1000, 7), linkKey: 'k' },
      { name: 'g', type: 'file', perm: 0o644, data: Buffer.alloc(1000, 7), linkKey: 'k' },
    ]);
    expect(twoLinks.length).toBeLessThan(oneCopy.length + 512);
  });

  it('rejects bad node specs and duplicates', () => {
    expect(() => parseNode('dev/console:x:5:1:0600')).toThrow(/bad --node/);
    expect(() => buildCpio([nodes[0], nodes[0]])).toThrow(/duplicate/);
  });
});

describe('/init command line parsing (host sh)', () => {
  const parser = path.join(here, 'rootfs/etc/webvirgl/cmdline.sh');
  const parse = (cmdline: string) => {
    const out = execFileSync('sh', ['-c',
      '. "$1"; webvirgl_parse_cmdline "$2"; printf "%s|%s|%s" "$WEBVIRGL_RUN" "$WEBVIRGL_GL" "$WEBVIRGL_ARGS"',
      'sh', parser, cmdline], { encoding: 'utf8' });
    const [run, gl, args] = out.split('|');
    return { run, gl, args };
  };

  it('defaults to an interactive shell', () => {
    expect(parse('console=ttyS0 quiet')).toEqual({ run: 'shell', gl: 'auto', args: '' });
    expect(parse('')).toEqual({ run: 'shell', gl: 'auto', args: '' });
  });
  it('reads run, gl and unquoted args', () => {
    expect(parse('console=ttyS0 webvirgl.run=kmscube webvirgl.gl=softpipe webvirgl.args=--count=60 quiet'))
      .toEqual({ run: 'kmscube', gl: 'softpipe', args: '--count=60' });
  });
  it('reads quoted args with spaces and tabs, at any position', () => {
    expect(parse('webvirgl.args="-b build:duration=2 --visual-config r=8:g=8:b=8:a=0" webvirgl.run=glmark2 x=1'))
      .toEqual({ run: 'glmark2', gl: 'auto', args: '-b build:duration=2 --visual-config r=8:g=8:b=8:a=0' });
    expect(parse('quiet\twebvirgl.run=glinfo  webvirgl.args="--platform gbm"\n'))
      .toEqual({ run: 'glinfo', gl: 'auto', args: '--platform gbm' });
  });
  it('does not evaluate anything and ignores look-alike keys', () => {
    expect(parse('webvirgl.args="$(echo pwned) `id`" xwebvirgl.run=bad webvirgl.runx=bad'))
      .toEqual({ run: 'shell', gl: 'auto', args: '$(echo pwned) `id`' });
  });
  it('lets a later key win and tolerates an unterminated quote', () => {
    expect(parse('webvirgl.run=glinfo webvirgl.run=sysinfo webvirgl.args="--count=3')).toEqual({
      run: 'sysinfo', gl: 'auto', args: '--count=3',
    });
  });
  it('keeps /init itself valid sh', () => {
    expect(spawnSync('sh', ['-n', path.join(here, 'rootfs/init')]).status).toBe(0);
  });
});

describe('public/guest/manifest.json', () => {
  const dir = path.join(repo, 'public/guest');
  const built = fs.existsSync(path.join(dir, 'manifest.json'));
  if (!built) console.warn('guest image not built (run `bash guest/build.sh`): skipping the manifest test');
  it.skipIf(!built)('matches the files', () => {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(m.version).toMatch(/^[0-9a-f]{16}$/);
    const names = m.files.map((f: { name: string }) => f.name).sort();
    expect(names).toEqual(['bios.bin', 'bzImage', m.initrd.file, 'vgabios-stdvga.bin'].sort());
    for (const f of m.files as { name: string; size: number; sha256: string }[]) {
      const buf = fs.readFileSync(path.join(dir, f.name));
      expect(buf.length, f.name).toBe(f.size);
      expect(crypto.createHash('sha256').update(buf).digest('hex'), f.name).toBe(f.sha256);
    }
    // Our kernel (guest/kernel/), built from Debian's linux-source-6.1.
    expect(m.kernel.release).toMatch(/^6\.1\.\d+-webvirgl$/);
    expect(m.kernel.package).toBe('linux-source-6.1');
    expect(m.kernel.buildKey).toMatch(/^[0-9a-f]{16}$/);
    expect(m.mesa.version).toMatch(/^22\.3\./);
    expect(m.libraries).toContain('ld-linux.so.2');
  });
});
