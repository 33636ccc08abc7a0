// Keeps test/thumbor/libthumbor-urls.json (read by the workerd suite, which cannot run Python)
// equal to what Debian's python3-libthumbor makes now for test/thumbor/cases.json.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Debian's interpreter: the first python3 on PATH may be another one without the package.
const PYTHON = '/usr/bin/python3';
const installed = spawnSync(PYTHON, ['-c', 'import libthumbor'], { stdio: 'ignore' }).status === 0;

test(
  'libthumbor-urls.json is what libthumbor generates for cases.json',
  { skip: !installed && 'python3-libthumbor is not installed (apt-get install -y python3-libthumbor; .ci/run does)' },
  () => {
    const fresh = execFileSync(PYTHON, ['test/thumbor/generate.py'], { cwd: root, encoding: 'utf8' });
    const committed = readFileSync(`${root}test/thumbor/libthumbor-urls.json`, 'utf8');
    assert.deepEqual(JSON.parse(committed), JSON.parse(fresh), 'stale: run npm run thumbor:urls');
  },
);
