/**
 * Puts originals into the local R2 bucket `edgepix-originals` with
 * `wrangler r2 bulk put --local`: one wrangler process for all objects of a
 * run (a `wrangler r2 object put` per key costs ~2 s of CLI start-up each).
 * It writes the same on-disk store that `wrangler dev --persist-to` serves,
 * also while a worker is running.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EDGEPIX_CONFIG, ROOT, WORK_DIR, WRANGLER_BIN } from './paths.mjs';
import { WRANGLER_ENV } from './worker.mjs';

const BUCKET = 'edgepix-originals';

/**
 * @param {{ key: string, file: string }[]} objects
 * @param {string} persistTo  the same directory the workers use
 */
export async function putOriginals(objects, persistTo) {
  if (objects.length === 0) return;
  const listFile = path.join(WORK_DIR, 'bulk-put.json');
  fs.writeFileSync(listFile, JSON.stringify(objects));
  const args = [
    WRANGLER_BIN, 'r2', 'bulk', 'put', BUCKET, '--filename', listFile,
    '--local', '--persist-to', persistTo, '--config', EDGEPIX_CONFIG,
  ];
  await promisify(execFile)(process.execPath, args, { cwd: ROOT, env: WRANGLER_ENV, maxBuffer: 16 << 20 });
}
