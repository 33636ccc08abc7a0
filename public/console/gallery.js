/**
 * The library: originals under a prefix, a page at a time (GET
 * /api/v1/images with its cursor), loaded as the end of the list scrolls
 * into view or with the "Load more" button.
 */
import { api } from './api.js';
import { el, formatBytes, thumbnail } from './ui.js';

const PAGE = 24;

export function setUpGallery({ onOpen }) {
  const list = document.getElementById('gallery');
  const status = document.getElementById('library-status');
  const more = document.getElementById('load-more');
  const form = document.getElementById('browse-form');
  const prefixInput = document.getElementById('browse-prefix');
  let prefix = '';
  let cursor;
  let loading = false;
  let generation = 0;
  const shown = new Map();

  function card(image) {
    const label = image.key.split('/').pop();
    const open = el('button', { type: 'button', class: 'open' });
    const facts = image.width ? `${image.width} × ${image.height} · ${formatBytes(image.bytes)}` : formatBytes(image.bytes);
    open.append(
      el('span', { class: 'thumb' }),
      el('p', { class: 'name' }, image.name ?? label),
      el('p', { class: 'meta' }, facts),
      el('p', { class: 'meta' }, el('code', {}, image.key)),
    );
    open.addEventListener('click', () => onOpen(image.key, open, image.name));
    const item = el('li', { class: 'card', 'data-key': image.key }, open);
    thumbnail(image.key, image.thumbhash, '').then((box) => open.firstChild.replaceWith(box), () => {});
    return item;
  }

  async function loadPage() {
    if (loading) return;
    loading = true;
    const mine = generation;
    status.textContent = 'Loading…';
    try {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (prefix) query.set('prefix', prefix);
      if (cursor) query.set('cursor', cursor);
      const page = await api(`/images?${query}`);
      if (mine !== generation) return;
      for (const image of page.images) {
        if (shown.has(image.key)) continue;
        const item = card(image);
        shown.set(image.key, item);
        list.append(item);
      }
      cursor = page.cursor;
      more.hidden = !page.truncated;
      status.textContent = shown.size === 0
        ? (prefix ? `No originals under "${prefix}".` : 'No originals yet: upload some above.')
        : `${shown.size} original${shown.size === 1 ? '' : 's'}${page.truncated ? ', more below' : ''}.`;
    } catch (error) {
      if (mine === generation) status.textContent = `Could not list: ${error.message}`;
    } finally {
      loading = false;
    }
  }

  function reset(newPrefix) {
    generation++;
    loading = false;
    prefix = newPrefix;
    cursor = undefined;
    shown.clear();
    list.replaceChildren();
    more.hidden = true;
    return loadPage();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    reset(prefixInput.value.trim());
  });
  more.addEventListener('click', loadPage);
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting) && !more.hidden) loadPage();
  }).observe(document.getElementById('gallery-end'));

  return {
    reload: () => reset(prefix),
    /** A fresh upload: shown first when it falls under the prefix being browsed. */
    add(image) {
      if (shown.has(image.key) || !image.key.startsWith(prefix)) return;
      const item = card({ ...image, thumbhash: image.placeholder?.thumbhash });
      shown.set(image.key, item);
      list.prepend(item);
      status.textContent = `${shown.size} original${shown.size === 1 ? '' : 's'}.`;
    },
    remove(key) {
      shown.get(key)?.remove();
      shown.delete(key);
      status.textContent = `${shown.size} original${shown.size === 1 ? '' : 's'}.`;
    },
  };
}
