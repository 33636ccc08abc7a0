// The CLI's help and its answers to bad input (issue 16): usage on --help with exit 0,
// one clear line and exit 2 for anything it cannot use, never a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signUrl } from 'edgepix/sign';

const cli = fileURLToPath(new URL('../../bin/edgepix.js', import.meta.url));
// An empty working directory: the CLI reads ./.dev.vars when present, and a developer's must not count.
const cwd = mkdtempSync(join(tmpdir(), 'edgepix-cli-'));
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { SIGNING_KEYS: 'k1:secret' } });

for (const args of [['--help'], ['-h'], ['help'], ['sign', '--help'], ['sign', '-h'], ['sign', '/img/w=1/a.jpg', '--help']]) {
  test(`edgepix ${args.join(' ')} prints the usage of every command and flag`, () => {
    const result = run(...args);
    assert.equal(result.status, 0, result.stderr);
    for (const word of ['Usage: edgepix', 'sign <path or URL>', '--expires', '--key-file', '--kid', '--help']) {
      assert.ok(result.stdout.includes(word), `usage mentions ${word}`);
    }
    assert.equal(result.stderr, '');
  });
}

for (const [args, message] of [
  [['sign', '/img/w=1/a.jpg', '--expires', '-5'], /--expires must be a positive duration.*"-5"/],
  [['sign', '/img/w=1/a.jpg', '--expires', '0'], /--expires must be a positive duration.*"0"/],
  [['sign', '/img/w=1/a.jpg', '--expires=0s'], /--expires must be a positive duration.*"0s"/],
  [['sign', '/img/w=1/a.jpg', '--expires', 'soon'], /--expires must be a positive duration.*"soon"/],
  [['sign', '/img/w=1/a.jpg', '--expires'], /--expires/],
  [['sign', '/img/w=1/a.jpg', '--bogus'], /Unknown option '--bogus'/],
  [['sign'], /Expected one path or URL/],
  [['sign', 'http://[nope/img/w=1/a.jpg'], /Cannot sign "http:\/\/\[nope/],
  [['sign', '/img/w=1/a.jpg', '--kid', 'other'], /No key with kid "other"/],
  [['frobnicate'], /Unknown command "frobnicate"/],
  [[], /Expected a command/],
]) {
  test(`edgepix ${args.join(' ')} fails with one line and exit 2`, () => {
    const result = run(...args);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${result.stderr}`);
    assert.match(result.stderr, /^edgepix: .*edgepix --help/);
  });
}

test('edgepix sign still signs with a value option written either way', async () => {
  for (const args of [['--expires', '90s'], ['--expires=90s']]) {
    const result = run('sign', '/img/w=1/a.jpg', ...args, '--kid', 'k1');
    assert.equal(result.status, 0, result.stderr);
    const exp = Number(new URL(result.stdout.trim(), 'http://x').searchParams.get('exp'));
    assert.ok(Math.abs(exp - (Date.now() / 1000 + 90)) < 5, `exp ${exp} is 90 s away`);
    assert.equal(result.stdout.trim(), await signUrl('/img/w=1/a.jpg', { key: 'secret', kid: 'k1', expiresAt: exp }));
  }
});

test('signUrl refuses an expiresIn that makes a link already expired', async () => {
  for (const expiresIn of [0, -5, Number.NaN]) {
    await assert.rejects(signUrl('/img/w=1/a.jpg', { key: 'secret', expiresIn }), /positive number of seconds for expiresIn/);
  }
});
