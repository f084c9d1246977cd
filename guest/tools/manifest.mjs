#!/usr/bin/env node
// Writes public/guest/manifest.json for guest/build.sh. No dependencies.
// Everything except "buildSeconds" is a pure function of the image inputs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const opts = {};
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--')) {
    if (i + 1 >= argv.length) throw new Error(`manifest: ${a} needs a value`);
    opts[a.slice(2)] = argv[++i];
  } else files.push(a);
}
for (const k of ['out', 'dir', 'version', 'resolved', 'kernel', 'kernel-package', 'mesa', 'initrd', 'compression']) {
  if (!opts[k]) throw new Error(`manifest: missing --${k}`);
}

const lines = (f) => (f && fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
const packages = {};
let kernelPackageVersion;
for (const l of lines(opts.resolved)) {
  const [name, version] = l.split(' ');
  packages[name] = version;
  if (name === opts['kernel-package']) kernelPackageVersion = version;
}
const durations = {};
if (opts.durations && fs.existsSync(opts.durations)) {
  for (const f of fs.readdirSync(opts.durations).sort()) {
    durations[f] = Number(fs.readFileSync(path.join(opts.durations, f), 'utf8').trim());
  }
}

const manifest = {
  name: 'webvirgl-guest',
  version: opts.version,
  files: files.map((name) => {
    const buf = fs.readFileSync(path.join(opts.dir, name));
    return { name, size: buf.length, sha256: crypto.createHash('sha256').update(buf).digest('hex') };
  }),
  // Built by guest/kernel/build-kernel.sh from this source package and guest/kernel/webvirgl.config.
  kernel: {
    release: opts.kernel,
    package: opts['kernel-package'],
    packageVersion: kernelPackageVersion,
    config: 'guest/kernel/webvirgl.config',
    buildKey: opts['kernel-key'],
    file: 'bzImage',
  },
  initrd: { file: opts.initrd, compression: opts.compression },
  bios: { bios: 'bios.bin', vgabios: 'vgabios-stdvga.bin', package: 'seabios', packageVersion: packages.seabios },
  mesa: { version: opts.mesa, buildKey: opts['mesa-key'], drivers: ['virgl', 'swrast (softpipe)'] },
  libraries: lines(opts.libraries),
  packages,
  buildSeconds: {
    // Duration of the last cold (cache-miss) build of each stage, and of this run of build.sh.
    lastColdStage: durations,
    thisRun: Number(opts['this-build'] ?? 0),
  },
};
fs.writeFileSync(opts.out + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
fs.renameSync(opts.out + '.tmp', opts.out);
