#!/usr/bin/env node
// edgepix CLI. `edgepix sign <path> [--expires 1h] [--key-file .dev.vars] [--kid id]`
// prints a signed URL, using the first SIGNING_KEYS entry of the key file (or of the environment).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signUrl } from '../sdk/sign.js';
import { parseSigningKeys } from '../sdk/keys.js';

const USAGE = `Usage: edgepix <command> [options]

Commands:
  sign <path or URL>  print a signed link to an /img/ path or URL
  help                print this help

Options of sign:
  --expires <time>    how long the link works: 90s, 15m, 1h, 7d or plain seconds,
                      more than zero (default 1h)
  --key-file <file>   a file with a SIGNING_KEYS=kid:secret,... line (default .dev.vars,
                      else the SIGNING_KEYS environment variable); the first entry signs
  --kid <id>          sign with this entry instead of the first
  -h, --help          print this help

Example:
  edgepix sign /img/width=400/photos/cat.jpg --expires 1h --key-file .dev.vars`;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };
const OPTIONS = {
  expires: { type: 'string', default: '1h' },
  'key-file': { type: 'string' },
  kid: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function parseDuration(text) {
  const match = /^(\d+)([smhd]?)$/.exec(text);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's'] : 0;
  if (!(seconds > 0)) fail(`--expires must be a positive duration like 90s, 15m, 1h or 7d, not "${text}".`);
  return seconds;
}

/** One line on stderr, exit 2: bad input is the user's to fix, so no stack trace. */
function fail(message) {
  console.error(`edgepix: ${message} (run "edgepix --help" for usage)`);
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

/** `--expires -5` means the value -5, which parseArgs would call ambiguous: write value options as --name=value. */
function joinValues(args) {
  const joined = [];
  for (let i = 0; i < args.length; i++) {
    const takesValue = args[i].startsWith('--') && OPTIONS[args[i].slice(2)]?.type === 'string';
    joined.push(takesValue && i + 1 < args.length ? `${args[i]}=${args[++i]}` : args[i]);
  }
  return joined;
}

function parse(args) {
  try {
    return parseArgs({ args: joinValues(args), allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // parseArgs explains at length; its first sentence names the problem.
    fail(error.message.split(/\.\s|\n/)[0]);
  }
}

async function sign(args) {
  const { values, positionals } = parse(args);
  if (values.help) return console.log(USAGE);
  if (positionals.length !== 1) fail('Expected one path or URL to sign.');
  const expiresIn = parseDuration(values.expires);
  const keys = parseSigningKeys(signingKeysText(values['key-file']));
  if (!keys?.length) fail('SIGNING_KEYS must be comma-separated kid:secret pairs.');
  const chosen = values.kid === undefined ? keys[0] : keys.find((key) => key.kid === values.kid);
  if (!chosen) fail(`No key with kid "${values.kid}".`);
  try {
    console.log(await signUrl(positionals[0], { key: chosen.secret, kid: chosen.kid, expiresIn }));
  } catch (error) {
    // signUrl throws TypeError for input it cannot sign (an unparsable URL, an expiry out of range).
    if (!(error instanceof TypeError)) throw error;
    fail(`Cannot sign "${positionals[0]}": ${error.message}`);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'sign') await sign(rest);
else if (['help', '--help', '-h'].includes(command)) console.log(USAGE);
else fail(command === undefined ? 'Expected a command.' : `Unknown command "${command}".`);
