// Node-side checks of the signing docs and tools (workerd cannot spawn processes):
// the README's test vectors equal the SDK's output, each README snippet run by its
// own interpreter signs exactly like the SDK, and the CLI prints working links.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { imageUrl, signUrl, srcset, stringToSign } from 'edgepix/sign';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const SECRETS = { k1: 'correct horse battery staple', old: 's3cr3t' };
const work = mkdtempSync(join(tmpdir(), 'edgepix-snippets-'));

/** The first fenced block of `lang` after `heading`. */
function snippet(heading, lang) {
  const section = readme.slice(readme.indexOf(heading));
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  assert.ok(match, `README has a ${lang} block under ${heading}`);
  return match[1];
}

/** Rows of the test-vector table: path, kid, exp, string to sign, sig. */
function vectors() {
  const after = readme.slice(readme.indexOf('Test vectors'));
  const table = after.slice(after.indexOf('\n|'), after.indexOf('\n\n', after.indexOf('\n|')));
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  assert.ok(rows.length >= 3, 'README lists test vectors');
  return rows.map((row) => {
    const [path, kid, exp, toSign, sig] = row.split('|').slice(1, 6).map((cell) => cell.trim().replace(/^`|`$/g, ''));
    return { path, kid, exp: Number(exp), toSign, sig, secret: SECRETS[kid] };
  });
}

const have = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
/** Vectors whose path has no query of its own: the snippets add exp and kid only. */
const plainVectors = () => vectors().filter((v) => !v.path.includes('?'));
const sdkSign = (v) => signUrl(v.path, { key: v.secret, kid: v.kid, expiresAt: v.exp });

test('README secrets sentence names the secrets the vectors use', () => {
  for (const [kid, secret] of Object.entries(SECRETS)) assert.ok(readme.includes(`\`${secret}\` for \`${kid}\``));
});

test('README test vectors equal the SDK output', async () => {
  for (const v of vectors()) {
    const url = new URL(await sdkSign(v), 'http://x');
    assert.equal(stringToSign(url.pathname, url.search), v.toSign, v.path);
    assert.equal(url.searchParams.get('sig'), v.sig, v.path);
  }
});

/** Runs a snippet with a harness that prints sign(path, secret, kid, exp) per vector, one per line. */
async function checkSnippet(file, source, run) {
  writeFileSync(join(work, file), source);
  const printed = run(join(work, file)).trim().split('\n');
  const expected = await Promise.all(plainVectors().map(sdkSign));
  assert.deepEqual(printed, expected);
}

const inputs = () => JSON.stringify(plainVectors().map((v) => [v.path, v.secret, v.kid, v.exp]));

test('Python snippet signs like the SDK', { skip: !have('python3') && 'python3 is not installed' }, () =>
  checkSnippet(
    'sign.py',
    `${snippet('### Python', 'python')}\nimport json, sys\nfor args in json.loads(sys.argv[1]):\n    print(sign_url(*args))\n`,
    (file) => execFileSync('python3', [file, inputs()], { encoding: 'utf8' }),
  ));

test('Go snippet signs like the SDK', { skip: !have('go') && 'go is not installed here: the Go snippet was not run' }, () =>
  checkSnippet(
    'sign.go',
    // The snippet's import block gains encoding/json and os for the harness.
    `package main\n\n${snippet('### Go', 'go').replace('import (', 'import (\n\t"encoding/json"\n\t"os"')}
func main() {
	var rows [][4]any
	json.Unmarshal([]byte(os.Args[1]), &rows)
	for _, r := range rows {
		fmt.Println(signURL(r[0].(string), r[1].(string), r[2].(string), int64(r[3].(float64))))
	}
}
`,
    (file) => execFileSync('go', ['run', file, inputs()], { encoding: 'utf8', cwd: work }),
  ));

test('PHP snippet signs like the SDK', { skip: !have('php') && 'php is not installed here: the PHP snippet was not run' }, () =>
  checkSnippet(
    'sign.php',
    `<?php\n${snippet('### PHP', 'php')}\nforeach (json_decode($argv[1]) as $a) { echo sign_url(...$a), "\\n"; }\n`,
    (file) => execFileSync('php', [file, inputs()], { encoding: 'utf8' }),
  ));

test('CLI prints a link signed with the key file’s first key', async () => {
  const keyFile = join(work, '.dev.vars');
  writeFileSync(keyFile, '# comment\nSIGNING_KEYS=k1:correct horse battery staple,old:s3cr3t\nALLOW_UNSIGNED=true\n');
  const before = Math.floor(Date.now() / 1000);
  const printed = execFileSync(process.execPath, [join(root, 'bin/edgepix.js'), 'sign', 'https://i.example/img/width=400/a.jpg', '--expires', '2h', '--key-file', keyFile], { encoding: 'utf8' }).trim();
  const exp = Number(new URL(printed).searchParams.get('exp'));
  assert.ok(exp >= before + 7200 && exp <= before + 7205, `exp ${exp} is two hours away`);
  assert.equal(printed, await signUrl('https://i.example/img/width=400/a.jpg', { key: SECRETS.k1, kid: 'k1', expiresAt: exp }));
});

test('CLI refuses a bad duration with usage', () => {
  const result = spawnSync(process.execPath, [join(root, 'bin/edgepix.js'), 'sign', '/img/w=1/a.jpg', '--expires', 'soon'], { encoding: 'utf8', env: { SIGNING_KEYS: 'a:b' } });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--expires/);
});

test('imageUrl and srcset write canonical, signed paths', async () => {
  assert.equal(imageUrl('dir/café 1.jpg', { format: 'webp', width: 300, background: '#fff' }), '/img/width=300,format=webp,background=%23fff/dir/caf%C3%A9%201.jpg');
  assert.throws(() => imageUrl('a.jpg', { widht: 3 }), /Unknown option widht/);
  const set = await srcset('a.jpg', [100, 200], { key: 's', kid: 'k1', expiresAt: 2000000000, base: 'https://i.example' });
  const entries = set.split(', ');
  assert.equal(entries.length, 2);
  assert.equal(entries[1], `${await signUrl('https://i.example/img/width=200/a.jpg', { key: 's', kid: 'k1', expiresAt: 2000000000 })} 200w`);
});
