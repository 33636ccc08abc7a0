/**
 * One original in a dialog: its metadata, delete, and the URL builder with a
 * live preview and every URL and snippet ready to copy.
 */
import { api, displayUrl, encodeKey } from './api.js';
import { el, formatBytes } from './ui.js';

const $ = (id) => document.getElementById(id);
/** Accept as an <img> sends it, so format=auto chooses for the preview what a browser would get. */
const IMAGE_ACCEPT = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';
const PREVIEW_DELAY_MS = 250;

/** The options of /img in the order edgepix/sign's imageUrl writes them. */
function optionString(values) {
  return Object.entries(values)
    .filter(([, value]) => value !== '' && value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join(',');
}

/** The effects as Thumbor filters, in the order they are listed. */
function effectFilters(effects) {
  const filters = [];
  if (effects.blur) filters.push(`blur(${effects.blur})`);
  if (effects.sharpen) filters.push(`sharpen(${effects.sharpen},1,true)`);
  if (effects.brightness) filters.push(`brightness(${effects.brightness})`);
  if (effects.contrast) filters.push(`contrast(${effects.contrast})`);
  if (effects.rotate) filters.push(`rotate(${effects.rotate})`);
  if (effects.grayscale) filters.push('grayscale()');
  return filters;
}

/** The Thumbor URL for the same transformation, written with unsafe (the worker signs it). */
function thumborPath(key, values, effects) {
  const parts = ['unsafe'];
  const filters = [];
  const dpr = Number(values.dpr || 1);
  const scale = (n) => (n ? Math.round(Number(n) * dpr) : 0);
  if (['', 'contain', 'pad'].includes(values.fit)) parts.push('fit-in'); // '' is scale-down, the default
  parts.push(`${scale(values.width)}x${scale(values.height)}`);
  if (['left', 'right'].includes(values.gravity)) parts.push(values.gravity);
  if (['top', 'bottom'].includes(values.gravity)) parts.push(values.gravity);
  if (values.fit === 'contain') filters.push('upscale()');
  if (values.fit === 'crop') filters.push('no_upscale()');
  if (values.format && values.format !== 'auto') filters.push(`format(${values.format})`);
  if (values.quality) filters.push(`quality(${values.quality})`);
  if (values.fit === 'pad' && values.background) filters.push(`fill(${values.background.replace(/^#/, '')})`);
  filters.push(...effectFilters(effects));
  if (filters.length > 0) parts.push(`filters:${filters.join(':')}`);
  return `/thumbor/${parts.join('/')}/${encodeKey(key)}`;
}

export function setUpDetail({ onDeleted }) {
  const dialog = $('detail');
  const form = $('builder');
  const preview = $('preview');
  const previewFacts = $('preview-facts');
  const focalButton = $('focal-button');
  const dot = $('focal-dot');
  let image;
  let focal = { x: 0.5, y: 0.5 };
  let previewTimer;
  let previewUrl;
  let previewAspect;
  let build = 0;
  let returnFocus;

  const field = (name) => $(`b-${name}`);
  const EFFECTS = ['blur', 'sharpen', 'brightness', 'contrast', 'rotate', 'grayscale'];
  function effects() {
    return Object.fromEntries(EFFECTS.map((name) => [name, name === 'grayscale' ? field(name).checked : field(name).value.trim()]));
  }
  const hasEffects = () => Object.values(effects()).some(Boolean);
  function values() {
    const gravity = field('gravity').value;
    return {
      width: field('width').value,
      height: field('height').value,
      fit: field('fit').value === 'scale-down' ? '' : field('fit').value,
      gravity: gravity === 'focal' ? `${focal.x}x${focal.y}` : gravity,
      quality: field('quality').value,
      format: field('format').value,
      dpr: field('dpr').value,
      background: field('background').value.trim(),
    };
  }

  function imgPath(key, overrides = {}) {
    const preset = field('preset').value;
    if (preset && Object.keys(overrides).length === 0) return `/img/${preset}/${encodeKey(key)}`;
    const options = optionString({ ...values(), ...overrides }) || 'format=auto';
    return `/img/${options}/${encodeKey(key)}`;
  }

  function snippets(key) {
    const v = values();
    const width = Number(v.width) || Math.min(800, image.width);
    const widths = [width, width * 2].filter((w, i) => i === 0 || w <= image.width);
    const aspect = previewAspect ?? image.height / image.width;
    const height = Math.round(width * aspect);
    const at = (w, format) => {
      const h = v.height ? Math.round((Number(v.height) * w) / width) : '';
      return location.origin + imgPath(key, { width: w, height: h, dpr: '', format: format ?? v.format });
    };
    const srcset = (format) => widths.map((w) => `${at(w, format)} ${w}w`).join(', ');
    const sizes = `(max-width: ${width}px) 100vw, ${width}px`;
    const img = (format) =>
      `<img src="${at(width, format)}"\n     srcset="${srcset(format)}"\n     sizes="${sizes}" width="${width}" height="${height}" alt="" loading="lazy" decoding="async">`;
    $('out-srcset').value = img();
    $('out-picture').value = [
      '<picture>',
      `  <source type="image/avif" srcset="${srcset('avif')}" sizes="${sizes}">`,
      `  <source type="image/webp" srcset="${srcset('webp')}" sizes="${sizes}">`,
      `  ${img(image.hasAlpha ? 'png' : 'jpeg').replace(/\n/g, '\n  ')}`,
      '</picture>',
    ].join('\n');
  }

  async function refreshSigned(path, mine) {
    try {
      const reply = await api('/sign', { method: 'POST', body: { path, expiresIn: Number($('sign-expiry').value) } });
      if (mine !== build) return;
      $('out-signed').value = reply.url;
      $('signed-note').textContent = `Expires ${new Date(reply.expiresAt).toLocaleString()}. Signed on the server with the first SIGNING_KEYS key.`;
    } catch (error) {
      if (mine !== build) return;
      $('out-signed').value = '';
      $('signed-note').textContent = `Cannot sign: ${error.message}`;
    }
  }

  async function refreshThumbor(path, mine) {
    try {
      const reply = await api('/sign', { method: 'POST', body: { path } });
      if (mine !== build) return;
      $('out-thumbor').value = reply.url;
      $('thumbor-note').textContent = 'Signed on the server with THUMBOR_SECURITY_KEY, as libthumbor signs; Thumbor links do not expire.';
    } catch (error) {
      if (mine !== build) return;
      $('out-thumbor').value = location.origin + path;
      $('thumbor-note').textContent = `Not signed (${error.message}); unsafe/ URLs work only with THUMBOR_ALLOW_UNSAFE=true.`;
    }
  }

  async function refreshPreview(path, mine) {
    previewFacts.textContent = 'Rendering…';
    try {
      const response = await fetch(await displayUrl(path), { headers: { Accept: IMAGE_ACCEPT } });
      if (mine !== build) return;
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        previewFacts.textContent = `${response.status} ${problem.title ?? ''}: ${problem.detail ?? ''}`;
        preview.removeAttribute('src');
        return;
      }
      const blob = await response.blob();
      if (mine !== build) return;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(blob);
      preview.onload = () => {
        if (mine !== build) return;
        previewAspect = preview.naturalHeight / preview.naturalWidth;
        const saved = 1 - blob.size / image.bytes;
        const savings = saved >= 0 ? `${Math.round(saved * 100)} % smaller` : `${Math.round(-saved * 100)} % larger`;
        previewFacts.textContent = `${preview.naturalWidth} × ${preview.naturalHeight} · ${blob.type.replace('image/', '')} · ${formatBytes(blob.size)} · ${savings} than the original (${formatBytes(image.bytes)})`;
        preview.dataset.bytes = String(blob.size);
        snippets(image.key);
      };
      preview.src = previewUrl;
    } catch (error) {
      if (mine === build) previewFacts.textContent = `Preview failed: ${error.message}`;
    }
  }

  let built = '';
  function rebuild({ immediate = false } = {}) {
    if (!image) return;
    const preset = field('preset').value;
    // 'change' follows 'input' for the same edit (and fires again on blur): build only what is new.
    const state = JSON.stringify([image.key, preset, values(), effects()]);
    if (state === built && !immediate) return;
    built = state;
    const mine = ++build;
    for (const name of ['width', 'height', 'fit', 'gravity', 'quality', 'format', 'dpr', 'background', ...EFFECTS]) field(name).disabled = Boolean(preset);
    const path = imgPath(image.key);
    const thumbor = thumborPath(image.key, values(), effects());
    $('out-public').value = location.origin + path;
    $('out-thumbor').value = location.origin + thumbor;
    snippets(image.key);
    $('out-signed').value = '';
    refreshSigned(path, mine);
    refreshThumbor(thumbor, mine);
    // The /img vocabulary has no effects: with any, the preview is the Thumbor URL's picture.
    const shown = hasEffects() && !preset ? thumbor : path;
    $('effects-note').classList.toggle('active', hasEffects());
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => refreshPreview(shown, mine), immediate ? 0 : PREVIEW_DELAY_MS);
    form.dataset.path = shown;
  }

  function setFocal(x, y) {
    const round = (n) => Math.round(Math.min(1, Math.max(0, n)) * 100) / 100;
    focal = { x: round(x), y: round(y) };
    dot.hidden = false;
    dot.style.left = `${focal.x * 100}%`;
    dot.style.top = `${focal.y * 100}%`;
    field('gravity').value = 'focal';
    field('gravity').options[field('gravity').options.length - 1].textContent = `focal point ${focal.x}x${focal.y}`;
    rebuild();
  }

  focalButton.addEventListener('click', (event) => {
    if (event.detail === 0) return setFocal(focal.x, focal.y); // keyboard: use the point as it is; arrows move it
    const box = $('detail-original').getBoundingClientRect();
    setFocal((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  });
  focalButton.addEventListener('keydown', (event) => {
    const step = { ArrowLeft: [-0.05, 0], ArrowRight: [0.05, 0], ArrowUp: [0, -0.05], ArrowDown: [0, 0.05] }[event.key];
    if (!step) return;
    event.preventDefault();
    setFocal(focal.x + step[0], focal.y + step[1]);
  });
  form.addEventListener('input', () => rebuild());
  form.addEventListener('change', () => rebuild());
  form.addEventListener('submit', (event) => event.preventDefault());
  $('sign-expiry').addEventListener('change', () => refreshSigned(imgPath(image.key), build));

  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', async () => {
      const source = $(button.dataset.copy);
      const label = source.labels?.[0]?.textContent ?? 'Text';
      try {
        await navigator.clipboard.writeText(source.value);
        $('copy-status').textContent = `${label} copied.`;
      } catch {
        source.select();
        $('copy-status').textContent = `Copying is blocked here: ${label} is selected, press Ctrl+C (⌘C).`;
      }
    });
  }

  $('detail-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    build++;
    returnFocus?.focus();
  });

  $('delete').addEventListener('click', async () => {
    const key = image.key;
    if (!confirm(`Delete ${key} and every variant made from it? This cannot be undone.`)) return;
    $('delete').disabled = true;
    try {
      const reply = await api(`/images/${encodeKey(key)}`, { method: 'DELETE' });
      const variants = `${reply.variantsRemoved} variant${reply.variantsRemoved === 1 ? '' : 's'} purged`;
      dialog.close();
      onDeleted(key, reply.deleted ? `Deleted ${key}; ${variants}.` : `${reply.detail} ${variants}.`);
    } catch (error) {
      $('delete-status').textContent = `Not deleted: ${error.message}`;
    } finally {
      $('delete').disabled = false;
    }
  });

  function showFacts() {
    const exif = image.exif ?? {};
    const camera = [exif.camera?.make, exif.camera?.model].filter(Boolean).join(' ');
    const colour = image.placeholder?.dominantColor;
    const rows = [
      ['File name', image.name],
      ['Key', el('code', {}, image.key)],
      ['Size', `${image.width} × ${image.height} px`],
      ['Bytes', formatBytes(image.bytes)],
      ['Format', `${image.format}${image.hasAlpha ? ', with alpha' : ''}`],
      ['SHA-256', el('code', {}, image.sha256)],
      ['Uploaded', image.uploaded ? new Date(image.uploaded).toLocaleString() : undefined],
      ['Camera', camera || undefined],
      ['Taken', exif.takenAt],
      ['Dominant colour', colour ? el('span', {}, el('span', { class: 'swatch', 'data-colour': colour }), colour) : undefined],
    ];
    $('detail-facts').replaceChildren(
      ...rows.filter(([, value]) => value !== undefined).flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]),
    );
    for (const swatch of $('detail-facts').querySelectorAll('.swatch')) swatch.style.background = swatch.dataset.colour;
  }

  return {
    async open(key, opener, name) {
      returnFocus = opener;
      image = { ...(await api(`/images/${encodeKey(key)}`)), name };
      $('detail-title').textContent = name ?? key.split('/').pop();
      $('delete-status').textContent = '';
      $('copy-status').textContent = '';
      previewAspect = undefined;
      focal = { x: 0.5, y: 0.5 };
      dot.hidden = true;
      showFacts();
      const presets = Object.keys(image.urls ?? {});
      field('preset').replaceChildren(el('option', { value: '' }, 'none: use the options below'), ...presets.map((name) => el('option', { value: name }, name)));
      $('detail-original').src = await displayUrl(`/img/width=640,format=auto/${encodeKey(key)}`);
      if (!dialog.open) dialog.showModal();
      rebuild({ immediate: true });
    },
  };
}
