#!/usr/bin/env node
// `npm run check:bundle`: builds the Worker as `wrangler deploy` would upload it
// (`wrangler deploy --dry-run`: no account, no network), gzips it the way
// wrangler measures it (all modules concatenated, node:zlib) and fails above
// the Workers Paid plan's limit of 10 MiB compressed; warns above the Free
// plan's 3 MiB. Prints the size, each uploaded module and the largest inputs
// esbuild bundled into the JavaScript module.
//
//   node scripts/bundle-size.mjs [--outdir <dir>]   (--outdir keeps the build; default: a temporary directory)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER_BIN = path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const MiB = 1024 * 1024;
/** https://developers.cloudflare.com/workers/platform/limits/#worker-size (after compression). */
const PAID_LIMIT = 10 * MiB;
const FREE_LIMIT = 3 * MiB;
const TOP_INPUTS = 8;
/** What `--outdir` holds besides the uploaded modules. */
const NOT_UPLOADED = (name) => name.endsWith('.map') || name === 'README.md' || name === 'bundle-meta.json';

function parseArgs(argv) {
  const options = { outdir: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--outdir') options.outdir = argv[++i];
    else if (argv[i].startsWith('--outdir=')) options.outdir = argv[i].slice('--outdir='.length);
    else {
      console.error(`unknown argument ${argv[i]}\nusage: node scripts/bundle-size.mjs [--outdir <dir>]`);
      process.exit(2);
    }
  }
  return options;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;

function build(outdir) {
  const metafile = path.join(outdir, 'bundle-meta.json');
  const result = spawnSync(
    process.execPath,
    [WRANGLER_BIN, 'deploy', '--dry-run', '--outdir', outdir, '--metafile', metafile],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  if (result.status !== 0) {
    throw new Error(`wrangler deploy --dry-run failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return JSON.parse(fs.readFileSync(metafile, 'utf8'));
}

function report(outdir, meta) {
  const modules = fs
    .readdirSync(outdir)
    .filter((name) => !NOT_UPLOADED(name))
    .map((name) => {
      const content = fs.readFileSync(path.join(outdir, name));
      // wrangler prefixes additional modules with their content hash: show the name the source has.
      return { name: name.replace(/^[0-9a-f]{40}-/, ''), bytes: content.length, gzip: gzipSync(content).length, content };
    })
    .sort((a, b) => b.gzip - a.gzip);
  // As wrangler's "Total Upload … / gzip: …": one gzip stream over every module.
  const total = gzipSync(Buffer.concat(modules.map((m) => m.content))).length;
  const raw = modules.reduce((sum, m) => sum + m.bytes, 0);

  console.log(`Worker bundle: ${mib(total)} gzipped (${mib(raw)} uncompressed), ${modules.length} modules`);
  for (const m of modules) {
    const share = ((m.gzip / modules.reduce((sum, x) => sum + x.gzip, 0)) * 100).toFixed(0);
    console.log(`  ${m.name.padEnd(28)} ${kib(m.gzip).padStart(11)} gzipped  ${kib(m.bytes).padStart(11)} raw  ${share.padStart(3)}%`);
  }
  const js = Object.entries(meta.outputs).find(([file]) => file.endsWith('.js'));
  if (js) {
    console.log(`Largest inputs of ${path.basename(js[0])} (bytes in the output, before gzip):`);
    const inputs = Object.entries(js[1].inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
    for (const [input, { bytesInOutput }] of inputs.slice(0, TOP_INPUTS)) {
      console.log(`  ${input.padEnd(56)} ${kib(bytesInOutput).padStart(10)}`); // paths relative to ROOT, wrangler's cwd
    }
  }

  if (total > PAID_LIMIT) {
    console.error(`FAIL: ${mib(total)} gzipped is over the Workers Paid plan's ${mib(PAID_LIMIT)}: wrangler deploy would be refused.`);
    return 1;
  }
  if (total > FREE_LIMIT) {
    console.warn(`warning: ${mib(total)} gzipped is over the Workers Free plan's ${mib(FREE_LIMIT)} (fits the Paid plan's ${mib(PAID_LIMIT)}).`);
  } else {
    console.log(`ok: under the Free plan's ${mib(FREE_LIMIT)} and the Paid plan's ${mib(PAID_LIMIT)}.`);
  }
  return 0;
}

const options = parseArgs(process.argv.slice(2));
const outdir = options.outdir ? path.resolve(options.outdir) : fs.mkdtempSync(path.join(os.tmpdir(), 'edgepix-bundle-'));
try {
  if (options.outdir) fs.rmSync(outdir, { recursive: true, force: true });
  process.exitCode = report(outdir, build(outdir));
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  if (!options.outdir) fs.rmSync(outdir, { recursive: true, force: true });
}
