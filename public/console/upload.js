/**
 * Upload: drop or pick files (or whole folders); each gets a card with a
 * progress bar fed by real upload progress, then its thumbnail and facts, or
 * the server's problem detail. A few upload at once.
 */
import { ApiError, uploadFile } from './api.js';
import { formatBytes, el, thumbnail } from './ui.js';

/** Enough to keep the connection busy without queueing many decodes in the worker at once. */
const CONCURRENCY = 3;
const ACCEPTED = /\.(jpe?g|png|webp|avif)$/i;

/** Every file under a dropped folder (webkitGetAsEntry), depth first. */
async function filesOfEntry(entry) {
  if (entry.isFile) return [await new Promise((resolve, reject) => entry.file(resolve, reject))];
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  const files = [];
  // readEntries answers in batches until it answers an empty one.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return files;
    for (const child of batch) files.push(...(await filesOfEntry(child)));
  }
}

async function droppedFiles(dataTransfer) {
  const entries = [...dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...dataTransfer.files];
  return (await Promise.all(entries.map(filesOfEntry))).flat();
}

function uploadCard(file) {
  const progress = el('progress', { max: 100, value: 0, 'aria-label': `Uploading ${file.name}` });
  const state = el('p', { class: 'meta state' }, 'Waiting…');
  const preview = el('span', { class: 'thumb' });
  const card = el('li', { class: 'card' }, preview, el('p', { class: 'name' }, file.name), state, progress);
  if (file.type.startsWith('image/')) {
    const local = el('img', { alt: '', src: URL.createObjectURL(file) });
    local.addEventListener('load', () => local.classList.add('loaded'));
    local.addEventListener('error', () => local.remove());
    preview.append(local);
  }
  return {
    card,
    progress(fraction) {
      progress.value = Math.round(fraction * 100);
      state.textContent = fraction < 1 ? `Uploading… ${progress.value} %` : 'Checking…';
    },
    async done(image) {
      card.classList.add('done');
      state.textContent = image.deduplicated ? 'Already stored (same bytes)' : 'Stored';
      const facts = el('p', { class: 'meta' }, `${image.width} × ${image.height} · ${formatBytes(image.bytes)} · ${image.format}`);
      const key = el('p', { class: 'meta' }, el('code', {}, image.key));
      const hash = el('p', { class: 'meta', title: image.sha256 }, 'sha256 ', el('code', {}, `${image.sha256.slice(0, 16)}…`));
      card.append(facts, key, hash);
      preview.replaceChildren(await thumbnail(image.key, image.placeholder?.thumbhash, ''));
    },
    failed(error) {
      card.classList.add('failed');
      state.textContent = 'Refused';
      progress.remove();
      const problem = error instanceof ApiError ? error.problem : { detail: String(error) };
      card.append(el('p', { class: 'meta problem', role: 'alert' }, `${problem.title ? `${problem.title}: ` : ''}${problem.detail ?? ''}`));
    },
  };
}

/**
 * Wires the drop zone and pickers. `onStored` hears of each stored image
 * (the library shows it).
 */
export function setUpUpload({ onStored }) {
  const zone = document.getElementById('drop-zone');
  const list = document.getElementById('upload-list');
  const summary = document.getElementById('upload-summary');
  const prefixInput = document.getElementById('upload-prefix');
  const queue = [];
  let running = 0;
  let totals = { done: 0, failed: 0, all: 0 };

  const report = () => {
    const pending = totals.all - totals.done - totals.failed;
    summary.textContent = pending > 0
      ? `Uploading ${totals.all} file${totals.all === 1 ? '' : 's'}: ${totals.done} stored, ${totals.failed} refused, ${pending} to go.`
      : `${totals.done} stored, ${totals.failed} refused.`;
  };

  async function pump() {
    while (running < CONCURRENCY && queue.length > 0) {
      const job = queue.shift();
      running++;
      run(job).finally(() => {
        running--;
        report();
        pump();
      });
    }
  }

  async function run({ file, view, prefix }) {
    try {
      const image = await uploadFile(file, { prefix, onProgress: (f) => view.progress(f) });
      totals.done++;
      await view.done({ ...image, name: file.name });
      onStored(image);
    } catch (error) {
      totals.failed++;
      view.failed(error);
      // A refused token refuses every file still waiting: say so on each, not only on the first.
      if (error instanceof ApiError && error.status === 401) {
        for (const waiting of queue.splice(0)) {
          totals.failed++;
          waiting.view.failed(error);
        }
      }
    }
  }

  function add(files) {
    const chosen = [...files].filter((file) => file.size > 0 || ACCEPTED.test(file.name));
    if (chosen.length === 0) return;
    if (totals.all === totals.done + totals.failed) totals = { done: 0, failed: 0, all: 0 };
    const prefix = prefixInput.value.trim();
    for (const file of chosen) {
      const view = uploadCard(file);
      list.prepend(view.card);
      queue.push({ file, view, prefix });
      totals.all++;
    }
    report();
    pump();
  }

  for (const id of ['pick-files', 'pick-folder']) {
    const input = document.getElementById(id);
    input.addEventListener('change', () => {
      add(input.files);
      input.value = '';
    });
  }
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', async (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    add(await droppedFiles(event.dataTransfer));
  });
}
