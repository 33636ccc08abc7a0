#!/usr/bin/env node
// End-to-end test of the console in real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) against `npm start`
// (scripts/dev.mjs) on a free port, in a temporary state directory: its own
// .dev.vars and local R2, never the developer's. Run by `npm test` as
// `npm run test:e2e`. Screenshots go to test/e2e/screenshots/ (git-ignored).
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const screenshots = join(root, 'test/e2e/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const READY_TIMEOUT_MS = 90_000;
const PHOTOS = ['formats/320x240.jpg', 'derived/progressive.jpg', 'derived/lossy.webp'];
const CONSOLE_CSP = /default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
let failures = 0;
async function step(name, run) {
  const at = Date.now();
  try {
    await run();
    console.log(`ok   ${name} (${Date.now() - at} ms)`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}\n${error.stack ?? error}`);
    throw error;
  }
}

/**
 * wrangler dev's proxy (4.86) now and then loses a non-GET request on a
 * pooled connection its runtime is closing (kj's two 5 s keep-alive timers,
 * cloudflare/workers-sdk#14641) and answers this 503 itself; the worker never
 * saw the request, and later wranglers retry it. Node-side requests here send
 * it again, as the console does for any 503 with Retry-After.
 */
const PROXY_LOST_REQUEST = 'Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.';
async function sendAgainIfLost(url, init, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, init);
    if (response.status !== 503 || attempt === attempts || (await response.clone().text()) !== PROXY_LOST_REQUEST) return response;
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/**
 * `npm start` in its own process group, so stopping it stops wrangler and workerd too. Without the
 * optimize pass: locally its consumer runs in the served isolate, and a high-effort AVIF re-encode
 * holds the thread for seconds; a request wrangler's proxy sends meanwhile on a pooled connection
 * can be lost (workers-sdk#14641), and a lost GET then waits for a reload that never comes. The
 * pass has its own tests (test/jobs.test.ts, test/optimize.test.ts).
 */
function startServer(port, stateDir) {
  const child = spawn(process.execPath, ['scripts/dev.mjs', '--port', String(port), '--state-dir', stateDir, '--var', 'OPTIMIZE:false'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch { /* already gone */ }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForHealth(base, server) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`npm start exited early:\n${server.output()}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`npm start was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${server.output()}`);
}

/** Runs axe-core in the page; returns the serious and critical violations. */
async function axeViolations(page, axeSource) {
  // Evaluated over the DevTools protocol, not injected as a <script>, so the page's CSP stays as strict as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${axeSource}\n;0`);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'edgepix-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(port, stateDir);
  let browser;
  const cleanUp = async () => {
    await browser?.close().catch(() => {});
    await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanUp().finally(() => process.exit(1)));

  try {
    await step(`npm start on port ${port} answers /healthz`, () => waitForHealth(base, server));
    const adminToken = /^ADMIN_TOKEN=(.+)$/m.exec(await readFile(join(stateDir, '.dev.vars'), 'utf8'))[1].trim();
    const authorization = { Authorization: `Bearer ${adminToken}` };
    await mkdir(screenshots, { recursive: true });
    const axeSource = await readFile(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
    const invalidFile = join(stateDir, 'not-a-photo.jpg');
    await writeFile(invalidFile, 'This is a text file with a .jpg name.\n');

    await step('/ and /upload lead to the console; its HTML, JS and CSS carry the CSP and nosniff', async () => {
      for (const [path, status] of [['/', 302], ['/upload', 301], ['/console', 301]]) {
        const response = await fetch(base + path, { redirect: 'manual' });
        assert.equal(response.status, status, path);
        assert.equal(response.headers.get('Location'), '/console/', path);
      }
      for (const [file, type] of [['', /^text\/html/], ['app.js', /^text\/javascript/], ['console.css', /^text\/css/]]) {
        const response = await fetch(`${base}/console/${file}`);
        assert.equal(response.status, 200, file);
        assert.match(response.headers.get('Content-Type'), type, file);
        assert.match(response.headers.get('Content-Security-Policy') ?? '', CONSOLE_CSP, file);
        assert.equal(response.headers.get('X-Content-Type-Options'), 'nosniff', file);
        assert.equal(response.headers.get('X-Frame-Options'), 'DENY', file);
        assert.equal(response.headers.get('Referrer-Policy'), 'no-referrer', file);
      }
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageProblems = [];
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageProblems.push(message.text());
    });

    await step('sign in: a wrong token is refused, the admin token opens the workspace', async () => {
      const response = await page.goto(`${base}/`);
      assert.equal(new URL(page.url()).pathname, '/console/');
      assert.match(response.headers()['content-security-policy'] ?? '', CONSOLE_CSP);
      await page.getByLabel('Admin token').fill('not-the-admin-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#sign-in-error').getByText(/refused/).waitFor();
      assert.equal(await page.locator('#workspace').isHidden(), true);
      await page.getByLabel('Admin token').fill(adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#workspace').waitFor({ state: 'visible' });
      assert.equal(await page.evaluate(() => sessionStorage.getItem('edgepix-admin-token')), adminToken);
      assert.equal(await page.evaluate(() => document.cookie), '');
      assert.doesNotMatch(page.url(), new RegExp(adminToken));
      await page.locator('#library-status').getByText('No originals yet').waitFor();
    });

    const keys = {};
    await step('upload three photos and a text file: progress reaches 100 %, the invalid one shows its problem', async () => {
      // Every value each progress bar takes, as the page sets it.
      await page.evaluate(() => {
        window.progressSeen = {};
        new MutationObserver((records) => {
          for (const record of records) {
            const bar = record.target;
            if (bar.tagName !== 'PROGRESS') continue;
            const name = bar.getAttribute('aria-label');
            (window.progressSeen[name] ??= []).push(Number(bar.value));
          }
        }).observe(document.getElementById('upload-list'), { subtree: true, attributes: true, attributeFilter: ['value'] });
      });
      await page.locator('#pick-files').setInputFiles([...PHOTOS.map((p) => join(root, 'test/fixtures', p)), invalidFile]);
      await page.locator('#upload-summary').getByText('3 stored, 1 refused.').waitFor();
      for (const photo of PHOTOS) {
        const name = photo.split('/').pop();
        const card = page.locator('#upload-list .card', { hasText: name });
        assert.equal(await card.locator('progress').evaluate((bar) => bar.value), 100, name);
        await card.getByText('Stored').waitFor();
        await card.locator('.thumb img.loaded').waitFor();
        keys[name] = await card.locator('code').first().textContent();
        assert.match(keys[name], /^[0-9a-f]{64}\.(jpg|webp)$/);
        assert.match(await card.textContent(), /\d+ × \d+ · [\d.]+ KB/);
        const seen = await page.evaluate((n) => window.progressSeen[`Uploading ${n}`] ?? [], name);
        assert.ok(seen.includes(100), `${name}: progress reported ${seen}`);
      }
      assert.match(await page.locator('#upload-list .card', { hasText: '320x240.jpg' }).textContent(), /320 × 240/);
      const refused = page.locator('#upload-list .card.failed', { hasText: 'not-a-photo.jpg' });
      assert.match(await refused.getByRole('alert').textContent(), /Unsupported media type: .+/);
    });

    await step('a file dropped on the drop zone uploads too, after a transient 503 is retried', async () => {
      // The first attempt is answered as wrangler dev's proxy answers a request it lost (503, Retry-After: 0).
      const attempts = [];
      await page.route('**/api/v1/images', (route) => {
        attempts.push(route.request().method());
        if (attempts.length > 1) return route.continue();
        return route.fulfill({ status: 503, headers: { 'Retry-After': '0', 'Content-Type': 'text/plain' }, body: PROXY_LOST_REQUEST });
      });
      const base64 = (await readFile(join(root, 'test/fixtures/derived/palette.png'))).toString('base64');
      const dataTransfer = await page.evaluateHandle((data) => {
        const transfer = new DataTransfer();
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
        return transfer;
      }, base64);
      await page.locator('#drop-zone').dispatchEvent('dragover', { dataTransfer });
      assert.equal(await page.locator('#drop-zone.over').count(), 1);
      await page.locator('#drop-zone').dispatchEvent('drop', { dataTransfer });
      const card = page.locator('#upload-list .card', { hasText: 'dropped.png' });
      await card.getByText('Stored').waitFor();
      keys['dropped.png'] = await card.locator('code').first().textContent();
      assert.match(keys['dropped.png'], /^[0-9a-f]{64}\.png$/);
      assert.deepEqual(attempts, ['POST', 'POST']);
      await page.unroute('**/api/v1/images');
    });

    await step('the library lists the four originals with ThumbHash placeholders, then loaded thumbnails', async () => {
      await page.locator('#browse-form').getByRole('button', { name: 'Browse' }).click();
      await page.locator('#library-status').getByText('4 originals.').waitFor();
      for (const key of Object.values(keys)) {
        const background = await page.locator(`#gallery .card[data-key="${key}"] .thumb`).evaluate((box) => box.style.backgroundImage);
        assert.match(background, /^url\("data:image\/png;base64,/, key);
      }
      for (const key of Object.values(keys)) await page.locator(`#gallery .card[data-key="${key}"] .thumb img.loaded`).waitFor();
      assert.equal(await page.locator('#gallery .card').count(), 4);
      // Cards name the uploaded file, not only its content-addressed key.
      for (const [name, key] of Object.entries(keys)) assert.equal(await page.locator(`#gallery .card[data-key="${key}"] .name`).textContent(), name);
      await page.locator('#gallery').screenshot({ path: join(screenshots, 'gallery.png') });
      await page.screenshot({ path: join(screenshots, 'console.png'), fullPage: true });
    });

    await step('axe-core finds no serious violation on the workspace', async () => {
      assert.deepEqual(await axeViolations(page, axeSource), []);
    });

    const key = keys['320x240.jpg'];
    await step('the builder previews the chosen dimensions (naturalWidth) and the focal point sets gravity', async () => {
      await page.locator(`#gallery .card[data-key="${key}"] button.open`).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByText('320 × 240 px').waitFor();
      // The metadata: EXIF capture time and the dominant colour, with a swatch.
      await dialog.getByText('2010-01-02T15:35:19').waitFor();
      assert.match(await page.locator('#detail-facts').textContent(), /Dominant colour#[0-9a-f]{6}/);
      await dialog.getByLabel('Width').fill('200');
      await dialog.getByLabel('Height').fill('100');
      await dialog.getByLabel('Fit').selectOption('cover');
      await dialog.getByLabel('Format').selectOption('webp');
      await page.waitForFunction(() => {
        const img = document.getElementById('preview');
        return img.complete && img.naturalWidth === 200 && img.naturalHeight === 100;
      });
      await page.locator('#preview-facts').getByText(/200 × 100 · webp · .* smaller than the original/).waitFor();
      const original = page.locator('#detail-original');
      await original.waitFor();
      await page.waitForFunction(() => document.getElementById('detail-original').naturalWidth > 0);
      const box = await original.boundingBox();
      await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.75);
      assert.equal(await dialog.getByLabel('Gravity').inputValue(), 'focal');
      await page.waitForFunction(() => /gravity=0\.2[45]x0\.7[45]/.test(document.getElementById('out-public').value));
      const publicUrl = await page.locator('#out-public').inputValue();
      assert.match(publicUrl, new RegExp(`^${base}/img/width=200,height=100,fit=cover,gravity=[\\d.]+x[\\d.]+,format=webp/${key}$`));
      // Signed by the worker with the THUMBOR_SECURITY_KEY npm start wrote.
      await page.waitForFunction(() => /\/thumbor\/[A-Za-z0-9_-]{27}=\//.test(document.getElementById('out-thumbor').value));
      assert.match(await page.locator('#out-thumbor').inputValue(), new RegExp(`/thumbor/[\\w-]{27}=/200x100/filters:format\\(webp\\)/${key}$`));
      assert.match(await page.locator('#out-srcset').inputValue(), /srcset="[^"]*200w"\s+sizes="/);
      assert.match(await page.locator('#out-picture').inputValue(), /<picture>.*image\/avif.*image\/webp.*<img/s);
      await page.waitForFunction(() => {
        const img = document.getElementById('preview');
        return img.naturalWidth === 200 && /gravity/.test(document.getElementById('builder').dataset.path);
      });
      await dialog.getByRole('heading', { name: '320x240.jpg' }).waitFor();
      await page.locator('#preview').scrollIntoViewIfNeeded();
      await dialog.screenshot({ path: join(screenshots, 'builder.png') });
    });

    await step('effects (Thumbor filters): greyscale and blur show in the preview, through a Thumbor URL the worker signed', async () => {
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Greyscale').check();
      await dialog.getByLabel('Blur').fill('2');
      await page.waitForFunction(() => /^\/thumbor\/unsafe\/200x100\/filters:format\(webp\):blur\(2\):grayscale\(\)\//.test(document.getElementById('builder').dataset.path));
      await page.waitForFunction(() => /\/thumbor\/[\w-]{27}=\/200x100\/filters:format\(webp\):blur\(2\):grayscale\(\)\//.test(document.getElementById('out-thumbor').value));
      // The preview is the greyscale picture: every sampled pixel has R = G = B.
      await page.waitForFunction(() => {
        const img = document.getElementById('preview');
        if (!img.complete || img.naturalWidth !== 200 || img.naturalHeight !== 100 || !img.src.startsWith('blob:')) return false;
        const canvas = document.createElement('canvas');
        canvas.width = 200;
        canvas.height = 100;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const { data } = context.getImageData(0, 0, 200, 100);
        let coloured = 0;
        for (let i = 0; i < data.length; i += 4 * 97) if (Math.abs(data[i] - data[i + 1]) > 2 || Math.abs(data[i + 1] - data[i + 2]) > 2) coloured++;
        return coloured === 0 && /thumbor/.test(document.getElementById('builder').dataset.path);
      });
      const thumbor = await page.locator('#out-thumbor').inputValue();
      const served = await fetch(thumbor);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get('Content-Type'), 'image/webp');
      assert.equal((await fetch(thumbor.replace('blur(2)', 'blur(3)'))).status, 403);
      await page.locator('#preview').scrollIntoViewIfNeeded();
      await dialog.screenshot({ path: join(screenshots, 'builder-effects.png') });
      await dialog.getByLabel('Greyscale').uncheck();
      await dialog.getByLabel('Blur').fill('');
      await page.waitForFunction(() => document.getElementById('builder').dataset.path.startsWith('/img/'));
    });

    await step('axe-core finds no serious violation in the builder dialog', async () => {
      assert.deepEqual(await axeViolations(page, axeSource), []);
    });

    await step('a copied signed URL fetches; a tampered one is refused', async () => {
      await page.getByLabel('Signed URL expires in').selectOption('86400');
      // The 1-hour link is there already; wait for the one that lives a day.
      await page.waitForFunction(() => {
        const signed = document.getElementById('out-signed').value;
        const exp = Number(/[?&]exp=(\d+)/.exec(signed)?.[1]);
        return /&sig=/.test(signed) && exp > Date.now() / 1000 + 86400 - 120;
      });
      const expected = await page.locator('#out-signed').inputValue();
      await page.locator('button[data-copy="out-signed"]').click();
      await page.locator('#copy-status').getByText('Signed URL copied.').waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, expected);
      const exp = Number(new URL(copied).searchParams.get('exp'));
      assert.ok(Math.abs(exp - (Date.now() / 1000 + 86400)) < 120, `exp ${exp} is about a day away`);
      const good = await fetch(copied);
      assert.equal(good.status, 200);
      assert.equal(good.headers.get('Content-Type'), 'image/webp');
      for (const tampered of [copied.replace('width=200', 'width=201'), copied.replace(/exp=(\d+)/, (_, e) => `exp=${Number(e) + 1}`)]) {
        const refused = await fetch(tampered);
        assert.equal(refused.status, 403, tampered);
        assert.equal((await refused.json()).title, 'Invalid signature');
      }
    });

    await step('delete (after confirming) removes the original and reports the purged variants', async () => {
      let confirmed = '';
      page.once('dialog', (confirmation) => {
        confirmed = confirmation.message();
        confirmation.accept();
      });
      await page.getByRole('button', { name: 'Delete this original…' }).click();
      await page.locator('#library-status').getByText(new RegExp(`Deleted ${key}; [1-9]\\d* variants? purged\\.`)).waitFor();
      assert.match(confirmed, /Delete .* cannot be undone/);
      await page.locator(`#gallery .card[data-key="${key}"]`).waitFor({ state: 'detached' });
      assert.equal(await page.locator('#gallery .card').count(), 3);
      assert.equal((await fetch(`${base}/api/v1/images/${key}`, { headers: authorization })).status, 404);
    });

    await step('a refused token (401) fails every queued upload, not only the first, and asks to sign in again', async () => {
      await page.evaluate(() => sessionStorage.setItem('edgepix-admin-token', 'a-token-that-was-revoked'));
      const five = [...PHOTOS, 'derived/baseline.jpg', 'derived/lossless.webp'].map((p) => join(root, 'test/fixtures', p));
      await page.locator('#pick-files').setInputFiles(five);
      await page.locator('#sign-in-error').getByText(/refused \(401\)/).waitFor();
      // The workspace is hidden behind the sign-in form now; the cards wait there for the next sign-in.
      await page.locator('#upload-summary').getByText('0 stored, 5 refused.').waitFor({ state: 'attached' });
      assert.equal(await page.locator('#upload-list .card.failed', { hasText: 'Unauthorized' }).count(), 5);
      assert.equal(await page.locator('#workspace').isHidden(), true);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('edgepix-admin-token')), null);
    });

    await step('on a 390-px phone screen nothing scrolls sideways (workspace and builder)', async () => {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      phone.on('pageerror', (error) => pageProblems.push(`phone page error: ${error.message}`));
      await phone.goto(`${base}/console/`);
      await phone.getByLabel('Admin token').fill(adminToken);
      await phone.getByRole('button', { name: 'Sign in' }).click();
      await phone.locator('#library-status').getByText('3 originals.').waitFor();
      const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.equal(await overflow(), 0, 'workspace');
      await phone.locator('#gallery .card button.open').first().click();
      await phone.getByRole('dialog').waitFor();
      await phone.waitForFunction(() => document.getElementById('preview').naturalWidth > 0);
      assert.equal(await overflow(), 0, 'builder');
      const dialogOverflow = await phone.evaluate(() => {
        const dialog = document.getElementById('detail');
        return dialog.scrollWidth - dialog.clientWidth;
      });
      assert.equal(dialogOverflow, 0, 'builder dialog');
      await phone.screenshot({ path: join(screenshots, 'phone-builder.png') });
      assert.deepEqual(await axeViolations(phone, axeSource), []);
      await phone.close();
    });

    await step('an animated GIF through /img/width=200,format=auto/… plays in Chromium as an animated WebP', async () => {
      const put = async (key, fixture) => {
        const body = await readFile(join(root, 'test/fixtures/formats', fixture));
        const response = await sendAgainIfLost(`${base}/api/v1/images/${key}`, { method: 'PUT', headers: authorization, body });
        assert.equal(response.status, 201, await response.text());
      };
      await put('e2e/animated-loop-3.gif', 'animated-loop-3.gif');
      await put('e2e/rotating-squares.gif', 'rotating-squares.gif');
      const viewer = await context.newPage();
      viewer.on('pageerror', (error) => pageProblems.push(`viewer page error: ${error.message}`));
      // Opened as a document, the image is Chromium's own <img>, with the browser's Accept (image/webp among others).
      const opened = await viewer.goto(`${base}/img/width=200,format=auto/e2e/animated-loop-3.gif`);
      assert.equal(opened.headers()['content-type'], 'image/webp');
      const decoded = await viewer.evaluate(async () => {
        const image = document.images[0];
        await image.decode();
        const bytes = await (await fetch(location.href, { headers: { Accept: 'image/webp' } })).arrayBuffer();
        const decoder = new ImageDecoder({ data: bytes, type: 'image/webp' });
        await decoder.tracks.ready;
        const track = decoder.tracks.selectedTrack;
        return { width: image.naturalWidth, height: image.naturalHeight, animated: track.animated, frames: track.frameCount, repetitions: track.repetitionCount };
      });
      // Loop count 3 is "played three times": two repetitions after the first.
      assert.deepEqual(decoded, { width: 200, height: 154, animated: true, frames: 10, repetitions: 2 });
      // 30 ms frames: two screenshots of the playing <img> 300 ms apart differ.
      const shown = await viewer.goto(`${base}/img/width=60,format=auto/e2e/rotating-squares.gif`);
      assert.equal(shown.headers()['content-type'], 'image/webp');
      const image = viewer.locator('img');
      const first = await image.screenshot();
      await viewer.waitForTimeout(300);
      const second = await image.screenshot();
      assert.notDeepEqual(first, second, 'the animation plays');
      await viewer.screenshot({ path: join(screenshots, 'animated-webp.png') });
      await viewer.close();
    });

    await step('no page error and no CSP violation happened', async () => {
      assert.deepEqual(pageProblems, []);
    });
  } catch (error) {
    // What the worker said is the first thing to read when a step fails.
    console.log(`npm start's last output:\n${server.output().split('\n').slice(-60).join('\n')}`);
    throw error;
  } finally {
    await cleanUp();
  }
}

main().then(
  () => console.log(`e2e: all passed in ${elapsed()}; screenshots in test/e2e/screenshots/`),
  (error) => {
    if (failures === 0) console.log(`FAIL ${error.stack ?? error}`);
    console.log(`e2e: failed after ${elapsed()}`);
    process.exitCode = 1;
  },
);
