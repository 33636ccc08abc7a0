#!/usr/bin/env node
// edgepix CLI. `edgepix sign <path> [--expires 1h] [--key-file .dev.vars] [--kid id]`
// prints a signed URL, using the first SIGNING_KEYS entry of the key file (or of the environment).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signUrl } from '../sdk/sign.js';
import { parseSigningKeys } from '../sdk/keys.js';

const USAGE = `Usage: edgepix sign <path or URL> [--expires 1h] [--key-file .dev.vars] [--kid id]

  --expires   how long the link works: 90s, 15m, 1h, 7d or plain seconds (default 1h)
  --key-file  a file with a SIGNING_KEYS=kid:secret,... line (default .dev.vars,
              else the SIGNING_KEYS environment variable); the first entry signs
  --kid       sign with this entry instead of the first`;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };

function parseDuration(text) {
  const match = /^(\d+)([smhd]?)$/.exec(text);
  if (!match) fail(`Expected a duration like 90s, 15m, 1h or 7d for --expires but received "${text}".`);
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
}

function fail(message) {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

/** SIGNING_KEYS from a dotenv-style file, else the environment. */
function signingKeysText(keyFile) {
  if (keyFile !== undefined || existsSync('.dev.vars')) {
    const file = keyFile ?? '.dev.vars';
    if (!existsSync(file)) fail(`No key file at ${file}.`);
    const line = readFileSync(file, 'utf8').split(/\r?\n/).find((l) => /^\s*SIGNING_KEYS\s*=/.test(l));
    if (!line) fail(`${file} has no SIGNING_KEYS= line.`);
    return line.slice(line.indexOf('=') + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return process.env.SIGNING_KEYS ?? fail('No key: pass --key-file or set SIGNING_KEYS.');
}

async function sign(args) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { expires: { type: 'string', default: '1h' }, 'key-file': { type: 'string' }, kid: { type: 'string' } },
  });
  if (positionals.length !== 1) fail('Expected one path or URL to sign.');
  const keys = parseSigningKeys(signingKeysText(values['key-file']));
  if (!keys?.length) fail('SIGNING_KEYS must be comma-separated kid:secret pairs.');
  const chosen = values.kid === undefined ? keys[0] : keys.find((key) => key.kid === values.kid);
  if (!chosen) fail(`No key with kid "${values.kid}".`);
  console.log(await signUrl(positionals[0], { key: chosen.secret, kid: chosen.kid, expiresIn: parseDuration(values.expires) }));
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'sign') await sign(rest);
else fail(command === undefined || command === '--help' ? '' : `Unknown command "${command}".`);
