// guest/tools/strip-module-signature.sh: the appended-signature layout of scripts/sign-file.c.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const tool = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tools/strip-module-signature.sh');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webvirgl-modsig-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MAGIC = Buffer.from('~Module signature appended~\n');

function signed(body: Buffer, sigLen: number, declaredLen = sigLen): Buffer {
  const info = Buffer.alloc(12); // algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len
  info[2] = 2; // PKEY_ID_PKCS7
  info.writeUInt32BE(declaredLen, 8);
  return Buffer.concat([body, Buffer.alloc(sigLen, 0xa5), info, MAGIC]);
}

function strip(input: Buffer): { status: number | null; out: Buffer | null; stderr: string } {
  const src = path.join(tmp, 'in.ko');
  const dst = path.join(tmp, 'out.ko');
  fs.rmSync(dst, { force: true });
  fs.writeFileSync(src, input);
  const r = spawnSync('bash', [tool, src, dst], { encoding: 'utf8' });
  return { status: r.status, out: fs.existsSync(dst) ? fs.readFileSync(dst) : null, stderr: r.stderr };
}

describe('strip-module-signature.sh', () => {
  const body = Buffer.from('\x7fELF' + 'module text and sections '.repeat(40));

  it('drops the signature, its descriptor and the magic', () => {
    const r = strip(signed(body, 721));
    expect(r.status).toBe(0);
    expect(r.out?.equals(body)).toBe(true);
  });

  it('copies an unsigned module unchanged', () => {
    const r = strip(body);
    expect(r.status).toBe(0);
    expect(r.out?.equals(body)).toBe(true);
  });

  it('refuses a signature length that does not fit the file', () => {
    const r = strip(signed(body, 16, 1 << 30));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/bad signature length 1073741824/);
    expect(r.out).toBeNull();
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v readelf']).status !== 0)('leaves a module of the built image a valid ELF file ending at its section headers', () => {
    const ko = path.join(tmp, 'real.ko');
    const pool = path.join(os.homedir(), '.cache/webvirgl/pool');
    const found = fs.existsSync(pool) ? execFileSync('find', [pool, '-name', 'virtio_ring.ko', '-path', '*/kernel/*'], { encoding: 'utf8' }).trim().split('\n')[0] : '';
    if (!found) return;
    execFileSync('bash', [tool, found, ko]);
    const h = execFileSync('readelf', ['-h', ko], { encoding: 'utf8' });
    const shoff = Number(/Start of section headers:\s+(\d+)/.exec(h)![1]);
    const shnum = Number(/Number of section headers:\s+(\d+)/.exec(h)![1]);
    const shsize = Number(/Size of section headers:\s+(\d+)/.exec(h)![1]);
    expect(fs.statSync(ko).size).toBe(shoff + shnum * shsize);
    expect(fs.statSync(found).size).toBeGreaterThan(fs.statSync(ko).size);
  });
});
